-- Boundaries of org units (GeoJSON geometry, like grids.boundary) and
-- geofences: areas (GeoJSON Polygon/MultiPolygon) or circles (centre and
-- radius), bound to a staff member or a grid, scoped by the unit that owns
-- them. PostGIS tables are created at service start, not here, since the
-- extension may be missing.
ALTER TABLE org_units ADD COLUMN boundary TEXT;
ALTER TABLE org_units ADD COLUMN boundary_source TEXT NOT NULL DEFAULT '';

CREATE TABLE geofences (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('polygon','circle')),
    geometry    TEXT,
    lat         REAL,
    lng         REAL,
    radius_m    REAL,
    bound_to    TEXT NOT NULL DEFAULT '' CHECK (bound_to IN ('','staff','grid')),
    bound_ref   TEXT NOT NULL DEFAULT '',
    unit_code   TEXT NOT NULL REFERENCES org_units(code),
    unit_path   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX geofences_path ON geofences(unit_path);
CREATE INDEX geofences_bound ON geofences(bound_to, bound_ref);
