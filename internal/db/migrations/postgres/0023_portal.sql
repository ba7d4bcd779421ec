-- Citizen portal (issue 6, part 2): the processing-notice version a report
-- accepted (PRIV-8), photos uploaded through the portal, and CAPTCHA
-- challenges already answered (each is single use).
ALTER TABLE citizen_reports ADD COLUMN notice_version TEXT NOT NULL DEFAULT '';

-- citizen_photos links a photo uploaded by the public to its report;
-- case_id stays NULL until the report is filed (unlinked photos are
-- purged as orphan attachments).
CREATE TABLE citizen_photos (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
    case_id       BIGINT REFERENCES cases(id),
    client_key    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX citizen_photos_case ON citizen_photos(case_id);
CREATE INDEX citizen_photos_client ON citizen_photos(client_key, created_at);

CREATE TABLE captcha_used (
    nonce      TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX captcha_used_expires ON captcha_used(expires_at);
