-- Export requests (PRIV-4, PRIV-10): an export of more people than the
-- approval threshold waits for a second person's approval. The filter is
-- kept as JSON (never an ID number or phone) and re-evaluated under the
-- requester's scope at download; row_count is the count at request time.
-- unit_path is the requester's unit, over which the approver needs
-- registry.export_approve. An approval is valid until expires_at and is
-- downloaded once.
CREATE TABLE registry_exports (
    id                 INTEGER PRIMARY KEY,
    requested_by       INTEGER NOT NULL,
    requested_username TEXT NOT NULL DEFAULT '',
    unit_code          TEXT NOT NULL DEFAULT '',
    unit_path          TEXT NOT NULL DEFAULT '',
    filter             TEXT NOT NULL DEFAULT '{}',
    format             TEXT NOT NULL CHECK (format IN ('csv','xlsx')),
    row_count          INTEGER NOT NULL,
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending','approved','rejected','downloaded','expired')),
    decided_by         INTEGER,
    decided_username   TEXT NOT NULL DEFAULT '',
    decided_at         TIMESTAMP,
    decision_note      TEXT NOT NULL DEFAULT '',
    expires_at         TIMESTAMP,
    downloaded_at      TIMESTAMP,
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX registry_exports_requester ON registry_exports(requested_by, id);
CREATE INDEX registry_exports_status ON registry_exports(status, unit_path);
