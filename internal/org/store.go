package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"gridgov/internal/auth/authdir"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the org module; it decides nothing.
type store struct{ db *db.DB }

type scanner interface{ Scan(...any) error }

// unitCols selects a unit with the number of its direct children; the
// correlated count uses the (parent_code, …) index and runs only for the
// rows returned.
const unitCols = `u.code, u.name, u.level, u.kind, COALESCE(u.parent_code, ''), u.path, u.sort,
	u.created_at, u.updated_at, (SELECT count(*) FROM org_units c WHERE c.parent_code = u.code)`

func scanUnit(s scanner) (Unit, error) {
	var u Unit
	err := s.Scan(&u.Code, &u.Name, &u.Level, &u.Kind, &u.ParentCode, &u.Path, &u.Sort,
		&u.CreatedAt, &u.UpdatedAt, &u.ChildCount)
	return u, err
}

// unit loads one unit; a missing one is not_found.
func (st store) unit(ctx context.Context, code string) (Unit, error) {
	u, err := scanUnit(st.db.QueryRow(ctx, `SELECT `+unitCols+` FROM org_units u WHERE u.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return Unit{}, apperr.NotFoundf("unit %s not found", code)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("load unit: %w", err)
	}
	return u, nil
}

// unitPath returns a unit's path; a missing one is not_found.
func (st store) unitPath(ctx context.Context, code string) (string, error) {
	var p string
	err := st.db.QueryRow(ctx, `SELECT path FROM org_units WHERE code = ?`, code).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("unit %s not found", code)
	}
	if err != nil {
		return "", fmt.Errorf("unit path: %w", err)
	}
	return p, nil
}

// levelCounts counts territory units per level at or below path; with
// strict set the unit at path itself is left out. One grouped query over
// the path prefix index.
func (st store) levelCounts(ctx context.Context, path string, strict bool) (map[Level]int, error) {
	q := `SELECT level, count(*) FROM org_units WHERE path LIKE ? AND kind = 'territory'`
	args := []any{path + "%"}
	if strict {
		q += ` AND path <> ?`
		args = append(args, path)
	}
	rows, err := st.db.Query(ctx, q+` GROUP BY level`, args...)
	if err != nil {
		return nil, fmt.Errorf("count units: %w", err)
	}
	defer rows.Close()
	out := map[Level]int{}
	for rows.Next() {
		var l Level
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			return nil, err
		}
		out[l] = n
	}
	return out, rows.Err()
}

// units lists units matching where (a condition on alias u), ordered by sort, code.
func (st store) units(ctx context.Context, where string, args []any, limit, offset int) ([]Unit, error) {
	args = append(args, limit, offset)
	rows, err := st.db.Query(ctx, `SELECT `+unitCols+` FROM org_units u WHERE `+where+`
		ORDER BY u.sort, u.code LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list units: %w", err)
	}
	defer rows.Close()
	out := []Unit{}
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// count counts the rows of a FROM clause (with its joins) matching where.
func (st store) count(ctx context.Context, from, where string, args []any) (int, error) {
	var n int
	if err := st.db.QueryRow(ctx, `SELECT count(*) FROM `+from+` WHERE `+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// unitsFolded loads the units whose codes equal any of codes ignoring
// case, in chunks small enough for either engine's parameter limit.
func (st store) unitsFolded(ctx context.Context, codes []string) ([]Unit, error) {
	const chunk = 500
	var out []Unit
	for len(codes) > 0 {
		n := min(chunk, len(codes))
		part := codes[:n]
		codes = codes[n:]
		args := make([]any, len(part))
		for i, c := range part {
			args[i] = strings.ToLower(c)
		}
		rows, err := st.db.Query(ctx, `SELECT `+unitCols+` FROM org_units u WHERE lower(u.code) IN (`+
			placeholders(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("load units: %w", err)
		}
		for rows.Next() {
			u, err := scanUnit(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// unitsByCodes loads units by exact code.
func (st store) unitsByCodes(ctx context.Context, codes []string) (map[string]Unit, error) {
	us, err := st.unitsFolded(ctx, codes)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	out := make(map[string]Unit, len(us))
	for _, u := range us {
		if want[u.Code] {
			out[u.Code] = u
		}
	}
	return out, nil
}

// foldedCollision returns an existing code equal to code except for case.
func (st store) foldedCollision(ctx context.Context, code string) (string, error) {
	var other string
	err := st.db.QueryRow(ctx, `SELECT code FROM org_units WHERE lower(code) = ? AND code <> ?`,
		strings.ToLower(code), code).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return other, err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// insertUnits inserts units in multi-row statements. Callers pass parents
// in an earlier call (or earlier in the slice of a previous batch), so the
// foreign key on parent_code holds row by row.
func (st store) insertUnits(ctx context.Context, us []Unit) error {
	const chunk = 200
	for len(us) > 0 {
		n := min(chunk, len(us))
		part := us[:n]
		us = us[n:]
		args := make([]any, 0, 9*len(part))
		rows := make([]string, len(part))
		for i, u := range part {
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append(args, u.Code, u.Name, string(u.Level), string(u.Kind), nullable(u.ParentCode),
				u.Path, u.Sort, u.CreatedAt, u.UpdatedAt)
		}
		if _, err := st.db.Exec(ctx, `INSERT INTO org_units
			(code, name, level, kind, parent_code, path, sort, created_at, updated_at) VALUES `+
			strings.Join(rows, ", "), args...); err != nil {
			return err
		}
	}
	return nil
}

// updateUnit writes the changeable columns of u.
func (st store) updateUnit(ctx context.Context, u Unit) error {
	_, err := st.db.Exec(ctx, `UPDATE org_units SET name = ?, level = ?, kind = ?, parent_code = ?, path = ?,
		sort = ?, updated_at = ? WHERE code = ?`,
		u.Name, string(u.Level), string(u.Kind), nullable(u.ParentCode), u.Path, u.Sort, u.UpdatedAt, u.Code)
	return err
}

// movePaths rewrites the paths of everything strictly below oldPath to sit
// below newPath instead.
func (st store) movePaths(ctx context.Context, oldPath, newPath string, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE org_units SET path = ? || substr(path, ?), updated_at = ?
		WHERE path LIKE ? AND path <> ?`, newPath, len(oldPath)+1, now, oldPath+"%", oldPath)
	return err
}

// dependents counts what hangs on a unit and would block its deletion.
type dependents struct{ children, grids, staff, users, grants int }

func (st store) dependents(ctx context.Context, code string) (dependents, error) {
	var d dependents
	err := st.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM org_units WHERE parent_code = ?),
		(SELECT count(*) FROM grids WHERE unit_code = ?),
		(SELECT count(*) FROM staff WHERE unit_code = ?)`, code, code, code).
		Scan(&d.children, &d.grids, &d.staff)
	if err != nil {
		return d, fmt.Errorf("count dependents: %w", err)
	}
	// Users and grants are the auth module's to count.
	d.users, d.grants, err = authdir.New(st.db).UnitHolders(ctx, code)
	return d, err
}

func (st store) deleteUnit(ctx context.Context, code string) error {
	_, err := st.db.Exec(ctx, `DELETE FROM org_units WHERE code = ?`, code)
	return err
}
