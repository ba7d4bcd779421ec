package org

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

// GridShapes returns every grid that has a boundary, without permission
// checks: the spatial index answers for all callers, who check scope on
// what it finds.
func (s *Service) GridShapes(ctx context.Context) ([]geo.GridShape, error) {
	rows, err := s.db.Query(ctx, `SELECT code, unit_code, level, boundary FROM grids
		WHERE boundary IS NOT NULL AND boundary <> '' ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("grid shapes: %w", err)
	}
	defer rows.Close()
	var out []geo.GridShape
	for rows.Next() {
		var g geo.GridShape
		var b string
		if err := rows.Scan(&g.Code, &g.UnitCode, &g.Level, &b); err != nil {
			return nil, err
		}
		g.Geometry = json.RawMessage(b)
		out = append(out, g)
	}
	return out, rows.Err()
}

// GridsVersion is a cheap fingerprint of the grid table (count and latest
// change) that tells a cache of grid shapes when to rebuild.
func (s *Service) GridsVersion(ctx context.Context) (string, error) {
	var n int
	// max() loses the column type on SQLite (text) but not on PostgreSQL
	// (a time): either prints as a usable fingerprint.
	var latest any
	if err := s.db.QueryRow(ctx, `SELECT count(*), max(updated_at) FROM grids`).Scan(&n, &latest); err != nil {
		return "", fmt.Errorf("grids version: %w", err)
	}
	if t, ok := latest.(time.Time); ok {
		latest = t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%d/%v", n, latest), nil
}

// WriteUnitBoundary stores a unit's boundary (a GeoJSON geometry already
// checked by geo.Validate; empty removes it) and where it came from. It
// checks nothing and audits nothing: atlas, which validates, authorises
// and audits a boundary change, and the demo seeder call it.
func (s *Service) WriteUnitBoundary(ctx context.Context, code string, boundary json.RawMessage, source string) error {
	var arg any
	if len(boundary) > 0 {
		arg = string(boundary)
	}
	res, err := s.db.Exec(ctx, `UPDATE org_units SET boundary = ?, boundary_source = ?, updated_at = ? WHERE code = ?`,
		arg, source, s.now(), code)
	if err != nil {
		return fmt.Errorf("update unit boundary: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return apperr.NotFoundf("unit %s not found", code)
	}
	return nil
}
