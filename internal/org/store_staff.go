package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

const staffCols = `s.id, s.name, s.phone, s.position, s.unit_code, u.name, s.team, s.active,
	s.created_at, s.updated_at, u.path`

const staffFrom = `staff s JOIN org_units u ON u.code = s.unit_code`

// staffRow is a staff member with the path of their unit, which their scope follows.
type staffRow struct {
	Staff
	path string
}

func scanStaff(sc scanner) (staffRow, error) {
	var r staffRow
	err := sc.Scan(&r.ID, &r.Name, &r.Phone, &r.Position, &r.UnitCode, &r.UnitName, &r.Team, &r.Active,
		&r.CreatedAt, &r.UpdatedAt, &r.path)
	return r, err
}

// staffMember loads one staff member with their grids; a missing one is not_found.
func (st store) staffMember(ctx context.Context, id int64) (staffRow, error) {
	r, err := scanStaff(st.db.QueryRow(ctx, `SELECT `+staffCols+` FROM `+staffFrom+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return staffRow{}, apperr.NotFoundf("staff member %d not found", id)
	}
	if err != nil {
		return staffRow{}, fmt.Errorf("load staff: %w", err)
	}
	grids, err := st.staffGrids(ctx, []int64{id})
	if err != nil {
		return staffRow{}, err
	}
	r.GridCodes = nonNil(grids[id])
	return r, nil
}

// staffList lists staff matching where (aliases s and u) ordered by name,
// each with their grids.
func (st store) staffList(ctx context.Context, where string, args []any, limit, offset int) ([]staffRow, error) {
	args = append(args, limit, offset)
	rows, err := st.db.Query(ctx, `SELECT `+staffCols+` FROM `+staffFrom+` WHERE `+where+
		` ORDER BY s.name, s.id LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	var out []staffRow
	var ids []int64
	for rows.Next() {
		r, err := scanStaff(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
		ids = append(ids, r.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	grids, err := st.staffGrids(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].GridCodes = nonNil(grids[out[i].ID])
	}
	return out, nil
}

// staffGrids returns the grid codes of each staff member, sorted.
func (st store) staffGrids(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := st.db.Query(ctx, `SELECT staff_id, grid_code FROM staff_grids WHERE staff_id IN (`+
		placeholders(len(ids))+`) ORDER BY staff_id, grid_code`, args...)
	if err != nil {
		return nil, fmt.Errorf("staff grids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = append(out[id], code)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (st store) insertStaff(ctx context.Context, s Staff) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO staff (name, phone, position, unit_code, team, active, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.Name, s.Phone, s.Position, s.UnitCode, string(s.Team), s.Active, s.CreatedAt, s.UpdatedAt).Scan(&id)
	return id, err
}

func (st store) updateStaff(ctx context.Context, s Staff) error {
	_, err := st.db.Exec(ctx, `UPDATE staff SET name = ?, phone = ?, position = ?, unit_code = ?, team = ?,
		active = ?, updated_at = ? WHERE id = ?`,
		s.Name, s.Phone, s.Position, s.UnitCode, string(s.Team), s.Active, s.UpdatedAt, s.ID)
	return err
}

// setStaffGrids replaces the grids a staff member is responsible for.
func (st store) setStaffGrids(ctx context.Context, id int64, codes []string) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM staff_grids WHERE staff_id = ?`, id); err != nil {
		return fmt.Errorf("clear staff grids: %w", err)
	}
	if len(codes) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(codes))
	for _, c := range codes {
		args = append(args, id, c)
	}
	_, err := st.db.Exec(ctx, `INSERT INTO staff_grids (staff_id, grid_code) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?), ", len(codes)), ", "), args...)
	if db.IsForeignKeyViolation(err) {
		return apperr.Field("grid_codes", apperr.DeletedGrid)
	} else if err != nil {
		return fmt.Errorf("set staff grids: %w", err)
	}
	return nil
}
