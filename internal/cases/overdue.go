package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/jobs"
)

// RefreshResult counts what one overdue refresh changed.
type RefreshResult struct {
	Checked int `json:"checked"`
	Yellow  int `json:"yellow"`
	Red     int `json:"red"`
	// Open supervisions nearing and past their own deadline.
	SupervisionDue     int `json:"supervision_due"`
	SupervisionOverdue int `json:"supervision_overdue"`
}

// nearFraction is the share of a stage's time after which it turns yellow.
const nearFraction = 0.8

// overdueState is the traffic light of a stage started at start with
// deadline dl, at now.
func overdueState(start time.Time, dl *time.Time, now time.Time) Overdue {
	if dl == nil {
		return Green
	}
	if now.After(*dl) {
		return Red
	}
	total := dl.Sub(start)
	if total > 0 && float64(now.Sub(start)) >= nearFraction*float64(total) {
		return Yellow
	}
	return Green
}

// RefreshOverdue recomputes the overdue state of every open case with a
// stage deadline and queues the near-limit and overdue notices (once per
// stage and kind), then the reminders and escalations of supervisions
// nearing or past their own deadline (once each). The scheduler calls it;
// it runs as the system.
func (s *Service) RefreshOverdue(ctx context.Context, now time.Time) (RefreshResult, error) {
	var res RefreshResult
	now = now.UTC()
	ctx = actor.With(ctx, actor.SystemActor("case-scheduler"))
	type change struct {
		id    int64
		state Overdue
	}
	var changes []change
	err := func() error {
		rows, err := s.db.Query(ctx, `SELECT id, stage_started_at, deadline, overdue FROM cases
			WHERE status IN ('reported', 'assigned', 'handling', 'feedback') AND deadline IS NOT NULL`)
		if err != nil {
			return fmt.Errorf("overdue scan: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var start time.Time
			var dl sql.NullTime
			var cur Overdue
			if err := rows.Scan(&id, &start, &dl, &cur); err != nil {
				return err
			}
			res.Checked++
			if st := overdueState(start, timePtr(dl), now); st != cur {
				changes = append(changes, change{id, st})
			}
		}
		return rows.Err()
	}()
	if err != nil {
		return res, err
	}
	for _, ch := range changes {
		if err := s.applyOverdue(ctx, ch.id, ch.state, now); err != nil {
			return res, err
		}
		switch ch.state {
		case Yellow:
			res.Yellow++
		case Red:
			res.Red++
		}
	}
	res.SupervisionDue, res.SupervisionOverdue, err = s.refreshSupervisions(ctx, now)
	return res, err
}

// applyOverdue stores a new overdue state and queues its notice.
func (s *Service) applyOverdue(ctx context.Context, id int64, st Overdue, now time.Time) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.st.caseByID(ctx, id)
		if err != nil {
			return err
		}
		// Recheck inside the transaction: a transition may have moved on.
		st = overdueState(r.StageStartedAt, r.Deadline, now)
		if st == r.Overdue || !r.Status.Open() || r.Status == StatusSuspended {
			return nil
		}
		if _, err := s.db.Exec(ctx, `UPDATE cases SET overdue = ? WHERE id = ?`, string(st), id); err != nil {
			return fmt.Errorf("set overdue: %w", err)
		}
		r.Overdue = st
		if err := s.audit.Record(ctx, audit.Entry{Action: "case.overdue", ObjectType: "case",
			ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"number": r.Number, "overdue": string(st),
				"stage": r.Stage, "deadline": r.Deadline}}); err != nil {
			return err
		}
		switch st {
		case Yellow:
			return s.notify(ctx, r, OutboxNearLimit, r.CurrentUnitCode, now, ChannelInApp)
		case Red:
			return s.notify(ctx, r, OutboxOverdue, r.CurrentUnitCode, now, ChannelInApp, ChannelSMS)
		}
		return nil
	})
}

// OverdueJob is the overdue scan as a background job (internal/jobs):
// every minute, as the system, one node at a time.
func (s *Service) OverdueJob() jobs.Job {
	return jobs.Job{Name: "cases.overdue", Schedule: jobs.Every(time.Minute),
		Run: func(ctx context.Context) (jobs.Summary, error) {
			res, err := s.RefreshOverdue(ctx, s.clock.Now())
			return jobs.Summary{"checked": int64(res.Checked), "yellow": int64(res.Yellow), "red": int64(res.Red),
				"supervision_due": int64(res.SupervisionDue), "supervision_overdue": int64(res.SupervisionOverdue)}, err
		}}
}
