package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"gridgov/internal/org/orgdir"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

const meetingCols = `m.id, m.kind, m.title, m.held_at, m.place, m.convener_unit_code, m.convener_path, m.staff_ids,
	m.minutes, m.status, COALESCE(m.created_by, 0), m.created_at, m.concluded_by, m.concluded_at, m.version,
	m.cancel_reason, m.cancelled_by, m.cancelled_at`

// meetingRow is a meeting with its convener's path.
type meetingRow struct {
	Meeting
	ConvenerPath string
}

func scanMeeting(sc scanner) (meetingRow, error) {
	var m meetingRow
	var staff string
	var by, cby sql.NullInt64
	var at, cat sql.NullTime
	err := sc.Scan(&m.ID, &m.Kind, &m.Title, &m.HeldAt, &m.Place, &m.ConvenerUnitCode, &m.ConvenerPath, &staff,
		&m.Minutes, &m.Status, &m.CreatedBy, &m.CreatedAt, &by, &at, &m.Version, &m.CancelReason, &cby, &cat)
	if err != nil {
		return m, err
	}
	if cby.Valid {
		m.CancelledBy = &cby.Int64
	}
	m.CancelledAt = timePtr(cat)
	m.StaffIDs = parseIDs(staff)
	m.UnitCodes, m.CaseIDs, m.Decisions = []string{}, []int64{}, []MeetingDecision{}
	if by.Valid {
		m.ConcludedBy = &by.Int64
	}
	m.HeldAt, m.ConcludedAt = m.HeldAt.UTC(), timePtr(at)
	return m, nil
}

func (st store) insertMeeting(ctx context.Context, m meetingRow) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_meetings (kind, title, held_at, place, convener_unit_code,
		convener_path, staff_ids, minutes, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, string(m.Kind), m.Title, m.HeldAt, m.Place, m.ConvenerUnitCode, m.ConvenerPath,
		mustJSON(m.StaffIDs), m.Minutes, m.Status, nullID(m.CreatedBy), m.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert meeting: %w", err)
	}
	return id, nil
}

func (st store) insertMeetingUnit(ctx context.Context, id int64, code, path string) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_meeting_units (meeting_id, unit_code, path) VALUES (?, ?, ?)`,
		id, code, path)
	if err != nil {
		return fmt.Errorf("meeting unit: %w", err)
	}
	return nil
}

func (st store) insertMeetingCase(ctx context.Context, id, caseID int64) error {
	_, err := st.db.Exec(ctx, `INSERT INTO case_meeting_cases (meeting_id, case_id) VALUES (?, ?)`, id, caseID)
	if err != nil {
		return fmt.Errorf("meeting case: %w", err)
	}
	return nil
}

func (st store) insertDecision(ctx context.Context, d MeetingDecision) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_meeting_decisions (meeting_id, case_id, lead_unit_code,
		co_unit_codes, note, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.MeetingID, d.CaseID, d.LeadUnitCode, mustJSON(d.CoUnitCodes), d.Note, d.Status, nullID(d.CreatedBy),
		d.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert decision: %w", err)
	}
	return id, nil
}

func (st store) applyDecision(ctx context.Context, id int64, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE case_meeting_decisions SET status = 'applied', applied_at = ? WHERE id = ?`,
		now, id)
	if err != nil {
		return fmt.Errorf("apply decision: %w", err)
	}
	return nil
}

// concludeMeeting closes an open meeting still at version m.Version; false
// when it changed meanwhile.
func (st store) concludeMeeting(ctx context.Context, m meetingRow) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE case_meetings SET status = ?, minutes = ?, concluded_by = ?, concluded_at = ?,
		version = version + 1 WHERE id = ? AND status = 'open' AND version = ?`, m.Status, m.Minutes, m.ConcludedBy,
		m.ConcludedAt, m.ID, m.Version)
	if err != nil {
		return false, fmt.Errorf("conclude meeting: %w", err)
	}
	return affected(res)
}

// updateMeeting writes an open meeting's editable fields if it is still at
// version m.Version, bumping the version; false when it changed meanwhile.
func (st store) updateMeeting(ctx context.Context, m meetingRow) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE case_meetings SET title = ?, held_at = ?, place = ?, minutes = ?,
		staff_ids = ?, version = version + 1 WHERE id = ? AND status = 'open' AND version = ?`, m.Title, m.HeldAt,
		m.Place, m.Minutes, mustJSON(m.StaffIDs), m.ID, m.Version)
	if err != nil {
		return false, fmt.Errorf("update meeting: %w", err)
	}
	return affected(res)
}

// cancelMeeting cancels an open meeting still at version m.Version; false
// when it changed meanwhile.
func (st store) cancelMeeting(ctx context.Context, m meetingRow) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE case_meetings SET status = ?, cancel_reason = ?, cancelled_by = ?,
		cancelled_at = ?, version = version + 1 WHERE id = ? AND status = 'open' AND version = ?`, m.Status,
		m.CancelReason, m.CancelledBy, m.CancelledAt, m.ID, m.Version)
	if err != nil {
		return false, fmt.Errorf("cancel meeting: %w", err)
	}
	return affected(res)
}

// touchMeeting bumps the version of an open meeting still at version
// m.Version (its decisions changed); false when it changed meanwhile.
func (st store) touchMeeting(ctx context.Context, m meetingRow) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE case_meetings SET version = version + 1 WHERE id = ? AND status = 'open'
		AND version = ?`, m.ID, m.Version)
	if err != nil {
		return false, fmt.Errorf("touch meeting: %w", err)
	}
	return affected(res)
}

// affected reports whether an update changed a row.
func affected(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("rows affected: %w", err)
	}
	return n > 0, nil
}

