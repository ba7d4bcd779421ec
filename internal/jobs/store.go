package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/db"
)

// store holds the SQL of jobs and job_runs.
type store struct{ db *db.DB }

// ensure creates a job's row, due first at first; a row whose schedule
// changed takes the new schedule and due time, any other is left alone.
func (st store) ensure(ctx context.Context, name, schedule string, first time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO jobs (name, schedule, next_run) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule, next_run = excluded.next_run
		WHERE jobs.schedule <> excluded.schedule`, name, schedule, first)
	if err != nil {
		return fmt.Errorf("register job %s: %w", name, err)
	}
	return nil
}

// claim takes the lease of a job whose lease is free or expired at now and
// that is due or asked for (any job when force). It is one statement, so
// of two nodes claiming together one wins.
func (st store) claim(ctx context.Context, name, node, token string, now, until time.Time, force bool) (bool, error) {
	q := `UPDATE jobs SET lease_holder = ?, lease_token = ?, lease_until = ?
		WHERE name = ? AND (lease_until IS NULL OR lease_until < ?)`
	if !force {
		q += ` AND (next_run <= ? OR run_requested_at IS NOT NULL)`
	}
	args := []any{node, token, until, name, now}
	if !force {
		args = append(args, now)
	}
	res, err := st.db.Exec(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("claim job %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// abandon closes the runs of a job still marked running: the lease was
// free or expired, so whoever ran them is gone.
func (st store) abandon(ctx context.Context, name string, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE job_runs SET result = 'abandoned', finished_at = ?,
		error = 'the node lost its lease before the run ended' WHERE job = ? AND result = 'running'`, now, name)
	if err != nil {
		return fmt.Errorf("abandon runs of %s: %w", name, err)
	}
	return nil
}

