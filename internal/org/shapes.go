package org

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
