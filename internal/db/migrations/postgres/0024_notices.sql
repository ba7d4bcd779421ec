-- Notifications of the citizen channel (issue 6, point 4): the outbox
-- learns a not-before time (SMS to citizens wait out the night), a
-- recipient reference (the reporter of a case, whose phone stays sealed
-- in citizen_reports and is opened only when the message is sent) and
-- the kind of a reporter's status notice; notice_reads keeps which in-app
-- notices each user has read.
ALTER TABLE outbox ADD COLUMN recipient_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN not_before TIMESTAMPTZ;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('arrived','near_limit','overdue','supervised',
    'supervision_due','supervision_overdue','supervision_escalated','citizen_status'));
CREATE INDEX outbox_case ON outbox(case_id, id);
CREATE INDEX outbox_inbox ON outbox(channel, recipient_unit, id);

CREATE TABLE notice_reads (
    outbox_id BIGINT NOT NULL REFERENCES outbox(id),
    user_id   BIGINT NOT NULL,
    read_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (outbox_id, user_id)
);
