-- Notifications of the citizen channel (issue 6, point 4): the outbox
-- learns a not-before time (SMS to citizens wait out the night), a
-- recipient reference (the reporter of a case, whose phone stays sealed
-- in citizen_reports and is opened only when the message is sent) and
-- the kind of a reporter's status notice; notice_reads keeps which in-app
-- notices each user has read.
CREATE TABLE outbox_new (
    id                INTEGER PRIMARY KEY,
    channel           TEXT NOT NULL CHECK (channel IN ('sms','inapp')),
    recipient_unit    TEXT NOT NULL DEFAULT '',
    recipient_user_id INTEGER,
    recipient_ref     TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL CHECK (kind IN ('arrived','near_limit','overdue','supervised',
                          'supervision_due','supervision_overdue','supervision_escalated','citizen_status')),
    case_id           INTEGER REFERENCES cases(id),
    payload           TEXT NOT NULL DEFAULT '{}',
    dedup             TEXT NOT NULL UNIQUE,
    created_at        TIMESTAMP NOT NULL,
    not_before        TIMESTAMP,
    sent_at           TIMESTAMP
);
INSERT INTO outbox_new (id, channel, recipient_unit, recipient_user_id, kind, case_id, payload, dedup,
    created_at, sent_at)
    SELECT id, channel, recipient_unit, recipient_user_id, kind, case_id, payload, dedup, created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_unsent ON outbox(sent_at, id);
CREATE INDEX outbox_case ON outbox(case_id, id);
CREATE INDEX outbox_inbox ON outbox(channel, recipient_unit, id);

CREATE TABLE notice_reads (
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    user_id   INTEGER NOT NULL,
    read_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (outbox_id, user_id)
);
