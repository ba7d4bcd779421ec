package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"gridgov/internal/org/orgdir"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the case module; no policy.
type store struct{ db *db.DB }

type scanner = db.Scanner

// unitRow is what the loop needs of an org unit.
type unitRow struct {
	Code, Name, Level, Kind, Parent, Path string
}

func (st store) unit(ctx context.Context, code, field string) (unitRow, error) {
	u, ok, err := orgdir.New(st.db).Unit(ctx, code)
	if err != nil {
		return unitRow{}, fmt.Errorf("load unit: %w", err)
	}
	if !ok {
		return unitRow{}, apperr.Field(field, apperr.UnknownUnit, "code", code)
	}
	return unitRow(u), nil
}

func (st store) unitPath(ctx context.Context, code, field string) (string, error) {
	u, err := st.unit(ctx, code, field)
	return u.Path, err
}

// unitByPath finds the unit whose path is p.
func (st store) unitByPath(ctx context.Context, p string) (unitRow, error) {
	u, ok, err := orgdir.New(st.db).UnitByPath(ctx, p)
	if err == nil && !ok {
		err = sql.ErrNoRows
	}
	if err != nil {
		return unitRow{}, fmt.Errorf("unit by path: %w", err)
	}
	return unitRow(u), nil
}

// gridUnit returns the unit a grid belongs to.
func (st store) gridUnit(ctx context.Context, grid string) (unitRow, error) {
	u, ok, err := orgdir.New(st.db).GridUnit(ctx, grid)
	if err != nil {
		return unitRow{}, fmt.Errorf("grid unit: %w", err)
	}
	if !ok {
		return unitRow{}, apperr.Field("grid_code", apperr.UnknownGrid, "code", grid)
	}
	return unitRow(u), nil
}

const categoryCols = `code, kind, major_code, major_name, name, filing_condition, closing_condition,
	default_dept, urgency, limits, COALESCE(unit_code, ''), active, created_at, updated_at`

func scanCategory(sc scanner) (Category, error) {
	var c Category
	var limits string
	err := sc.Scan(&c.Code, &c.Kind, &c.MajorCode, &c.MajorName, &c.Name, &c.FilingCondition,
		&c.ClosingCondition, &c.DefaultDept, &c.Urgency, &limits, &c.UnitCode, &c.Active, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(limits), &c.Limits); err != nil {
		return c, fmt.Errorf("category %s limits: %w", c.Code, err)
	}
	return c, nil
}

func (st store) category(ctx context.Context, code string) (Category, error) {
	c, err := scanCategory(st.db.QueryRow(ctx, `SELECT `+categoryCols+` FROM case_categories WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("category %s not found", code)
	}
	if err != nil {
		return c, fmt.Errorf("load category: %w", err)
	}
	return c, nil
}

func (st store) categories(ctx context.Context, f CategoryFilter) ([]Category, error) {
	where := []string{"1=1"}
	var args []any
	if !f.All {
		where = append(where, "active = ?")
		args = append(args, true)
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.MajorCode != "" {
		where = append(where, "major_code = ?")
		args = append(args, f.MajorCode)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cond, a := db.ContainsAny(q, "name", "code", "major_name")
		where, args = append(where, cond), append(args, a...)
	}
	if f.UnitCode != "" {
		covers, cargs := orgdir.Covers("case_categories.unit_code", f.UnitCode)
		where = append(where, `(unit_code IS NULL OR `+covers+`)`)
		args = append(args, cargs...)
	}
	rows, err := st.db.Query(ctx, `SELECT `+categoryCols+` FROM case_categories WHERE `+
		strings.Join(where, " AND ")+` ORDER BY kind, code`, args...)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return db.CollectRows(rows, scanCategory)
}

func (st store) insertCategory(ctx context.Context, c Category) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_categories (code, kind, major_code, major_name, name,
		filing_condition, closing_condition, default_dept, urgency, limits, unit_code, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Code, string(c.Kind), c.MajorCode, c.MajorName, c.Name,
		c.FilingCondition, c.ClosingCondition, c.DefaultDept, string(c.Urgency), mustJSON(c.Limits),
		nullable(c.UnitCode), c.Active, c.CreatedAt, c.UpdatedAt)
	if db.IsUniqueViolation(err) {
		return apperr.Field("code", apperr.CategoryExists, "code", c.Code)
	}
	if db.IsForeignKeyViolation(err) {
		return apperr.Field("unit_code", apperr.NoSuchUnit)
	}
	return err
}

// upsertStandardCategory inserts a standard category or updates one whose
// definition changed, never over a unit's own; an unchanged row is left
// alone, so a restart writes nothing.
func (st store) upsertStandardCategory(ctx context.Context, c Category) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_categories (code, kind, major_code, major_name, name,
		filing_condition, closing_condition, default_dept, urgency, limits, unit_code, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, major_code = excluded.major_code,
		major_name = excluded.major_name, name = excluded.name, filing_condition = excluded.filing_condition,
		closing_condition = excluded.closing_condition, default_dept = excluded.default_dept,
		urgency = excluded.urgency, limits = excluded.limits, updated_at = excluded.updated_at
		WHERE case_categories.unit_code IS NULL AND (case_categories.kind <> excluded.kind
			OR case_categories.major_code <> excluded.major_code OR case_categories.major_name <> excluded.major_name
			OR case_categories.name <> excluded.name OR case_categories.filing_condition <> excluded.filing_condition
			OR case_categories.closing_condition <> excluded.closing_condition
			OR case_categories.default_dept <> excluded.default_dept OR case_categories.urgency <> excluded.urgency
			OR case_categories.limits <> excluded.limits)`, c.Code, string(c.Kind), c.MajorCode, c.MajorName, c.Name,
		c.FilingCondition, c.ClosingCondition, c.DefaultDept, string(c.Urgency), mustJSON(c.Limits),
		true, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return fmt.Errorf("upsert category %s: %w", c.Code, err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
