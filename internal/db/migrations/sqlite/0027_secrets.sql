-- Secrets that every node of one installation must share (the CAPTCHA
-- key, later signing keys): made once, at random, by whichever process
-- needs one first, and read by all the others (issue 11, point 8).
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Files kept between two requests of one user (a boundary file between
-- its dry run and its import): the row here, the bytes in the attachment
-- store, so that the second request may reach any node.
CREATE TABLE kept_files (
    token      TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    meta       TEXT NOT NULL DEFAULT '{}',
    size       INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX kept_files_created ON kept_files (created_at);

-- One keeper of idempotency keys: case creation's keys move from their own
-- table into api_idempotency (internal/idem), bound to the case they made.
INSERT INTO api_idempotency (user_id, key, route, request_hash, status, content_type, body, created_at)
    SELECT user_id, key, 'case.create', request_hash, 1, '', CAST(case_id AS TEXT), created_at FROM idempotency_keys WHERE true
    ON CONFLICT (user_id, key) DO NOTHING;
DROP TABLE idempotency_keys;
