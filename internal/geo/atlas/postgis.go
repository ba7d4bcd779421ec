package atlas

import (
	"context"
	"fmt"
	"gridgov/internal/org"
	"log/slog"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
)

// setupPostGIS enables PostGIS (in schema public, so that dropping an
// application schema never drops the extension other schemas use) and
// creates grid_geoms, the trigger that keeps it in step with grids, and
// gridgov_locate in the current schema, then fills grid_geoms. It returns
// false, logging why, when the extension cannot be had.
func (s *Service) setupPostGIS(ctx context.Context) (bool, error) {
	var ext string
	if _, err := s.db.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public`); err != nil {
		// Another process creating it at the same moment loses a race on
		// the catalogue; it is there all the same. Otherwise it is missing
		// or needs rights this user lacks.
		var n int
		if e := s.db.QueryRow(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'postgis'`).Scan(&n); e != nil || n == 0 {
			slog.Info("PostGIS not available; point → grid stays in memory", "reason", err.Error())
			return false, nil
		}
	}
	if err := s.db.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'postgis'`).Scan(&ext); err != nil {
		return false, fmt.Errorf("postgis schema: %w", err)
	}
	var schema string
	if err := s.db.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return false, fmt.Errorf("current schema: %w", err)
	}
	path := quoteIdent(schema) + ", " + quoteIdent(ext)
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS grid_geoms (
			code TEXT PRIMARY KEY,
			level INTEGER NOT NULL,
			unit_code TEXT NOT NULL,
			geom ` + quoteIdent(ext) + `.geometry(MultiPolygon, 4326) NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS grid_geoms_geom ON grid_geoms USING GIST (geom)`,
		`CREATE OR REPLACE FUNCTION gridgov_grid_geom_sync() RETURNS trigger LANGUAGE plpgsql
			SET search_path = ` + path + ` AS $$
		BEGIN
			IF TG_OP IN ('UPDATE', 'DELETE') THEN
				DELETE FROM grid_geoms WHERE code = OLD.code;
			END IF;
			IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.boundary IS NOT NULL AND NEW.boundary <> '' THEN
				BEGIN
					INSERT INTO grid_geoms (code, level, unit_code, geom)
					VALUES (NEW.code, NEW.level, NEW.unit_code, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(NEW.boundary), 4326)));
				EXCEPTION WHEN others THEN
					-- A boundary PostGIS cannot read must not block the grid
					-- write: the in-memory index still answers for it.
					RAISE WARNING 'grid_geoms: grid % left out: %', NEW.code, SQLERRM;
				END;
			END IF;
			IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
			RETURN NEW;
		END $$`,
		`DROP TRIGGER IF EXISTS grids_geom_sync ON grids`,
		`CREATE TRIGGER grids_geom_sync AFTER INSERT OR UPDATE OR DELETE ON grids
			FOR EACH ROW EXECUTE FUNCTION gridgov_grid_geom_sync()`,
		`CREATE OR REPLACE FUNCTION gridgov_locate(lat double precision, lng double precision)
			RETURNS TABLE(grid_code text, unit_code text) LANGUAGE sql STABLE
			SET search_path = ` + path + ` AS $$
			SELECT g.code, g.unit_code FROM grid_geoms g
			WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(lng, lat), 4326))
			ORDER BY g.level DESC, g.code LIMIT 1
		$$`,
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, q := range stmts {
			if _, err := s.db.Exec(ctx, q); err != nil {
				return fmt.Errorf("postgis setup: %w", err)
			}
		}
		return s.refreshGridGeoms(ctx)
	})
	return err == nil, err
}

// refreshGridGeoms rebuilds grid_geoms from grids.
func (s *Service) refreshGridGeoms(ctx context.Context) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `DELETE FROM grid_geoms`); err != nil {
			return fmt.Errorf("clear grid_geoms: %w", err)
		}
		var ext string
		if err := s.db.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
			WHERE e.extname = 'postgis'`).Scan(&ext); err != nil {
			return fmt.Errorf("postgis schema: %w", err)
		}
		x := quoteIdent(ext) + "."
		grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{WithBoundary: true})
		if err != nil {
			return fmt.Errorf("fill grid_geoms: %w", err)
		}
		for _, g := range grids {
			if _, err := s.db.Exec(ctx, `INSERT INTO grid_geoms (code, level, unit_code, geom)
				VALUES (?, ?, ?, `+x+`ST_Multi(`+x+`ST_SetSRID(`+x+`ST_GeomFromGeoJSON(?), 4326)))`,
				g.Code, g.Level, g.UnitCode, string(g.Boundary)); err != nil {
				return fmt.Errorf("fill grid_geoms: %w", err)
			}
		}
		return nil
	})
}

// RefreshPostGIS rebuilds grid_geoms from the grids (grid.write anywhere);
// the trigger keeps it in step, so this is for repair after a restore.
func (s *Service) RefreshPostGIS(ctx context.Context) error {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return err
	}
	if !s.PostGIS() {
		return apperr.New(apperr.Conflict, "PostGIS is not available on this database")
	}
	return s.refreshGridGeoms(ctx)
}

// PostGISStatus describes the PostGIS support of the database.
type PostGISStatus struct {
	Engine    string `json:"engine"`
	Available bool   `json:"available"`
	Version   string `json:"version,omitempty"`
	Grids     int    `json:"grids"` // rows in grid_geoms
}

// PostGISStatus reports whether PostGIS answers and how many grids it holds
// (any logged-in user with grid.read).
func (s *Service) PostGISStatus(ctx context.Context) (PostGISStatus, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return PostGISStatus{}, err
	}
	st := PostGISStatus{Engine: string(s.db.Dialect), Available: s.PostGIS()}
	if !st.Available {
		return st, nil
	}
	if err := s.db.QueryRow(ctx, `SELECT extversion FROM pg_extension WHERE extname = 'postgis'`).Scan(&st.Version); err != nil {
		return st, fmt.Errorf("postgis version: %w", err)
	}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM grid_geoms`).Scan(&st.Grids); err != nil {
		return st, fmt.Errorf("grid_geoms: %w", err)
	}
	return st, nil
}

// LocateSQL answers point → grid with gridgov_locate (PostGIS only), for
// comparison with the in-memory index and for SQL reports.
func (s *Service) LocateSQL(ctx context.Context, lat, lng float64) (Located, bool, error) {
	if !s.PostGIS() {
		return Located{}, false, apperr.New(apperr.Conflict, "PostGIS is not available on this database")
	}
	rows, err := s.db.Query(ctx, `SELECT grid_code, unit_code FROM gridgov_locate(?, ?)`, lat, lng)
	if err != nil {
		return Located{}, false, fmt.Errorf("gridgov_locate: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return Located{}, false, rows.Err()
	}
	var l Located
	err = rows.Scan(&l.GridCode, &l.UnitCode)
	return l, err == nil, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
