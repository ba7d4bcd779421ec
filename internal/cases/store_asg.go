package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"gridgov/internal/org/orgdir"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

var asgCols = `a.id, a.case_id, a.unit_code, COALESCE(` + orgdir.NameOf("a.unit_code") + `, ''), a.from_unit_code, a.parent_id, a.lead, a.status,
	a.note, a.sign_deadline, a.deadline, a.feedback, a.attachments, a.extension_used, a.created_at, a.signed_at,
	a.feedback_at`

func scanAssignment(sc scanner) (Assignment, error) {
	var a Assignment
	var parent sql.NullInt64
	var sdl, dl, signed, fb sql.NullTime
	var att string
	err := sc.Scan(&a.ID, &a.CaseID, &a.UnitCode, &a.UnitName, &a.FromUnitCode, &parent, &a.Lead, &a.Status,
		&a.Note, &sdl, &dl, &a.Feedback, &att, &a.ExtensionUsed, &a.CreatedAt, &signed, &fb)
	if err != nil {
		return a, err
	}
	if parent.Valid {
		a.ParentID = &parent.Int64
	}
	a.SignDeadline, a.Deadline, a.SignedAt, a.FeedbackAt = timePtr(sdl), timePtr(dl), timePtr(signed), timePtr(fb)
	a.Attachments = parseIDs(att)
	return a, nil
}

func (st store) assignments(ctx context.Context, caseID int64) ([]Assignment, error) {
	rows, err := st.db.Query(ctx, `SELECT `+asgCols+` FROM case_assignments a WHERE a.case_id = ? ORDER BY a.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	return db.CollectRows(rows, scanAssignment)
}

func (st store) insertAssignment(ctx context.Context, a Assignment) (int64, error) {
	var parent any
	if a.ParentID != nil {
		parent = *a.ParentID
	}
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_assignments (case_id, unit_code, from_unit_code, parent_id, lead,
		status, note, sign_deadline, deadline, feedback, attachments, extension_used, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '[]', ?, ?) RETURNING id`, a.CaseID, a.UnitCode, a.FromUnitCode,
		parent, a.Lead, string(a.Status), a.Note, a.SignDeadline, a.Deadline, false, a.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert assignment: %w", err)
	}
	return id, nil
}

func (st store) updateAssignment(ctx context.Context, a Assignment) error {
	_, err := st.db.Exec(ctx, `UPDATE case_assignments SET status = ?, deadline = ?, feedback = ?, attachments = ?,
		extension_used = ?, signed_at = ?, feedback_at = ? WHERE id = ?`, string(a.Status), a.Deadline, a.Feedback,
		mustJSON(cleanIDs(a.Attachments)), a.ExtensionUsed, a.SignedAt, a.FeedbackAt, a.ID)
	if err != nil {
		return fmt.Errorf("update assignment: %w", err)
	}
	return nil
}

const extCols = `id, case_id, assignment_id, extra_limit, reason, status, decision_note, COALESCE(requested_by, 0),
	decided_by, created_at, decided_at`

func scanExtension(sc scanner) (Extension, error) {
	var e Extension
	var by sql.NullInt64
	var at sql.NullTime
	err := sc.Scan(&e.ID, &e.CaseID, &e.AssignmentID, &e.Limit, &e.Reason, &e.Status, &e.DecisionNote,
		&e.RequestedBy, &by, &e.CreatedAt, &at)
	if by.Valid {
		e.DecidedBy = &by.Int64
	}
	e.DecidedAt = timePtr(at)
	return e, err
}

