-- The field app (社管通): replayable answers for Idempotency-Key on the
-- endpoints its outbox replays, and resumable media uploads.

-- api_idempotency keeps, per user and key, the fingerprint of the first
-- request and its answer (status 0 while it runs), so a replay gets the
-- first answer instead of doing the write again.
CREATE TABLE api_idempotency (
    user_id      BIGINT NOT NULL,
    key          TEXT NOT NULL,
    route        TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);

-- uploads are resumable uploads in progress; their bytes wait in the
-- attachments' temp area until the last chunk makes them an attachment.
-- busy_until is a short lease: one chunk is written at a time.
CREATE TABLE uploads (
    id              TEXT PRIMARY KEY,
    user_id         BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL DEFAULT '',
    filename        TEXT NOT NULL,
    declared_type   TEXT NOT NULL DEFAULT '',
    purpose         TEXT NOT NULL DEFAULT '',
    size            BIGINT NOT NULL,
    received        BIGINT NOT NULL DEFAULT 0,
    busy_until      TIMESTAMPTZ,
    attachment_id   BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX uploads_key ON uploads(user_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX uploads_expires ON uploads(expires_at);
