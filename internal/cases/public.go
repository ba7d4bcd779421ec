package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
)

// The public side of the loop: what the citizen intake (portal, Open311)
// may show of a case. These readers check no permission — the intake
// shows only this view, and only of the cases it names — and take the
// set of cases to consider as a condition the caller builds on the case
// id column (Among), so that the intake's own table stays in its SQL.

// PublicCase is what the public may know of a case: no handler names and
// no internal notes.
type PublicCase struct {
	ID                                                int64
	Number, Status, CategoryCode, CategoryName, Descr string
	CreatedAt, UpdatedAt                              time.Time
	ClosedAt, Deadline                                *time.Time
	Address                                           string
	Lat, Lng                                          *float64
	Channel                                           string
	UnitPath                                          string // the territory, for moderation scope
	// CurrentUnit is the unit holding the case; LeadUnit the unit of the
	// latest live lead assignment, when there is one.
	CurrentUnit, LeadUnit string
	// PublicNote is the latest public note: a handler's feedback, the
	// closing verification or a rejection (不予立案) reason.
	PublicNote string
}

// Among is an SQL condition, with its arguments, on the case id column
// idCol, naming the cases a public reader may consider.
type Among func(idCol string) (string, []any)

// PublicFilter selects cases for PublicCases.
type PublicFilter struct {
	Among      Among // required
	ID         int64
	Numbers    []string
	Categories []string
	Start, End *time.Time
	Status     string // "open", "closed" or "" (both)
	Limit      int    // required
	Offset     int
}

// publicNote selects the steps whose notes are public.
const publicNote = `(s.action = 'feedback' OR (s.action = 'verify' AND s.to_status = 'closed') OR s.action = 'reject')`

// PublicSteps are the actions that appear in the public trail.
const publicSteps = `('create', 'assign', 'sign', 'feedback', 'verify', 'reject', 'merge', 'suspend', 'resume')`

// closedStatuses are the statuses the public sees as closed.
const closedStatuses = `('closed', 'rejected', 'merged')`

var publicCols = `c.id, c.number, c.status, c.category_code, COALESCE(k.name, ''), c.description,
	c.created_at, c.updated_at, c.closed_at, c.deadline, c.address, c.lat, c.lng, c.channel, c.unit_path,
	COALESCE(` + orgdir.NameOf("c.current_unit_code") + `, ''),
	COALESCE((SELECT ` + orgdir.NameOf("a.unit_code") + ` FROM case_assignments a
		WHERE a.case_id = c.id AND a.lead = ? AND a.status NOT IN ('cancelled', 'returned')
		ORDER BY a.id DESC LIMIT 1), ''),
	COALESCE((SELECT s.note FROM case_steps s WHERE s.case_id = c.id AND ` + publicNote + ` AND s.note <> ''
		ORDER BY s.id DESC LIMIT 1), '')`

