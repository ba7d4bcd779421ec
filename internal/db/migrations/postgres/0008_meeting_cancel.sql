-- Joint meetings can be edited while open (version: optimistic concurrency)
-- and cancelled (status 'cancelled' with the reason, who and when).

ALTER TABLE case_meetings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE case_meetings ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE case_meetings ADD COLUMN cancelled_by BIGINT;
ALTER TABLE case_meetings ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE case_meetings DROP CONSTRAINT case_meetings_status_check;
ALTER TABLE case_meetings ADD CONSTRAINT case_meetings_status_check
    CHECK (status IN ('open','concluded','cancelled'));