// startRun records a run as running and makes it the job's last run.
func (st store) startRun(ctx context.Context, r Run) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO job_runs (job, node, cause, requested_by, started_at, result)
		VALUES (?, ?, ?, ?, ?, 'running') RETURNING id`, r.Job, r.Node, r.Cause, r.RequestedBy, r.StartedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record run of %s: %w", r.Job, err)
	}
	if _, err := st.db.Exec(ctx, `UPDATE jobs SET last_run_id = ? WHERE name = ?`, id, r.Job); err != nil {
		return 0, fmt.Errorf("record run of %s: %w", r.Job, err)
	}
	return id, nil
}

// renew extends a lease still held under token.
func (st store) renew(ctx context.Context, name, token string, until time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE jobs SET lease_until = ? WHERE name = ? AND lease_token = ?`, until, name, token)
	if err != nil {
		return false, fmt.Errorf("renew lease of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// finishRun records how a run ended.
func (st store) finishRun(ctx context.Context, r Run) error {
	sum, err := json.Marshal(r.Summary)
	if err != nil {
		return err
	}
	_, err = st.db.Exec(ctx, `UPDATE job_runs SET finished_at = ?, result = ?, summary = ?, error = ? WHERE id = ?`,
		r.FinishedAt, r.Result, string(sum), r.Error, r.ID)
	if err != nil {
		return fmt.Errorf("record end of run %d: %w", r.ID, err)
	}
	return nil
}

// release gives the lease back if still held under token, setting the
// next due time (nil: unchanged) and clearing the requests made before
// the run started; it reports whether the lease was still held.
func (st store) release(ctx context.Context, name, token string, next *time.Time, started time.Time) (bool, error) {
	var nextArg any
	if next != nil {
		nextArg = *next
	}
	res, err := st.db.Exec(ctx, `UPDATE jobs SET lease_holder = '', lease_token = '', lease_until = NULL,
		next_run = COALESCE(?, next_run),
		run_requested_by = CASE WHEN run_requested_at <= ? THEN '' ELSE run_requested_by END,
		run_requested_at = CASE WHEN run_requested_at <= ? THEN NULL ELSE run_requested_at END
		WHERE name = ? AND lease_token = ?`, nextArg, started, started, name, token)
	if err != nil {
		return false, fmt.Errorf("release lease of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// prune drops a job's runs started before cutoff.
func (st store) prune(ctx context.Context, name string, cutoff time.Time) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM job_runs WHERE job = ? AND started_at < ? AND result <> 'running'`,
		name, cutoff); err != nil {
		return fmt.Errorf("prune runs of %s: %w", name, err)
	}
	return nil
}

// request records a run-now request (an earlier one still waiting stands)
// and reports whether the job exists.
func (st store) request(ctx context.Context, name, by string, now time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE jobs SET
		run_requested_by = CASE WHEN run_requested_at IS NULL THEN ? ELSE run_requested_by END,
		run_requested_at = COALESCE(run_requested_at, ?)
		WHERE name = ?`, by, now, name)
	if err != nil {
		return false, fmt.Errorf("request run of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

const statusColumns = `j.name, j.schedule, j.next_run, j.lease_holder, j.lease_until, j.run_requested_at,
	j.run_requested_by, r.id, r.node, r.cause, r.requested_by, r.started_at, r.finished_at, r.result, r.summary, r.error
	FROM jobs j LEFT JOIN job_runs r ON r.id = j.last_run_id`

// statuses lists the jobs by name with their last runs.
func (st store) statuses(ctx context.Context) ([]Status, error) {
	rows, err := st.db.Query(ctx, `SELECT `+statusColumns+` ORDER BY j.name`)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	defer rows.Close()
	out := []Status{}
	for rows.Next() {
		s, err := scanStatus(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// status returns one job, or ok false.
func (st store) status(ctx context.Context, name string) (Status, bool, error) {
	s, err := scanStatus(st.db.QueryRow(ctx, `SELECT `+statusColumns+` WHERE j.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Status{}, false, nil
	}
	return s, err == nil, err
}

type scanner interface{ Scan(dest ...any) error }

func scanStatus(sc scanner) (Status, error) {
	var s Status
	var sched string
	var leaseUntil, reqAt, rStart, rEnd sql.NullTime
	var rID sql.NullInt64
	var rNode, rCause, rBy, rResult, rSummary, rErr sql.NullString
	if err := sc.Scan(&s.Name, &sched, &s.NextRun, &s.LeaseHolder, &leaseUntil, &reqAt, &s.RequestedBy,
		&rID, &rNode, &rCause, &rBy, &rStart, &rEnd, &rResult, &rSummary, &rErr); err != nil {
		return Status{}, err
	}
	var err error
	if s.Schedule, err = ParseSchedule(sched); err != nil {
		return Status{}, err
	}
	s.NextRun = s.NextRun.UTC()
	s.LeaseUntil, s.RequestedAt = timePtr(leaseUntil), timePtr(reqAt)
	if rID.Valid {
		s.LastRun = &Run{ID: rID.Int64, Job: s.Name, Node: rNode.String, Cause: rCause.String,
			RequestedBy: rBy.String, StartedAt: rStart.Time.UTC(), FinishedAt: timePtr(rEnd),
			Result: rResult.String, Error: rErr.String}
		if s.LastRun.Summary, err = decodeSummary(rSummary.String); err != nil {
			return Status{}, err
		}
	}
	return s, nil
}

// runs lists the latest runs, of one job or (name "") of all, newest first.
func (st store) runs(ctx context.Context, name string, limit int) ([]Run, error) {
	q := `SELECT id, job, node, cause, requested_by, started_at, finished_at, result, summary, error FROM job_runs`
	args := []any{}
	if name != "" {
		q += ` WHERE job = ?`
		args = append(args, name)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := st.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var end sql.NullTime
		var sum string
		if err := rows.Scan(&r.ID, &r.Job, &r.Node, &r.Cause, &r.RequestedBy, &r.StartedAt, &end,
			&r.Result, &sum, &r.Error); err != nil {
			return nil, err
		}
		r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), timePtr(end)
		if r.Summary, err = decodeSummary(sum); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func decodeSummary(s string) (Summary, error) {
	out := Summary{}
	if s == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("run summary: %w", err)
	}
	return out, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// due lists the jobs due or asked for at now whose lease is free or expired.
func (st store) due(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := st.db.Query(ctx, `SELECT name FROM jobs WHERE (lease_until IS NULL OR lease_until < ?)
		AND (next_run <= ? OR run_requested_at IS NOT NULL) ORDER BY next_run, name`, now, now)
	if err != nil {
		return nil, fmt.Errorf("due jobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