// PublicCases lists the cases f selects, newest first.
func (s *Service) PublicCases(ctx context.Context, f PublicFilter) ([]PublicCase, error) {
	among, args := f.Among("c.id")
	conds := []string{among}
	args = append([]any{true}, args...)
	in := func(col string, vals []string) {
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if f.ID != 0 {
		conds, args = append(conds, "c.id = ?"), append(args, f.ID)
	}
	if len(f.Numbers) > 0 {
		in("c.number", f.Numbers)
	}
	if len(f.Categories) > 0 {
		in("c.category_code", f.Categories)
	}
	if f.Start != nil {
		conds, args = append(conds, "c.created_at >= ?"), append(args, *f.Start)
	}
	if f.End != nil {
		conds, args = append(conds, "c.created_at <= ?"), append(args, *f.End)
	}
	switch f.Status {
	case "open":
		conds = append(conds, "c.status NOT IN "+closedStatuses)
	case "closed":
		conds = append(conds, "c.status IN "+closedStatuses)
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	rows, err := s.db.Query(ctx, `SELECT `+publicCols+` FROM cases c LEFT JOIN case_categories k ON k.code = c.category_code
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("public cases: %w", err)
	}
	defer rows.Close()
	out := []PublicCase{}
	for rows.Next() {
		var p PublicCase
		var closed, deadline sql.NullTime
		var lat, lng sql.NullFloat64
		if err := rows.Scan(&p.ID, &p.Number, &p.Status, &p.CategoryCode, &p.CategoryName, &p.Descr,
			&p.CreatedAt, &p.UpdatedAt, &closed, &deadline, &p.Address, &lat, &lng, &p.Channel, &p.UnitPath,
			&p.CurrentUnit, &p.LeadUnit, &p.PublicNote); err != nil {
			return nil, fmt.Errorf("public cases: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		p.ClosedAt, p.Deadline = timePtr(closed), timePtr(deadline)
		if lat.Valid && lng.Valid {
			p.Lat, p.Lng = &lat.Float64, &lng.Float64
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PublicStep is a step of the public trail.
type PublicStep struct {
	ID                 int64
	Number, Action, To string
	Note               string
	At                 time.Time
}

// PublicSteps lists the public-trail steps, oldest first, of one case
// (caseID > 0) or, among the cases Among names, between start and end.
func (s *Service) PublicSteps(ctx context.Context, among Among, caseID int64, start, end time.Time, limit int) ([]PublicStep, error) {
	cond, args := among("s.case_id")
	q := `SELECT s.id, c.number, s.action, s.to_status, s.note, s.created_at FROM case_steps s
		JOIN cases c ON c.id = s.case_id WHERE ` + cond + ` AND s.action IN ` + publicSteps
	if caseID > 0 {
		q, args = q+` AND s.case_id = ?`, append(args, caseID)
	} else {
		q, args = q+` AND s.created_at >= ? AND s.created_at <= ?`, append(args, start, end)
	}
	q, args = q+` ORDER BY s.id LIMIT ?`, append(args, limit)
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("public steps: %w", err)
	}
	out, err := db.CollectRows(rows, func(sc db.Scanner) (PublicStep, error) {
		var r PublicStep
		err := sc.Scan(&r.ID, &r.Number, &r.Action, &r.To, &r.Note, &r.At)
		r.At = r.At.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("public steps: %w", err)
	}
	return out, nil
}

// PublicNearby returns, among the cases Among names, the open ones of a
// category whose location lies in the box, newest first, at most limit.
func (s *Service) PublicNearby(ctx context.Context, among Among, category string, minLat, maxLat, minLng, maxLng float64, limit int) ([]int64, error) {
	cond, args := among("c.id")
	args = append(args, category, minLat, maxLat, minLng, maxLng, limit)
	rows, err := s.db.Query(ctx, `SELECT c.id FROM cases c WHERE `+cond+` AND c.category_code = ?
		AND c.status NOT IN `+closedStatuses+` AND c.lat BETWEEN ? AND ? AND c.lng BETWEEN ? AND ?
		ORDER BY c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("nearby cases: %w", err)
	}
	ids, err := db.CollectRows(rows, db.ScanOne[int64])
	if err != nil {
		return nil, fmt.Errorf("nearby cases: %w", err)
	}
	return ids, nil
}

// CaseRef is a case's number and territory path.
type CaseRef struct {
	ID       int64
	Number   string
	UnitPath string
}

// CaseRefs returns the number and territory of each of ids that exists.
func (s *Service) CaseRefs(ctx context.Context, ids []int64) (map[int64]CaseRef, error) {
	out := make(map[int64]CaseRef, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, `SELECT id, number, unit_path FROM cases WHERE id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("case refs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CaseRef
		if err := rows.Scan(&r.ID, &r.Number, &r.UnitPath); err != nil {
			return nil, fmt.Errorf("case refs: %w", err)
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// CaseIDByNumber returns the id of the case with a number, among the cases
// Among names; ok is false when there is none.
func (s *Service) CaseIDByNumber(ctx context.Context, among Among, number string) (int64, bool, error) {
	cond, args := among("c.id")
	var id int64
	err := s.db.QueryRow(ctx, `SELECT c.id FROM cases c WHERE `+cond+` AND c.number = ?`, append(args, number)...).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("case by number: %w", err)
	}
	return id, true, nil
}