func (st store) extensions(ctx context.Context, caseID int64) ([]Extension, error) {
	rows, err := st.db.Query(ctx, `SELECT `+extCols+` FROM case_extensions WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list extensions: %w", err)
	}
	return db.CollectRows(rows, scanExtension)
}

func (st store) extension(ctx context.Context, caseID, id int64) (Extension, error) {
	e, err := scanExtension(st.db.QueryRow(ctx, `SELECT `+extCols+` FROM case_extensions WHERE case_id = ? AND id = ?`,
		caseID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFoundf("extension %d not found", id)
	}
	if err != nil {
		return e, fmt.Errorf("load extension: %w", err)
	}
	return e, nil
}

func (st store) insertExtension(ctx context.Context, e Extension) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_extensions (case_id, assignment_id, extra_limit, reason, status,
		requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.CaseID, e.AssignmentID, e.Limit,
		e.Reason, string(e.Status), nullID(e.RequestedBy), e.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert extension: %w", err)
	}
	return id, nil
}

func (st store) decideExtension(ctx context.Context, e Extension) error {
	_, err := st.db.Exec(ctx, `UPDATE case_extensions SET status = ?, decision_note = ?, decided_by = ?,
		decided_at = ? WHERE id = ?`, string(e.Status), e.DecisionNote, e.DecidedBy, e.DecidedAt, e.ID)
	if err != nil {
		return fmt.Errorf("decide extension: %w", err)
	}
	return nil
}

const supCols = `s.id, s.case_id, s.supervisor_unit_code, s.deadline, s.reason, s.status, COALESCE(s.created_by, 0),
	s.created_at, s.closed_at`

func scanSupervision(sc scanner, extra ...any) (Supervision, error) {
	var s Supervision
	var closed sql.NullTime
	dest := append([]any{&s.ID, &s.CaseID, &s.SupervisorUnitCode, &s.Deadline, &s.Reason, &s.Status,
		&s.CreatedBy, &s.CreatedAt, &closed}, extra...)
	err := sc.Scan(dest...)
	s.ClosedAt = timePtr(closed)
	return s, err
}

// openSupervision returns the open supervision of a case, if any.
func (st store) openSupervision(ctx context.Context, caseID int64) (*Supervision, error) {
	s, err := scanSupervision(st.db.QueryRow(ctx, `SELECT `+supCols+` FROM case_supervisions s
		WHERE s.case_id = ? AND s.status = 'open'`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load supervision: %w", err)
	}
	return &s, nil
}

func (st store) insertSupervision(ctx context.Context, s Supervision) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_supervisions (case_id, supervisor_unit_code, deadline, reason,
		status, created_by, created_at) VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id`, s.CaseID,
		s.SupervisorUnitCode, s.Deadline, s.Reason, nullID(s.CreatedBy), s.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert supervision: %w", err)
	}
	return id, nil
}

func (st store) closeSupervisions(ctx context.Context, caseID int64, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE case_supervisions SET status = 'closed', closed_at = ?
		WHERE case_id = ? AND status = 'open'`, now, caseID)
	if err != nil {
		return fmt.Errorf("close supervision: %w", err)
	}
	return nil
}

// supervisions lists open supervisions of cases matching where (over c).
func (st store) supervisions(ctx context.Context, where string, args []any, limit, offset int) ([]Supervision, error) {
	rows, err := st.db.Query(ctx, `SELECT `+supCols+`, c.number, c.status, c.overdue FROM case_supervisions s
		JOIN cases c ON c.id = s.case_id WHERE s.status = 'open' AND `+where+` ORDER BY s.deadline, s.id
		LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("list supervisions: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Supervision, error) {
		var s Supervision
		var closed sql.NullTime
		err := sc.Scan(&s.ID, &s.CaseID, &s.SupervisorUnitCode, &s.Deadline, &s.Reason, &s.Status,
			&s.CreatedBy, &s.CreatedAt, &closed, &s.Number, &s.CaseStatus, &s.Overdue)
		s.ClosedAt = timePtr(closed)
		return s, err
	})
}

// enqueue writes an outbox message unless one with the same dedup key exists.
func (st store) enqueue(ctx context.Context, m OutboxMessage, dedup string) error {
	_, err := st.db.Exec(ctx, `INSERT INTO outbox (channel, recipient_unit, recipient_user_id, kind, case_id,
		payload, dedup, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup) DO NOTHING`,
		m.Channel, m.RecipientUnit, m.RecipientUserID, m.Kind, m.CaseID, string(m.Payload), dedup, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("enqueue notification: %w", err)
	}
	return nil
}

// outbox lists messages of a case (0: all), oldest first.
func (st store) outbox(ctx context.Context, caseID int64, limit int) ([]OutboxMessage, error) {
	return st.outboxWhere(ctx, `(? = 0 OR case_id = ?) ORDER BY id LIMIT ?`, caseID, caseID, limit)
}
