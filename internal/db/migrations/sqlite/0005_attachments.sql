-- Attachments: the record of each stored file (photo, voice, video,
-- document). The bytes live in the blob store under blob_key (and the
-- thumbnail under thumb_key). uploaded_by and unit_code are kept without
-- foreign keys, like the audit log: a file outlives its uploader's account
-- and must not block changes to the org tree.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    blob_key     TEXT NOT NULL UNIQUE,
    thumb_key    TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('image','audio','video','document')),
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    purpose      TEXT NOT NULL DEFAULT '',
    uploaded_by  INTEGER,
    unit_code    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX attachments_uploader ON attachments(uploaded_by, id);
CREATE INDEX attachments_unit ON attachments(unit_code, id);
CREATE INDEX attachments_sha256 ON attachments(sha256);
