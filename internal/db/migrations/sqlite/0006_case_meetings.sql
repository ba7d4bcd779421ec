-- Joint meetings and joint enforcement (联席会议 / 联合执法) with their
-- participant units, linked cases and decisions; accountability records
-- (问责) on supervisions; the attachment ids of case steps (for read
-- access); the return count of a case (pushed back and forth); and the
-- supervision reminder kinds of the outbox.

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
    status             TEXT NOT NULL CHECK (status IN ('open','concluded')),
    created_by         INTEGER,
    created_at         TIMESTAMP NOT NULL,
    concluded_by       INTEGER,
    concluded_at       TIMESTAMP
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

CREATE TABLE case_accountability (
    id             INTEGER PRIMARY KEY,
    supervision_id INTEGER NOT NULL REFERENCES case_supervisions(id),
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    unit_code      TEXT REFERENCES org_units(code),
    staff_id       INTEGER,
    person_name    TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    created_by     INTEGER,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX case_accountability_supervision ON case_accountability(supervision_id, id);

CREATE TABLE case_step_attachments (
    attachment_id INTEGER NOT NULL,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (attachment_id, case_id)
);

ALTER TABLE cases ADD COLUMN return_count INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET return_count = (SELECT count(*) FROM case_steps s WHERE s.case_id = cases.id AND s.action = 'return');

CREATE TABLE outbox_new (
    id                INTEGER PRIMARY KEY,
    channel           TEXT NOT NULL CHECK (channel IN ('sms','inapp')),
    recipient_unit    TEXT NOT NULL DEFAULT '',
    recipient_user_id INTEGER,
    kind              TEXT NOT NULL CHECK (kind IN ('arrived','near_limit','overdue','supervised',
                          'supervision_due','supervision_overdue','supervision_escalated')),
    case_id           INTEGER REFERENCES cases(id),
    payload           TEXT NOT NULL DEFAULT '{}',
    dedup             TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMP NOT NULL,
    sent_at           TIMESTAMP
);
INSERT INTO outbox_new SELECT id, channel, recipient_unit, recipient_user_id, kind, case_id, payload, dedup,
    created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
