package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The outline readers below answer the map module (geo/atlas), which
// checks permissions itself: they read boundaries without permission
// checks, inside or outside a transaction.

// UnitOutline is an org unit with its stored boundary (GeoJSON, WGS84).
type UnitOutline struct {
	Code, Name, Level, Kind string
	ParentCode, Path        string
	Boundary                json.RawMessage // nil when none
	BoundarySource          string
}

// OutlineFilter selects units for UnitOutlines. A nil Scope means every unit.
type OutlineFilter struct {
	Scope         *rbac.Scope // units whose path lies in it
	TerritoryOnly bool
	WithBoundary  bool   // only units that have one
	Level         string // "" any
	Parent        string // direct children of this unit; "" any
}

const outlineCols = `code, name, level, kind, parent_code, path, boundary, boundary_source`

func scanOutline(sc scanner) (UnitOutline, error) {
	var u UnitOutline
	var parent, b sql.NullString
	if err := sc.Scan(&u.Code, &u.Name, &u.Level, &u.Kind, &parent, &u.Path, &b, &u.BoundarySource); err != nil {
		return u, err
	}
	u.ParentCode = parent.String
	if b.String != "" {
		u.Boundary = json.RawMessage(b.String)
	}
	return u, nil
}

// UnitOutline returns one unit with its boundary; a missing one is not_found.
func (s *Service) UnitOutline(ctx context.Context, code string) (UnitOutline, error) {
	u, err := scanOutline(s.db.QueryRow(ctx, `SELECT `+outlineCols+` FROM org_units WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundf("unit %s not found", code)
	} else if err != nil {
		return u, fmt.Errorf("unit %s: %w", code, err)
	}
	return u, nil
}

// UnitOutlines lists the units f selects with their boundaries, by path.
func (s *Service) UnitOutlines(ctx context.Context, f OutlineFilter) ([]UnitOutline, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Scope != nil {
		cond, a := f.Scope.SQL("path")
		where, args = append(where, cond), append(args, a...)
	}
	if f.TerritoryOnly {
		where = append(where, "kind = 'territory'")
	}
	if f.WithBoundary {
		where = append(where, "boundary IS NOT NULL AND boundary <> ''")
	}
	if f.Level != "" {
		where, args = append(where, "level = ?"), append(args, f.Level)
	}
	if f.Parent != "" {
		where, args = append(where, "parent_code = ?"), append(args, f.Parent)
	}
	rows, err := s.db.Query(ctx, `SELECT `+outlineCols+` FROM org_units WHERE `+strings.Join(where, " AND ")+
		` ORDER BY path`, args...)
	if err != nil {
		return nil, fmt.Errorf("unit outlines: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (UnitOutline, error) { return scanOutline(sc) })
}

// UnitsVersion is a cheap fingerprint of the unit table (count and latest
// change) that tells a cache built on units when to rebuild.
func (s *Service) UnitsVersion(ctx context.Context) (string, error) {
	var n int
	var latest any
	if err := s.db.QueryRow(ctx, `SELECT count(*), max(updated_at) FROM org_units`).Scan(&n, &latest); err != nil {
		return "", fmt.Errorf("units version: %w", err)
	}
	if t, ok := latest.(time.Time); ok {
		latest = t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%d/%v", n, latest), nil
}

// GridOutline is a grid with its stored boundary and its unit.
type GridOutline struct {
	Code, Name         string
	Level              int
	UnitCode, UnitName string
	UnitPath           string
	ParentGrid         string
	Boundary           json.RawMessage // nil when none
}

// GridOutlineFilter selects grids for GridOutlines. A nil Scope means every grid.
type GridOutlineFilter struct {
	Scope        *rbac.Scope // grids whose unit's path lies in it
	Under        string      // grids of units at or below this path; "" any
	UnitCode     string      // grids of this unit only
	Level        int         // 0 any
	Codes        []string    // these grids only (nil: no restriction)
	WithBoundary bool
	// NoGeometry leaves Boundary empty (a list that reads the boundaries
	// of one page only).
	NoGeometry bool
}

// GridOutlines lists the grids f selects, by code.
func (s *Service) GridOutlines(ctx context.Context, f GridOutlineFilter) ([]GridOutline, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Scope != nil {
		cond, a := f.Scope.SQL("u.path")
		where, args = append(where, cond), append(args, a...)
	}
	if f.Under != "" {
		where, args = append(where, "u.path LIKE ?"), append(args, f.Under+"%")
	}
	if f.UnitCode != "" {
		where, args = append(where, "g.unit_code = ?"), append(args, f.UnitCode)
	}
	if f.Level != 0 {
		where, args = append(where, "g.level = ?"), append(args, f.Level)
	}
	if f.Codes != nil {
		if len(f.Codes) == 0 {
			return []GridOutline{}, nil
		}
		where = append(where, "g.code IN ("+placeholders(len(f.Codes))+")")
		for _, c := range f.Codes {
			args = append(args, c)
		}
	}
	if f.WithBoundary {
		where = append(where, "g.boundary IS NOT NULL AND g.boundary <> ''")
	}
	geom := "g.boundary"
	if f.NoGeometry {
		geom = "NULL"
	}
	rows, err := s.db.Query(ctx, `SELECT g.code, g.name, g.level, g.unit_code, u.name, u.path,
		COALESCE(g.parent_grid_code, ''), `+geom+` FROM grids g JOIN org_units u ON u.code = g.unit_code
		WHERE `+strings.Join(where, " AND ")+` ORDER BY g.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("grid outlines: %w", err)
	}
	defer rows.Close()
	out := []GridOutline{}
	for rows.Next() {
		var g GridOutline
		var b sql.NullString
		if err := rows.Scan(&g.Code, &g.Name, &g.Level, &g.UnitCode, &g.UnitName, &g.UnitPath, &g.ParentGrid, &b); err != nil {
			return nil, err
		}
		if b.String != "" {
			g.Boundary = json.RawMessage(b.String)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GridWorker is an active staff member responsible for a grid.
type GridWorker struct {
	Grid, Name, Team string
}

// GridWorkers lists the active staff of the given grids, by name.
func (s *Service) GridWorkers(ctx context.Context, grids []string) ([]GridWorker, error) {
	if len(grids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(grids)+1)
	for _, g := range grids {
		args = append(args, g)
	}
	rows, err := s.db.Query(ctx, `SELECT sg.grid_code, s.name, s.team FROM staff_grids sg JOIN staff s ON s.id = sg.staff_id
		WHERE sg.grid_code IN (`+placeholders(len(grids))+`) AND s.active = ? ORDER BY s.name, s.id`, append(args, true)...)
	if err != nil {
		return nil, fmt.Errorf("grid staff: %w", err)
	}
	defer rows.Close()
	var out []GridWorker
	for rows.Next() {
		var w GridWorker
		if err := rows.Scan(&w.Grid, &w.Name, &w.Team); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// GridExists reports whether a grid exists.
func (s *Service) GridExists(ctx context.Context, code string) (bool, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM grids WHERE code = ?`, code).Scan(&n); err != nil {
		return false, fmt.Errorf("grid: %w", err)
	}
	return n > 0, nil
}

// StaffExists reports whether a staff member with this id (as text) exists.
func (s *Service) StaffExists(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM staff WHERE CAST(id AS TEXT) = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	return n > 0, nil
}
