-- The case loop: category catalogue, cases with their territory and
-- handler units, assignments, steps, extensions, supervision, numbering,
-- idempotency keys and the notification outbox.

CREATE TABLE case_categories (
    code              TEXT PRIMARY KEY,
    kind              TEXT NOT NULL CHECK (kind IN ('component','event','governance')),
    major_code        TEXT NOT NULL,
    major_name        TEXT NOT NULL,
    name              TEXT NOT NULL,
    filing_condition  TEXT NOT NULL DEFAULT '',
    closing_condition TEXT NOT NULL DEFAULT '',
    default_dept      TEXT NOT NULL DEFAULT '',
    urgency           TEXT NOT NULL CHECK (urgency IN ('normal','urgent','critical')),
    limits            TEXT NOT NULL DEFAULT '{}',
    unit_code         TEXT REFERENCES org_units(code),
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX case_categories_major ON case_categories(kind, major_code, code);

CREATE TABLE case_counters (
    year      INTEGER NOT NULL,
    city_code TEXT NOT NULL,
    next      INTEGER NOT NULL,
    PRIMARY KEY (year, city_code)
);

CREATE TABLE cases (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL UNIQUE,
    category_code      TEXT NOT NULL REFERENCES case_categories(code),
    description        TEXT NOT NULL,
    source             TEXT NOT NULL,
    lat                REAL,
    lng                REAL,
    address            TEXT NOT NULL DEFAULT '',
    grid_code          TEXT NOT NULL REFERENCES grids(code),
    unit_code          TEXT NOT NULL REFERENCES org_units(code),
    unit_path          TEXT NOT NULL,
    status             TEXT NOT NULL,
    resume_status      TEXT NOT NULL DEFAULT '',
    stage              TEXT NOT NULL DEFAULT '',
    stage_seq          INTEGER NOT NULL DEFAULT 0,
    current_unit_code  TEXT NOT NULL REFERENCES org_units(code),
    stage_started_at   TIMESTAMP NOT NULL,
    deadline           TIMESTAMP,
    handle_deadline    TIMESTAMP,
    overdue            TEXT NOT NULL DEFAULT 'green',
    supervised         INTEGER NOT NULL DEFAULT 0,
    rework_count       INTEGER NOT NULL DEFAULT 0,
    merged_into        INTEGER REFERENCES cases(id),
    reporter_id        INTEGER NOT NULL,
    reporter_unit_code TEXT NOT NULL DEFAULT '',
    attachments        TEXT NOT NULL DEFAULT '[]',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    closed_at          TIMESTAMP
);
CREATE INDEX cases_status ON cases(status, deadline);
CREATE INDEX cases_current ON cases(current_unit_code, status);
CREATE INDEX cases_reporter ON cases(reporter_id, status);

CREATE TABLE case_units (
    case_id   INTEGER NOT NULL REFERENCES cases(id),
    unit_code TEXT NOT NULL,
    path      TEXT NOT NULL,
    reason    TEXT NOT NULL CHECK (reason IN ('territory','reported','assigned','supervisor')),
    PRIMARY KEY (case_id, unit_code, reason)
);
CREATE INDEX case_units_path ON case_units(path, case_id);

CREATE TABLE case_assignments (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    unit_code      TEXT NOT NULL REFERENCES org_units(code),
    from_unit_code TEXT NOT NULL REFERENCES org_units(code),
    parent_id      INTEGER REFERENCES case_assignments(id),
    lead           INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    sign_deadline  TIMESTAMP,
    deadline       TIMESTAMP,
    feedback       TEXT NOT NULL DEFAULT '',
    attachments    TEXT NOT NULL DEFAULT '[]',
    extension_used INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    signed_at      TIMESTAMP,
    feedback_at    TIMESTAMP
);
CREATE INDEX case_assignments_case ON case_assignments(case_id, id);
CREATE INDEX case_assignments_unit ON case_assignments(unit_code, status);

CREATE TABLE case_steps (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL DEFAULT '',
    unit_code   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_steps_case ON case_steps(case_id, id);

CREATE TABLE case_extensions (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    assignment_id INTEGER NOT NULL REFERENCES case_assignments(id),
    extra_limit   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending','approved','refused')),
    decision_note TEXT NOT NULL DEFAULT '',
    requested_by  INTEGER,
    decided_by    INTEGER,
    created_at    TIMESTAMP NOT NULL,
    decided_at    TIMESTAMP
);
CREATE INDEX case_extensions_case ON case_extensions(case_id, id);

CREATE TABLE case_supervisions (
    id                   INTEGER PRIMARY KEY,
    case_id              INTEGER NOT NULL REFERENCES cases(id),
    supervisor_unit_code TEXT NOT NULL REFERENCES org_units(code),
    deadline             TIMESTAMP NOT NULL,
    reason               TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('open','closed')),
    created_by           INTEGER,
    created_at           TIMESTAMP NOT NULL,
    closed_at            TIMESTAMP
);
CREATE INDEX case_supervisions_case ON case_supervisions(case_id, status);
CREATE INDEX case_supervisions_status ON case_supervisions(status, deadline);

CREATE TABLE idempotency_keys (
    user_id      INTEGER NOT NULL,
    key          TEXT NOT NULL,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    request_hash TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    channel           TEXT NOT NULL CHECK (channel IN ('sms','inapp')),
    recipient_unit    TEXT NOT NULL DEFAULT '',
    recipient_user_id INTEGER,
    kind              TEXT NOT NULL CHECK (kind IN ('arrived','near_limit','overdue','supervised')),
    case_id           INTEGER REFERENCES cases(id),
    payload           TEXT NOT NULL DEFAULT '{}',
    dedup             TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMP NOT NULL,
    sent_at           TIMESTAMP
);
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
