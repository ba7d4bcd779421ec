-- Base data of the territory (人、地、事、物、组织): code tables, people and
-- households, houses and their occupants, organisations, city components,
-- special and key groups with their visits, thematic rosters, and import
-- jobs. Every record is bound to a grid, or — when its source did not know
-- the grid — to the unit that imported it, awaiting assignment (grid_code
-- NULL). unit_path is the path of the record's community (or importing
-- unit) and is what scope checks use. ID-card numbers and phones are kept
-- only encrypted (SM4-GCM, *_enc), found by keyed blind index (HMAC-SM3,
-- *_bidx) and shown masked (*_mask); the keys are never in the database.

CREATE TABLE code_tables (
    table_code TEXT NOT NULL,
    version    TEXT NOT NULL,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    parent     TEXT NOT NULL DEFAULT '',
    sort       INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (table_code, version, code)
);
CREATE TABLE code_table_versions (
    table_code TEXT PRIMARY KEY,
    version    TEXT NOT NULL,
    standard   TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    loaded_at  TIMESTAMP NOT NULL
);

CREATE TABLE people (
    id            INTEGER PRIMARY KEY,
    id_type       TEXT NOT NULL DEFAULT 'resident_id',
    id_enc        BLOB,
    id_bidx       BLOB UNIQUE,
    id_mask       TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    gender        TEXT NOT NULL DEFAULT '',
    birth_date    TEXT NOT NULL DEFAULT '',
    phone_enc     BLOB,
    phone_bidx    BLOB,
    phone_mask    TEXT NOT NULL DEFAULT '',
    nation        TEXT NOT NULL DEFAULT '',
    nationality   TEXT NOT NULL DEFAULT 'CHN',
    education     TEXT NOT NULL DEFAULT '',
    marital       TEXT NOT NULL DEFAULT '',
    political     TEXT NOT NULL DEFAULT '',
    person_type   TEXT NOT NULL DEFAULT 'registered',
    hukou_address TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    workplace     TEXT NOT NULL DEFAULT '',
    household_id  INTEGER,
    house_id      INTEGER,
    grid_code     TEXT REFERENCES grids(code),
    unit_code     TEXT NOT NULL REFERENCES org_units(code),
    unit_path     TEXT NOT NULL,
    key_group     INTEGER NOT NULL DEFAULT 0,
    extra         TEXT NOT NULL DEFAULT '{}',
    source        TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    source_ref    TEXT NOT NULL DEFAULT '',
    verified_at   TIMESTAMP,
    verified_by   INTEGER,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    deleted_at    TIMESTAMP
);
CREATE INDEX people_scope ON people(unit_path, id);
CREATE INDEX people_grid ON people(grid_code, id);
CREATE INDEX people_name ON people(name, id);
CREATE INDEX people_phone ON people(phone_bidx);
CREATE INDEX people_household ON people(household_id);
CREATE INDEX people_house ON people(house_id);

