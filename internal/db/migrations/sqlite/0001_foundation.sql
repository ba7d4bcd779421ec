-- Platform foundation: organisation, grids, staff, accounts, sessions, audit.

CREATE TABLE org_units (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('city','district','street','community')),
    kind        TEXT NOT NULL CHECK (kind IN ('territory','department','office')),
    parent_code TEXT REFERENCES org_units(code),
    path        TEXT NOT NULL UNIQUE,
    sort        INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX org_units_parent ON org_units(parent_code, kind, sort, code);
CREATE INDEX org_units_level ON org_units(level, kind);

CREATE TABLE grids (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    level            INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    unit_code        TEXT NOT NULL REFERENCES org_units(code),
    parent_grid_code TEXT REFERENCES grids(code),
    boundary         TEXT,
    boundary_source  TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX grids_unit ON grids(unit_code, level, code);

CREATE TABLE staff (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    position   TEXT NOT NULL DEFAULT '',
    unit_code  TEXT NOT NULL REFERENCES org_units(code),
    team       TEXT NOT NULL DEFAULT '' CHECK (team IN ('','deployed','masswork','grid_leader')),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_unit ON staff(unit_code, name);

CREATE TABLE staff_grids (
    staff_id  INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    grid_code TEXT NOT NULL REFERENCES grids(code) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, grid_code)
);
CREATE INDEX staff_grids_grid ON staff_grids(grid_code);

CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL DEFAULT '',
    builtin     INTEGER NOT NULL DEFAULT 0,
    permissions TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL DEFAULT '',
    staff_id            INTEGER REFERENCES staff(id),
    unit_code           TEXT NOT NULL REFERENCES org_units(code),
    password_hash       TEXT NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX users_unit ON users(unit_code);

CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id    INTEGER NOT NULL REFERENCES roles(id),
    scope_code TEXT NOT NULL REFERENCES org_units(code),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, role_id, scope_code)
);
CREATE INDEX grants_role ON grants(role_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('web','api')),
    csrf_token   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL DEFAULT '',
    at       TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE login_locks (
    username     TEXT PRIMARY KEY,
    locked_until TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    ts          TIMESTAMP NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL DEFAULT '',
    unit_code   TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT 'success',
    detail      TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_ts ON audit_log(ts);
CREATE INDEX audit_log_user ON audit_log(username, seq);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);

-- The head of the chain, so that deleting the newest rows is caught too.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
