-- Who looked at a person (PRIV-5) and anomalous access (PRIV-11).
-- person_access has one row per person disclosed to a user: a detail
-- view, a hit of an exact identifier search, a special- or key-group
-- member shown in a list, an unmasking, an export row, an API disclosure. It is not
-- chained like audit_log (an export writes up to 100,000 rows at once);
-- ref ties the rows of one act to its audit entry or export request.
-- identifier_lookups counts exact ID-card/phone searches per user, hits
-- or misses, for the hourly limit. security_alerts are raised when a user
-- passes a limit; auditors acknowledge them.
CREATE TABLE person_access (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL,
    user_id   INTEGER,
    username  TEXT NOT NULL DEFAULT '',
    unit_code TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL CHECK (action IN ('view','search_hit','list','unmask','export','disclose','print')),
    ref       TEXT NOT NULL DEFAULT '',
    at        TIMESTAMP NOT NULL
);
CREATE INDEX person_access_person ON person_access(person_id, id);
CREATE INDEX person_access_user ON person_access(user_id, at);
CREATE INDEX person_access_at ON person_access(at);

CREATE TABLE identifier_lookups (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    field   TEXT NOT NULL CHECK (field IN ('id_number','phone')),
    hits    INTEGER NOT NULL DEFAULT 0,
    at      TIMESTAMP NOT NULL
);
CREATE INDEX identifier_lookups_user ON identifier_lookups(user_id, at);

CREATE TABLE security_alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    user_id         INTEGER,
    username        TEXT NOT NULL DEFAULT '',
    unit_code       TEXT NOT NULL DEFAULT '',
    unit_path       TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '{}',
    raised_at       TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by INTEGER,
    ack_note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_alerts_open ON security_alerts(acknowledged_at, id);
CREATE INDEX security_alerts_user ON security_alerts(user_id, kind, raised_at);