CREATE TABLE households (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'family',
    head_person_id INTEGER REFERENCES people(id),
    address        TEXT NOT NULL DEFAULT '',
    house_id       INTEGER,
    grid_code      TEXT REFERENCES grids(code),
    unit_code      TEXT NOT NULL REFERENCES org_units(code),
    unit_path      TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    verified_at    TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX households_scope ON households(unit_path, id);
CREATE UNIQUE INDEX households_number ON households(unit_code, number) WHERE number <> '';

CREATE TABLE household_members (
    household_id INTEGER NOT NULL REFERENCES households(id),
    person_id    INTEGER NOT NULL REFERENCES people(id),
    relation     TEXT NOT NULL,
    PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_person ON household_members(person_id);

CREATE TABLE houses (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL,
    building    TEXT NOT NULL DEFAULT '',
    entrance    TEXT NOT NULL DEFAULT '',
    room        TEXT NOT NULL DEFAULT '',
    house_use   TEXT NOT NULL DEFAULT 'residential',
    rented      INTEGER NOT NULL DEFAULT 0,
    area        REAL,
    owner_id    INTEGER REFERENCES people(id),
    lat         REAL,
    lng         REAL,
    grid_code   TEXT REFERENCES grids(code),
    unit_code   TEXT NOT NULL REFERENCES org_units(code),
    unit_path   TEXT NOT NULL,
    extra       TEXT NOT NULL DEFAULT '{}',
    source      TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    verified_at TIMESTAMP,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX houses_scope ON houses(unit_path, id);
CREATE INDEX houses_grid ON houses(grid_code, id);
CREATE INDEX houses_address ON houses(address);
CREATE UNIQUE INDEX houses_code ON houses(code) WHERE code <> '';

CREATE TABLE house_occupants (
    house_id  INTEGER NOT NULL REFERENCES houses(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    role      TEXT NOT NULL CHECK (role IN ('owner','tenant','resident')),
    started_on TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (house_id, person_id, role)
);
CREATE INDEX house_occupants_person ON house_occupants(person_id);

CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('enterprise','legal_entity','non_public','social')),
    name         TEXT NOT NULL,
    uscc         TEXT NOT NULL DEFAULT '',
    legal_rep    TEXT NOT NULL DEFAULT '',
    phone_enc    BLOB,
    phone_bidx   BLOB,
    phone_mask   TEXT NOT NULL DEFAULT '',
    industry     TEXT NOT NULL DEFAULT '',
    employees    INTEGER,
    address      TEXT NOT NULL DEFAULT '',
    house_id     INTEGER REFERENCES houses(id),
    lat          REAL,
    lng          REAL,
    grid_code    TEXT REFERENCES grids(code),
    unit_code    TEXT NOT NULL REFERENCES org_units(code),
    unit_path    TEXT NOT NULL,
    extra        TEXT NOT NULL DEFAULT '{}',
    source       TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    verified_at  TIMESTAMP,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX organisations_scope ON organisations(unit_path, id);
CREATE INDEX organisations_name ON organisations(name);
CREATE UNIQUE INDEX organisations_uscc ON organisations(uscc) WHERE uscc <> '';

CREATE TABLE components (
    id            INTEGER PRIMARY KEY,
    object_code   TEXT NOT NULL UNIQUE,
    category_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'intact',
    owner_dept    TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    lat           REAL,
    lng           REAL,
    grid_code     TEXT REFERENCES grids(code),
    unit_code     TEXT NOT NULL REFERENCES org_units(code),
    unit_path     TEXT NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    verified_at   TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX components_scope ON components(unit_path, id);
CREATE INDEX components_grid ON components(grid_code, id);

-- Membership of a person in a special group (shared from departments) or
-- a key group (重点人群), with the kind's own fields in attrs.
CREATE TABLE group_members (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    group_kind  TEXT NOT NULL,
    key_group   INTEGER NOT NULL DEFAULT 0,
    risk_level  TEXT NOT NULL DEFAULT '',
    attrs       TEXT NOT NULL DEFAULT '{}',
    started_on  TEXT NOT NULL DEFAULT '',
    ended_on    TEXT NOT NULL DEFAULT '',
    unit_path   TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('base','shared','own')),
    source_ref  TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,
    UNIQUE (person_id, group_kind)
);
CREATE INDEX group_members_scope ON group_members(group_kind, unit_path, person_id);

-- Follow-up visits (走访 / 帮扶) to people, households, houses or organisations.
CREATE TABLE visits (
    id          INTEGER PRIMARY KEY,
    object_type TEXT NOT NULL CHECK (object_type IN ('person','household','house','organisation')),
    object_id   INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('visit','assist','verify')),
    visited_at  TIMESTAMP NOT NULL,
    user_id     INTEGER,
    username    TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL DEFAULT '',
    attachments TEXT NOT NULL DEFAULT '[]',
    unit_path   TEXT NOT NULL,
    key_group   INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX visits_object ON visits(object_type, object_id, visited_at);
CREATE INDEX visits_scope ON visits(unit_path, visited_at);

-- Thematic rosters: service points, volunteers, community activists,
-- building heads (楼栋长) … linked to people, houses and grids.
CREATE TABLE roster_entries (
    id          INTEGER PRIMARY KEY,
    roster      TEXT NOT NULL,
    name        TEXT NOT NULL,
    person_id   INTEGER REFERENCES people(id),
    house_id    INTEGER REFERENCES houses(id),
    role        TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    lat         REAL,
    lng         REAL,
    grid_code   TEXT REFERENCES grids(code),
    unit_code   TEXT NOT NULL REFERENCES org_units(code),
    unit_path   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX roster_entries_scope ON roster_entries(roster, unit_path, id);

-- Bulk imports: one row per uploaded file, resumable from rows_done.
CREATE TABLE import_jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    unit_code    TEXT NOT NULL REFERENCES org_units(code),
    unit_path    TEXT NOT NULL,
    source       TEXT NOT NULL,
    mapping      TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('running','done','failed')),
    rows_total   INTEGER NOT NULL DEFAULT 0,
    rows_done    INTEGER NOT NULL DEFAULT 0,
    inserted     INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    unchanged    INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    failures     TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    user_id      INTEGER,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);
CREATE INDEX import_jobs_scope ON import_jobs(unit_path, id);
CREATE INDEX import_jobs_file ON import_jobs(sha256, unit_code, kind);

-- Cases that concern a person (as the party of a dispute, the subject of a
-- visit's finding …), linked from either side.
CREATE TABLE person_cases (
    person_id  INTEGER NOT NULL REFERENCES people(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    role       TEXT NOT NULL DEFAULT 'party',
    linked_by  INTEGER,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, case_id)
);
CREATE INDEX person_cases_case ON person_cases(case_id);
