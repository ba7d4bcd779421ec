package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

const caseCols = `c.id, c.number, c.category_code, COALESCE(k.name, ''), c.description, c.source, c.lat, c.lng,
	c.address, c.grid_code, c.unit_code, c.unit_path, c.status, c.resume_status, c.stage, c.stage_seq,
	c.current_unit_code, c.stage_started_at, c.deadline, c.handle_deadline, c.overdue, c.supervised,
	c.rework_count, c.return_count, c.merged_into, c.reporter_id, c.reporter_unit_code, c.attachments, c.version,
	c.created_at, c.updated_at, c.closed_at, c.channel`

const caseFrom = ` FROM cases c LEFT JOIN case_categories k ON k.code = c.category_code`

// caseRow is a case with the internal columns the service needs.
type caseRow struct {
	Case
	ResumeStatus Status
	StageSeq     int
}

// scanCase reads caseCols, then any extra columns into extra.
func scanCase(sc scanner, extra ...any) (caseRow, error) {
	var r caseRow
	var lat, lng sql.NullFloat64
	var dl, hdl, closed sql.NullTime
	var merged sql.NullInt64
	var att string
	dest := []any{&r.ID, &r.Number, &r.CategoryCode, &r.CategoryName, &r.Description, &r.Source, &lat, &lng,
		&r.Address, &r.GridCode, &r.UnitCode, &r.UnitPath, &r.Status, &r.ResumeStatus, &r.Stage, &r.StageSeq,
		&r.CurrentUnitCode, &r.StageStartedAt, &dl, &hdl, &r.Overdue, &r.Supervised,
		&r.ReworkCount, &r.ReturnCount, &merged, &r.ReporterID, &r.ReporterUnitCode, &att, &r.Version,
		&r.CreatedAt, &r.UpdatedAt, &closed, &r.Channel}
	err := sc.Scan(append(dest, extra...)...)
	if err != nil {
		return r, err
	}
	if lat.Valid {
		r.Lat = &lat.Float64
	}
	if lng.Valid {
		r.Lng = &lng.Float64
	}
	r.Deadline, r.HandleDeadline, r.ClosedAt = timePtr(dl), timePtr(hdl), timePtr(closed)
	if merged.Valid {
		r.MergedInto = &merged.Int64
	}
	r.Attachments = parseIDs(att)
	return r, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func parseIDs(s string) []int64 {
	out := []int64{}
	_ = json.Unmarshal([]byte(s), &out) // written by us; bad data shows as none
	return out
}

func (st store) caseByID(ctx context.Context, id int64) (caseRow, error) {
	r, err := scanCase(st.db.QueryRow(ctx, `SELECT `+caseCols+caseFrom+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("case %d not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("load case: %w", err)
	}
	return r, nil
}

// caseWithPaths selects a case once per scope unit, with the unit's path.
const caseWithPaths = `SELECT ` + caseCols + `, cu.path` + caseFrom +
	` JOIN case_units cu ON cu.case_id = c.id WHERE c.id = ?`

// caseWithPathsLocked also locks the case row (PostgreSQL) until the
// transaction ends; SQLite's single writer already serialises transactions.
const caseWithPathsLocked = caseWithPaths + ` FOR UPDATE OF c`

// caseAndPaths loads a case and the paths of its territory and handler
// units in one query; lock takes the row lock on PostgreSQL. A case without
// units is reported as not found, as it is visible to nobody.
func (st store) caseAndPaths(ctx context.Context, id int64, lock bool) (caseRow, []string, error) {
	q := caseWithPaths
	if lock && st.db.Dialect == db.Postgres {
		q = caseWithPathsLocked
	}
	rows, err := st.db.Query(ctx, q, id)
	if err != nil {
		return caseRow{}, nil, fmt.Errorf("load case: %w", err)
	}
	// One row per unit path, the case's columns repeated on each.
	var r caseRow
	paths, err := db.CollectRows(rows, func(sc db.Scanner) (string, error) {
		var p string
		var err error
		r, err = scanCase(sc, &p)
		return p, err
	})
	if err != nil {
		return r, nil, fmt.Errorf("load case: %w", err)
	}
	if len(paths) == 0 {
		return r, nil, apperr.NotFoundf("case %d not found", id)
	}
	return r, paths, nil
}

// nextNumber takes the next case number of a city and year.
func (st store) nextNumber(ctx context.Context, year int, city string) (int64, error) {
	var n int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_counters (year, city_code, next) VALUES (?, ?, 1)
		ON CONFLICT (year, city_code) DO UPDATE SET next = case_counters.next + 1 RETURNING next`,
		year, city).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("case number: %w", err)
	}
	return n, nil
}

func floatArg(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func (st store) insertCase(ctx context.Context, r caseRow) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO cases (number, category_code, description, source, lat, lng, address,
		grid_code, unit_code, unit_path, status, resume_status, stage, stage_seq, current_unit_code, stage_started_at,
		deadline, handle_deadline, overdue, supervised, rework_count, reporter_id, reporter_unit_code, attachments,
		version, created_at, updated_at, channel)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Number, r.CategoryCode, r.Description, string(r.Source), floatArg(r.Lat), floatArg(r.Lng), r.Address,
		r.GridCode, r.UnitCode, r.UnitPath, string(r.Status), string(r.ResumeStatus), r.Stage, r.StageSeq,
		r.CurrentUnitCode, r.StageStartedAt, r.Deadline, r.HandleDeadline, string(r.Overdue), r.Supervised,
		r.ReworkCount, r.ReporterID, r.ReporterUnitCode, mustJSON(r.Attachments), r.Version, r.CreatedAt,
		r.UpdatedAt, r.Channel).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	return id, nil
}

// updateCase writes the mutable columns of a case and its new version if
// the case is still at version from; it is the optimistic lock of a
// transition: of two concurrent ones only the first finds its version, and
// ok is false for the other.
func (st store) updateCase(ctx context.Context, r caseRow, from int) (ok bool, err error) {
	var merged any
	if r.MergedInto != nil {
		merged = *r.MergedInto
	}
	res, err := st.db.Exec(ctx, `UPDATE cases SET status = ?, resume_status = ?, stage = ?, stage_seq = ?,
		current_unit_code = ?, stage_started_at = ?, deadline = ?, handle_deadline = ?, overdue = ?, supervised = ?,
		rework_count = ?, return_count = ?, merged_into = ?, updated_at = ?, closed_at = ?, version = ?
		WHERE id = ? AND version = ?`,
		string(r.Status), string(r.ResumeStatus), r.Stage, r.StageSeq, r.CurrentUnitCode, r.StageStartedAt,
		r.Deadline, r.HandleDeadline, string(r.Overdue), r.Supervised, r.ReworkCount, r.ReturnCount, merged, r.UpdatedAt,
		r.ClosedAt, r.Version, r.ID, from)
	if err != nil {
		return false, fmt.Errorf("update case: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// addUnit links a unit to a case for scope; a repeat is a no-op.
func (st store) addUnit(ctx context.Context, caseID int64, code, path, reason string) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_units (case_id, unit_code, path, reason) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_id, unit_code, reason) DO NOTHING`, caseID, code, path, reason)
	if err != nil {
		return fmt.Errorf("case unit: %w", err)
	}
	return nil
}

func (st store) insertStep(ctx context.Context, s Step) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_steps (case_id, action, from_status, to_status, user_id, username,
		unit_code, note, attachments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.CaseID, string(s.Action), string(s.FromStatus), string(s.ToStatus), nullID(s.UserID), s.Username,
		s.UnitCode, s.Note, mustJSON(cleanIDs(s.Attachments)), s.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert step: %w", err)
	}
	return st.linkStepAttachments(ctx, s.CaseID, cleanIDs(s.Attachments))
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (st store) steps(ctx context.Context, caseID int64) ([]Step, error) {
	rows, err := st.db.Query(ctx, `SELECT id, case_id, action, from_status, to_status, COALESCE(user_id, 0),
		username, unit_code, note, attachments, created_at FROM case_steps WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list steps: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Step, error) {
		var s Step
		var att string
		err := sc.Scan(&s.ID, &s.CaseID, &s.Action, &s.FromStatus, &s.ToStatus, &s.UserID, &s.Username,
			&s.UnitCode, &s.Note, &att, &s.CreatedAt)
		s.Attachments = parseIDs(att)
		return s, err
	})
}

// cases lists cases matching where, newest first.
func (st store) cases(ctx context.Context, where string, args []any, limit, offset int) ([]Case, int, error) {
	var total int
	if err := st.db.QueryRow(ctx, `SELECT count(*) FROM cases c WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	rows, err := st.db.Query(ctx, `SELECT `+caseCols+caseFrom+` WHERE `+where+
		` ORDER BY c.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	out, err := db.CollectRows(rows, func(sc db.Scanner) (Case, error) {
		r, err := scanCase(sc)
		return r.Case, err
	})
	return out, total, err
}
