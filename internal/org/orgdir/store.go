package orgdir

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

const unitCols = `code, name, level, kind, COALESCE(parent_code, ''), path`

type scanner interface{ Scan(...any) error }

func scanUnit(s scanner, extra ...any) (Unit, error) {
	var u Unit
	err := s.Scan(append([]any{&u.Code, &u.Name, &u.Level, &u.Kind, &u.Parent, &u.Path}, extra...)...)
	return u, err
}

// Unit returns the unit with code; ok is false when there is none.
func (d Directory) Unit(ctx context.Context, code string) (Unit, bool, error) {
	return d.one(ctx, `SELECT `+unitCols+` FROM org_units WHERE code = ?`, code)
}

// UnitByPath returns the unit at path; ok is false when there is none.
func (d Directory) UnitByPath(ctx context.Context, path string) (Unit, bool, error) {
	return d.one(ctx, `SELECT `+unitCols+` FROM org_units WHERE path = ?`, path)
}

// UnitPath returns the path of the unit with code; ok is false when there
// is none.
func (d Directory) UnitPath(ctx context.Context, code string) (string, bool, error) {
	u, ok, err := d.Unit(ctx, code)
	return u.Path, ok, err
}

// FirstRoot returns the root unit with the smallest code; ok is false when
// the tree is empty.
func (d Directory) FirstRoot(ctx context.Context) (Unit, bool, error) {
	return d.one(ctx, `SELECT `+unitCols+` FROM org_units WHERE parent_code IS NULL ORDER BY code LIMIT 1`)
}

// Roots returns the root units, by code.
func (d Directory) Roots(ctx context.Context) ([]Unit, error) {
	return d.many(ctx, `SELECT `+unitCols+` FROM org_units WHERE parent_code IS NULL ORDER BY code`)
}

// UnitsWhere returns the units of the given levels or kinds, by code; an
// empty list matches nothing.
func (d Directory) UnitsWhere(ctx context.Context, levels, kinds []string) ([]Unit, error) {
	var cond []string
	var args []any
	if len(levels) > 0 {
		cond = append(cond, "level IN ("+marks(len(levels))+")")
		args = appendStrings(args, levels)
	}
	if len(kinds) > 0 {
		cond = append(cond, "kind IN ("+marks(len(kinds))+")")
		args = appendStrings(args, kinds)
	}
	if len(cond) == 0 {
		return nil, nil
	}
	return d.many(ctx, `SELECT `+unitCols+` FROM org_units WHERE `+strings.Join(cond, " OR ")+` ORDER BY code`, args...)
}

// Empty reports whether there is no unit at all.
func (d Directory) Empty(ctx context.Context) (bool, error) {
	var one int
	err := d.db.QueryRow(ctx, `SELECT 1 FROM org_units LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, err
}

// GridUnit returns the unit a grid belongs to; ok is false when there is no
// such grid.
func (d Directory) GridUnit(ctx context.Context, grid string) (Unit, bool, error) {
	return d.one(ctx, `SELECT u.code, u.name, u.level, u.kind, COALESCE(u.parent_code, ''), u.path
		FROM grids g JOIN org_units u ON u.code = g.unit_code WHERE g.code = ?`, grid)
}

// GridUnits returns every grid with its unit, by grid code.
func (d Directory) GridUnits(ctx context.Context) ([]GridUnit, error) {
	rows, err := d.db.Query(ctx, `SELECT u.code, u.name, u.level, u.kind, COALESCE(u.parent_code, ''), u.path, g.code, g.level
		FROM grids g JOIN org_units u ON u.code = g.unit_code ORDER BY g.code`)
	if err != nil {
		return nil, fmt.Errorf("grid units: %w", err)
	}
	defer rows.Close()
	var out []GridUnit
	for rows.Next() {
		var g GridUnit
		u, err := scanUnit(rows, &g.Grid, &g.Level)
		if err != nil {
			return nil, err
		}
		g.Unit = u
		out = append(out, g)
	}
	return out, rows.Err()
}

// StaffPath returns the path of a staff member's unit; ok is false when
// there is no such staff member.
func (d Directory) StaffPath(ctx context.Context, id int64) (string, bool, error) {
	var p string
	err := d.db.QueryRow(ctx, `SELECT o.path FROM staff s JOIN org_units o ON o.code = s.unit_code
		WHERE s.id = ?`, id).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return p, err == nil, err
}

// StaffName returns a staff member's name ("" when there is none).
func (d Directory) StaffName(ctx context.Context, id int64) (string, error) {
	var n string
	err := d.db.QueryRow(ctx, `SELECT name FROM staff WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return n, err
}

func (d Directory) one(ctx context.Context, q string, args ...any) (Unit, bool, error) {
	u, err := scanUnit(d.db.QueryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, false, nil
	}
	if err != nil {
		return Unit{}, false, fmt.Errorf("org unit: %w", err)
	}
	return u, true, nil
}

func (d Directory) many(ctx context.Context, q string, args ...any) ([]Unit, error) {
	rows, err := d.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("org units: %w", err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func appendStrings(args []any, ss []string) []any {
	for _, s := range ss {
		args = append(args, s)
	}
	return args
}

// SoleGrid returns the only grid a staff member is responsible for, or ""
// when there are none or several (or staffID is 0).
func (d Directory) SoleGrid(ctx context.Context, staffID int64) (string, error) {
	if staffID == 0 {
		return "", nil
	}
	rows, err := d.db.Query(ctx, `SELECT grid_code FROM staff_grids WHERE staff_id = ? LIMIT 2`, staffID)
	if err != nil {
		return "", fmt.Errorf("staff grids: %w", err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		codes = append(codes, c)
	}
	if err := rows.Err(); err != nil || len(codes) != 1 {
		return "", err
	}
	return codes[0], nil
}

// StaffExists reports whether a staff member exists.
func (d Directory) StaffExists(ctx context.Context, id int64) (bool, error) {
	var n int
	if err := d.db.QueryRow(ctx, `SELECT count(*) FROM staff WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("staff: %w", err)
	}
	return n > 0, nil
}
