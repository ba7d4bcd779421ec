-- Joint meetings can be edited while open (version: optimistic concurrency)
-- and cancelled (status 'cancelled' with the reason, who and when).
--
-- SQLite cannot change a CHECK constraint, so case_meetings is rebuilt.
-- Foreign keys are on and migrations run inside a transaction, where
-- PRAGMA foreign_keys cannot be switched off; dropping case_meetings while
-- its child tables still reference it would fail. So the rows of the
-- meeting tables are parked in temporary tables, the children and then the
-- parent are dropped, all four are created again (with their indexes) and
-- the rows copied back parent first, every foreign key checked on the way.

CREATE TEMP TABLE m8_meetings AS SELECT * FROM case_meetings;
CREATE TEMP TABLE m8_units AS SELECT * FROM case_meeting_units;
CREATE TEMP TABLE m8_cases AS SELECT * FROM case_meeting_cases;
CREATE TEMP TABLE m8_decisions AS SELECT * FROM case_meeting_decisions;

DROP TABLE case_meeting_decisions;
DROP TABLE case_meeting_cases;
DROP TABLE case_meeting_units;
DROP TABLE case_meetings;

CREATE TABLE case_meetings (
    id                 INTEGER PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('meeting','joint_enforcement')),
    title              TEXT NOT NULL,
    held_at            TIMESTAMP NOT NULL,
    place              TEXT NOT NULL DEFAULT '',
    convener_unit_code TEXT NOT NULL REFERENCES org_units(code),
    convener_path      TEXT NOT NULL,
    staff_ids          TEXT NOT NULL DEFAULT '[]',
    minutes            TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('open','concluded','cancelled')),
    created_by         INTEGER,
    created_at         TIMESTAMP NOT NULL,
    concluded_by       INTEGER,
    concluded_at       TIMESTAMP,
    version            INTEGER NOT NULL DEFAULT 1,
    cancel_reason      TEXT NOT NULL DEFAULT '',
    cancelled_by       INTEGER,
    cancelled_at       TIMESTAMP
);
CREATE INDEX case_meetings_convener ON case_meetings(convener_path, id);

CREATE TABLE case_meeting_units (
    meeting_id INTEGER NOT NULL REFERENCES case_meetings(id),
    unit_code  TEXT NOT NULL REFERENCES org_units(code),
    path       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, unit_code)
);
CREATE INDEX case_meeting_units_path ON case_meeting_units(path, meeting_id);

CREATE TABLE case_meeting_cases (
    meeting_id INTEGER NOT NULL REFERENCES case_meetings(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (meeting_id, case_id)
);
CREATE INDEX case_meeting_cases_case ON case_meeting_cases(case_id, meeting_id);

CREATE TABLE case_meeting_decisions (
    id             INTEGER PRIMARY KEY,
    meeting_id     INTEGER NOT NULL REFERENCES case_meetings(id),
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    lead_unit_code TEXT NOT NULL REFERENCES org_units(code),
    co_unit_codes  TEXT NOT NULL DEFAULT '[]',
    note           TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('pending','applied')),
    created_by     INTEGER,
    created_at     TIMESTAMP NOT NULL,
    applied_at     TIMESTAMP
);
CREATE INDEX case_meeting_decisions_meeting ON case_meeting_decisions(meeting_id, id);

INSERT INTO case_meetings (id, kind, title, held_at, place, convener_unit_code, convener_path, staff_ids, minutes,
    status, created_by, created_at, concluded_by, concluded_at)
    SELECT id, kind, title, held_at, place, convener_unit_code, convener_path, staff_ids, minutes,
    status, created_by, created_at, concluded_by, concluded_at FROM m8_meetings;
INSERT INTO case_meeting_units (meeting_id, unit_code, path)
    SELECT meeting_id, unit_code, path FROM m8_units;
INSERT INTO case_meeting_cases (meeting_id, case_id)
    SELECT meeting_id, case_id FROM m8_cases;
INSERT INTO case_meeting_decisions (id, meeting_id, case_id, lead_unit_code, co_unit_codes, note, status,
    created_by, created_at, applied_at)
    SELECT id, meeting_id, case_id, lead_unit_code, co_unit_codes, note, status,
    created_by, created_at, applied_at FROM m8_decisions;

DROP TABLE m8_meetings;
DROP TABLE m8_units;
DROP TABLE m8_cases;
DROP TABLE m8_decisions;
