package atlas

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the atlas's own tables (geofences; grid_geoms and
// gridgov_locate are PostGIS's, in postgis.go). Units and grids are org's:
// the atlas reads and writes them through org.Service.
type store struct{ db *db.DB }

const fenceCols = `id, name, kind, geometry, lat, lng, radius_m, bound_to, bound_ref, unit_code, unit_path, active,
	version, created_by, created_at, updated_at`

func scanFence(sc interface{ Scan(...any) error }) (Fence, error) {
	var f Fence
	var g sql.NullString
	var lat, lng, r sql.NullFloat64
	err := sc.Scan(&f.ID, &f.Name, &f.Kind, &g, &lat, &lng, &r, &f.BoundTo, &f.BoundRef, &f.UnitCode, &f.path,
		&f.Active, &f.Version, &f.CreatedBy, &f.CreatedAt, &f.UpdatedAt)
	if g.String != "" {
		f.Geometry = json.RawMessage(g.String)
	}
	f.Lat, f.Lng, f.RadiusM = lat.Float64, lng.Float64, r.Float64
	return f, err
}

// insertFence stores a new fence (version 1) and returns its id.
func (st store) insertFence(ctx context.Context, f Fence) (int64, error) {
	var id int64
	circle := f.Kind == FenceCircle
	err := st.db.QueryRow(ctx, `INSERT INTO geofences (name, kind, geometry, lat, lng, radius_m, bound_to, bound_ref,
		unit_code, unit_path, active, version, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id`,
		f.Name, f.Kind, nullText(f.Geometry), nullNum(circle, f.Lat), nullNum(circle, f.Lng),
		nullNum(circle, f.RadiusM), f.BoundTo, f.BoundRef, f.UnitCode, f.path, f.Active,
		f.CreatedBy, f.CreatedAt, f.UpdatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert fence: %w", err)
	}
	return id, nil
}

// updateFence stores a fence's changed shape, name, state and version.
func (st store) updateFence(ctx context.Context, f Fence) error {
	circle := f.Kind == FenceCircle
	if _, err := st.db.Exec(ctx, `UPDATE geofences SET name = ?, geometry = ?, lat = ?, lng = ?, radius_m = ?, active = ?,
		version = ?, updated_at = ? WHERE id = ?`, f.Name, nullText(f.Geometry), nullNum(circle, f.Lat),
		nullNum(circle, f.Lng), nullNum(circle, f.RadiusM), f.Active, f.Version, f.UpdatedAt, f.ID); err != nil {
		return fmt.Errorf("update fence: %w", err)
	}
	return nil
}

func (st store) deleteFence(ctx context.Context, id int64) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM geofences WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete fence: %w", err)
	}
	return nil
}

// fence reads a fence by id; a missing one is not_found.
func (st store) fence(ctx context.Context, id int64) (Fence, error) {
	f, err := scanFence(st.db.QueryRow(ctx, `SELECT `+fenceCols+` FROM geofences WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return f, apperr.NotFoundf("geofence %d not found", id)
	}
	return f, err
}

// fences lists the fences matching the conditions, by id.
func (st store) fences(ctx context.Context, where []string, args []any) ([]Fence, error) {
	rows, err := st.db.Query(ctx, `SELECT `+fenceCols+` FROM geofences WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("fences: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Fence, error) { return scanFence(sc) })
}

// fencesVersion is a fingerprint of the fence table (count, versions,
// latest change) that tells the fence set when to rebuild.
func (st store) fencesVersion(ctx context.Context) (string, error) {
	var n, sum int64
	var latest any
	if err := st.db.QueryRow(ctx, `SELECT count(*), COALESCE(sum(version), 0), max(updated_at) FROM geofences`).Scan(&n, &sum, &latest); err != nil {
		return "", fmt.Errorf("fences version: %w", err)
	}
	return fmt.Sprint(n, "/", sum, "/", latest), nil
}
