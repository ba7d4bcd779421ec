package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// supervision loads one supervision of a case.
func (st store) supervision(ctx context.Context, caseID, id int64) (Supervision, error) {
	s, err := scanSupervision(st.db.QueryRow(ctx, `SELECT `+supCols+` FROM case_supervisions s
		WHERE s.case_id = ? AND s.id = ?`, caseID, id))
	if err != nil {
		return s, fmt.Errorf("load supervision: %w", err)
	}
	return s, nil
}

// openSupervisions lists every open supervision, earliest deadline first.
func (st store) openSupervisions(ctx context.Context) ([]Supervision, error) {
	rows, err := st.db.Query(ctx, `SELECT `+supCols+` FROM case_supervisions s WHERE s.status = 'open'
		ORDER BY s.deadline, s.id`)
	if err != nil {
		return nil, fmt.Errorf("open supervisions: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Supervision, error) {
		s, err := scanSupervision(sc)
		s.Deadline, s.CreatedAt = s.Deadline.UTC(), s.CreatedAt.UTC()
		return s, err
	})
}

func (st store) insertAccountability(ctx context.Context, a Accountability) (int64, error) {
	var staff any
	if a.StaffID != nil {
		staff = *a.StaffID
	}
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO case_accountability (supervision_id, case_id, unit_code, staff_id,
		person_name, kind, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.SupervisionID, a.CaseID, nullable(a.UnitCode), staff, a.PersonName, a.Kind, a.Note, nullID(a.CreatedBy),
		a.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert accountability: %w", err)
	}
	return id, nil
}

// accountability lists the records of a supervision, oldest first.
func (st store) accountability(ctx context.Context, supID int64) ([]Accountability, error) {
	rows, err := st.db.Query(ctx, `SELECT id, supervision_id, case_id, COALESCE(unit_code, ''), staff_id, person_name,
		kind, note, COALESCE(created_by, 0), created_at FROM case_accountability WHERE supervision_id = ? ORDER BY id`,
		supID)
	if err != nil {
		return nil, fmt.Errorf("list accountability: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (Accountability, error) {
		var a Accountability
		var staff sql.NullInt64
		err := sc.Scan(&a.ID, &a.SupervisionID, &a.CaseID, &a.UnitCode, &staff, &a.PersonName, &a.Kind,
			&a.Note, &a.CreatedBy, &a.CreatedAt)
		if staff.Valid {
			a.StaffID = &staff.Int64
		}
		return a, err
	})
}

// enqueueOnce writes an outbox message unless its dedup key exists and
// reports whether it wrote one.
func (st store) enqueueOnce(ctx context.Context, m OutboxMessage, dedup string) (bool, error) {
	res, err := st.db.Exec(ctx, `INSERT INTO outbox (channel, recipient_unit, recipient_user_id, kind, case_id,
		payload, dedup, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup) DO NOTHING`,
		m.Channel, m.RecipientUnit, m.RecipientUserID, m.Kind, m.CaseID, string(m.Payload), dedup, m.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("enqueue notification: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// remindSupervision queues, once, the reminder (due) or the overdue notice
// and the escalation of one supervision, with its audit entry.
func (s *Service) remindSupervision(ctx context.Context, sup Supervision, now time.Time) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.st.caseByID(ctx, sup.CaseID)
		if err != nil || !r.Status.Open() {
			return err
		}
		asgs, err := s.st.assignments(ctx, r.ID)
		if err != nil {
			return err
		}
		handlers := handlerUnits(r, asgs)
		kind, channels := OutboxSupervisionDue, []string{ChannelInApp}
		if now.After(sup.Deadline) {
			kind, channels = OutboxSupervisionOverdue, []string{ChannelInApp, ChannelSMS}
		}
		payload := []byte(mustJSON(map[string]any{"case_id": r.ID, "number": r.Number, "supervision_id": sup.ID,
			"supervisor": sup.SupervisorUnitCode, "deadline": sup.Deadline, "reason": sup.Reason}))
		type target struct{ kind, unit string }
		targets := make([]target, 0, len(handlers)+1)
		for _, u := range handlers {
			targets = append(targets, target{kind, u})
		}
		if kind == OutboxSupervisionOverdue {
			up, err := s.st.unit(ctx, sup.SupervisorUnitCode, "supervisor_unit_code")
			if err != nil {
				return err
			}
			if up.Parent == "" {
				up.Parent = up.Code // the top platform escalates to itself
			}
			targets = append(targets, target{OutboxSupervisionEscalated, up.Parent})
		}
		wrote := false
		for _, tg := range targets {
			for _, ch := range channels {
				m := OutboxMessage{Channel: ch, RecipientUnit: tg.unit, Kind: tg.kind, CaseID: r.ID, Payload: payload,
					CreatedAt: now}
				ok, err := s.st.enqueueOnce(ctx, m, fmt.Sprintf("sup/%d/%s/%s/%s", sup.ID, tg.kind, tg.unit, ch))
				if err != nil {
					return err
				}
				wrote = wrote || ok
			}
		}
		if !wrote {
			return nil
		}
		return s.audit.Record(ctx, audit.Entry{Action: "case." + kind, ObjectType: "case",
			ObjectID: strconv.FormatInt(r.ID, 10), Detail: map[string]any{"number": r.Number,
				"supervision": sup.ID, "deadline": sup.Deadline, "units": handlers}})
	})
}

// handlerUnits lists the units working a case now: those of its active
// assignments, else the unit holding it.
func handlerUnits(r caseRow, asgs []Assignment) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range asgs {
		if (a.Status == AsgAssigned || a.Status == AsgHandling) && !seen[a.UnitCode] {
			seen[a.UnitCode] = true
			out = append(out, a.UnitCode)
		}
	}
	if len(out) == 0 {
		out = append(out, r.CurrentUnitCode)
	}
	return out
}
