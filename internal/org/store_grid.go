package org

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

// gridCols selects a grid with its unit's name and path and the number of
// staff responsible for it; %s is the boundary column or NULL for lists
// that do not need the polygons.
const gridCols = `g.id, g.code, g.name, g.level, g.unit_code, u.name, COALESCE(g.parent_grid_code, ''), %s,
	g.boundary_source, (SELECT count(*) FROM staff_grids sg WHERE sg.grid_code = g.code),
	g.created_at, g.updated_at, u.path`

const gridFrom = `grids g JOIN org_units u ON u.code = g.unit_code`

// gridRow is a grid with the path of its unit, which its scope follows.
type gridRow struct {
	Grid
	path string
}

func scanGrid(s scanner) (gridRow, error) {
	var r gridRow
	var boundary sql.NullString
	err := s.Scan(&r.ID, &r.Code, &r.Name, &r.Level, &r.UnitCode, &r.UnitName, &r.ParentGridCode, &boundary,
		&r.BoundarySource, &r.StaffCount, &r.CreatedAt, &r.UpdatedAt, &r.path)
	if boundary.Valid && boundary.String != "" {
		r.Boundary = json.RawMessage(boundary.String)
	}
	return r, err
}

// grid loads one grid with its boundary; a missing one is not_found.
func (st store) grid(ctx context.Context, code string) (gridRow, error) {
	r, err := scanGrid(st.db.QueryRow(ctx, `SELECT `+fmt.Sprintf(gridCols, "g.boundary")+` FROM `+gridFrom+
		` WHERE g.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return gridRow{}, apperr.NotFoundf("grid %s not found", code)
	}
	if err != nil {
		return gridRow{}, fmt.Errorf("load grid: %w", err)
	}
	return r, nil
}

// grids lists grids matching where (on aliases g and u), ordered by code.
func (st store) grids(ctx context.Context, where string, args []any, limit, offset int, boundary bool) ([]Grid, error) {
	col := "NULL"
	if boundary {
		col = "g.boundary"
	}
	args = append(args, limit, offset)
	rows, err := st.db.Query(ctx, `SELECT `+fmt.Sprintf(gridCols, col)+` FROM `+gridFrom+` WHERE `+where+
		` ORDER BY g.code LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list grids: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Grid, error) {
		r, err := scanGrid(sc)
		return r.Grid, err
	})
}

// gridsByCodes loads grids by code, with their boundaries when asked, in
// chunks small enough for either engine's parameter limit.
func (st store) gridsByCodes(ctx context.Context, codes []string, boundary bool) (map[string]gridRow, error) {
	const chunk = 500
	col := "NULL"
	if boundary {
		col = "g.boundary"
	}
	out := make(map[string]gridRow, len(codes))
	for len(codes) > 0 {
		n := min(chunk, len(codes))
		args := make([]any, n)
		for i, c := range codes[:n] {
			args[i] = c
		}
		codes = codes[n:]
		rows, err := st.db.Query(ctx, `SELECT `+fmt.Sprintf(gridCols, col)+` FROM `+gridFrom+
			` WHERE g.code IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("load grids: %w", err)
		}
		for rows.Next() {
			r, err := scanGrid(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[r.Code] = r
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// insertGrids inserts grids in multi-row statements; parents must be in
// an earlier call.
func (st store) insertGrids(ctx context.Context, gs []Grid) error {
	const chunk = 200
	for len(gs) > 0 {
		n := min(chunk, len(gs))
		args := make([]any, 0, 9*n)
		for _, g := range gs[:n] {
			args = append(args, g.Code, g.Name, g.Level, g.UnitCode, nullable(g.ParentGridCode),
				boundaryArg(g.Boundary), g.BoundarySource, g.CreatedAt, g.UpdatedAt)
		}
		gs = gs[n:]
		if _, err := st.db.Exec(ctx, `INSERT INTO grids (code, name, level, unit_code, parent_grid_code, boundary,
			boundary_source, created_at, updated_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

func boundaryArg(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func (st store) insertGrid(ctx context.Context, g Grid) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO grids (code, name, level, unit_code, parent_grid_code, boundary,
		boundary_source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		g.Code, g.Name, g.Level, g.UnitCode, nullable(g.ParentGridCode), boundaryArg(g.Boundary),
		g.BoundarySource, g.CreatedAt, g.UpdatedAt).Scan(&id)
	return id, err
}

func (st store) updateGrid(ctx context.Context, g Grid) error {
	_, err := st.db.Exec(ctx, `UPDATE grids SET name = ?, parent_grid_code = ?, boundary = ?, boundary_source = ?,
		updated_at = ? WHERE code = ?`,
		g.Name, nullable(g.ParentGridCode), boundaryArg(g.Boundary), g.BoundarySource, g.UpdatedAt, g.Code)
	return err
}

// childGrids counts the grids whose parent is code.
func (st store) childGrids(ctx context.Context, code string) (int, error) {
	return st.count(ctx, "grids", "parent_grid_code = ?", []any{code})
}

func (st store) deleteGrid(ctx context.Context, code string) error {
	_, err := st.db.Exec(ctx, `DELETE FROM grids WHERE code = ?`, code)
	return err
}