// deleteMeetingUnits removes a meeting's participant units.
func (st store) deleteMeetingUnits(ctx context.Context, id int64) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM case_meeting_units WHERE meeting_id = ?`, id); err != nil {
		return fmt.Errorf("meeting units: %w", err)
	}
	return nil
}

// unlinkMeetingCase removes a linked case and its pending decisions.
func (st store) unlinkMeetingCase(ctx context.Context, id, caseID int64) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM case_meeting_decisions WHERE meeting_id = ? AND case_id = ?
		AND status = 'pending'`, id, caseID); err != nil {
		return fmt.Errorf("unlink decisions: %w", err)
	}
	if _, err := st.db.Exec(ctx, `DELETE FROM case_meeting_cases WHERE meeting_id = ? AND case_id = ?`,
		id, caseID); err != nil {
		return fmt.Errorf("unlink case: %w", err)
	}
	return nil
}

// deleteDecision removes a pending decision of a meeting.
func (st store) deleteDecision(ctx context.Context, meetingID, id int64) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM case_meeting_decisions WHERE meeting_id = ? AND id = ?
		AND status = 'pending'`, meetingID, id); err != nil {
		return fmt.Errorf("delete decision: %w", err)
	}
	return nil
}

// meeting loads a meeting with its units, cases and decisions.
func (st store) meeting(ctx context.Context, id int64) (meetingRow, error) {
	m, err := scanMeeting(st.db.QueryRow(ctx, `SELECT `+meetingCols+` FROM case_meetings m WHERE m.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("meeting %d not found", id)
	}
	if err != nil {
		return m, fmt.Errorf("load meeting: %w", err)
	}
	if m.UnitCodes, err = st.strings(ctx, `SELECT unit_code FROM case_meeting_units WHERE meeting_id = ?
		ORDER BY unit_code`, id); err != nil {
		return m, err
	}
	if m.CaseIDs, err = st.ints(ctx, `SELECT case_id FROM case_meeting_cases WHERE meeting_id = ? ORDER BY case_id`,
		id); err != nil {
		return m, err
	}
	m.Decisions, err = st.decisions(ctx, id)
	return m, err
}

// meetingPaths lists the paths a meeting is visible through: the
// convener's and the participants'.
func (st store) meetingPaths(ctx context.Context, m meetingRow) ([]string, error) {
	ps, err := st.strings(ctx, `SELECT path FROM case_meeting_units WHERE meeting_id = ?`, m.ID)
	return append(ps, m.ConvenerPath), err
}

func (st store) decisions(ctx context.Context, meetingID int64) ([]MeetingDecision, error) {
	rows, err := st.db.Query(ctx, `SELECT id, meeting_id, case_id, lead_unit_code, co_unit_codes, note, status,
		COALESCE(created_by, 0), created_at, applied_at FROM case_meeting_decisions WHERE meeting_id = ? ORDER BY id`,
		meetingID)
	if err != nil {
		return nil, fmt.Errorf("list decisions: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (MeetingDecision, error) {
		var d MeetingDecision
		var co string
		var at sql.NullTime
		if err := sc.Scan(&d.ID, &d.MeetingID, &d.CaseID, &d.LeadUnitCode, &co, &d.Note, &d.Status,
			&d.CreatedBy, &d.CreatedAt, &at); err != nil {
			return d, err
		}
		d.CoUnitCodes = []string{}
		if err := json.Unmarshal([]byte(co), &d.CoUnitCodes); err != nil {
			return d, fmt.Errorf("decision %d co-handlers: %w", d.ID, err)
		}
		d.AppliedAt = timePtr(at)
		return d, nil
	})
}

// meetings lists meetings matching where (over m), newest first.
func (st store) meetings(ctx context.Context, where string, args []any, limit, offset int) ([]Meeting, int, error) {
	var total int
	if err := st.db.QueryRow(ctx, `SELECT count(*) FROM case_meetings m WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count meetings: %w", err)
	}
	rows, err := st.db.Query(ctx, `SELECT `+meetingCols+` FROM case_meetings m WHERE `+where+
		` ORDER BY m.held_at DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list meetings: %w", err)
	}
	out, err := db.CollectRows(rows, func(sc db.Scanner) (Meeting, error) {
		m, err := scanMeeting(sc)
		return m.Meeting, err
	})
	return out, total, err
}

// caseMeetings lists the meetings a case is linked to.
func (st store) caseMeetings(ctx context.Context, caseID int64) ([]MeetingRef, error) {
	rows, err := st.db.Query(ctx, `SELECT m.id, m.kind, m.title, m.held_at, m.status FROM case_meetings m
		JOIN case_meeting_cases mc ON mc.meeting_id = m.id WHERE mc.case_id = ? ORDER BY m.held_at, m.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case meetings: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (MeetingRef, error) {
		var r MeetingRef
		err := sc.Scan(&r.ID, &r.Kind, &r.Title, &r.HeldAt, &r.Status)
		r.HeldAt = r.HeldAt.UTC()
		return r, err
	})
}

func (st store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := st.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return db.CollectRows(rows, db.ScanOne[string])
}

func (st store) ints(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := st.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return db.CollectRows(rows, db.ScanOne[int64])
}

// staffExists reports whether a staff member exists.
func (st store) staffExists(ctx context.Context, id int64) (bool, error) {
	return orgdir.New(st.db).StaffExists(ctx, id)
}

// pendingDecisions counts a meeting's pending decisions on a case.
func (st store) pendingDecisions(ctx context.Context, meetingID, caseID int64) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM case_meeting_decisions WHERE meeting_id = ? AND case_id = ?
		AND status = 'pending'`, meetingID, caseID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count decisions: %w", err)
	}
	return n, nil
}
