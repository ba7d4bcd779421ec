-- Citizen intake (issue 6): the channel a case came in by, the public side
-- of citizen reports (tracking code, sealed contact, moderation, rating),
-- the hits counted by the intake rate limits, and the Open311 API keys.
ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT '';

CREATE TABLE citizen_reports (
    case_id       INTEGER PRIMARY KEY REFERENCES cases(id),
    token         TEXT NOT NULL UNIQUE,
    channel       TEXT NOT NULL,
    client_key    TEXT NOT NULL DEFAULT '',
    api_key_id    INTEGER,
    idem_key      TEXT UNIQUE,
    device_id     TEXT NOT NULL DEFAULT '',
    account_id    TEXT NOT NULL DEFAULT '',
    content_hash  TEXT NOT NULL DEFAULT '',
    contact_enc   BLOB,
    phone_bidx    BLOB,
    media_url     TEXT NOT NULL DEFAULT '',
    public_text   TEXT,
    text_hidden   INTEGER NOT NULL DEFAULT 0,
    media_hidden  INTEGER NOT NULL DEFAULT 0,
    moderated_by  TEXT NOT NULL DEFAULT '',
    moderated_at  TIMESTAMP,
    rating        INTEGER,
    rating_note   TEXT NOT NULL DEFAULT '',
    rated_at      TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX citizen_reports_device ON citizen_reports(device_id, content_hash, created_at);
CREATE INDEX citizen_reports_created ON citizen_reports(created_at);

CREATE TABLE citizen_hits (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    at   TIMESTAMP NOT NULL
);
CREATE INDEX citizen_hits_key ON citizen_hits(kind, key, at);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP,
    last_used_at TIMESTAMP
);
