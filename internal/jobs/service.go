package jobs

import (
	"context"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Limits of a list of runs.
const (
	DefaultRuns = 50
	MaxRuns     = 200
)

// requireManager checks jobs.manage over a root of the org tree: a job
// works on the whole installation, so a district's administrator does not
// run it. The system (CLI) passes.
func requireManager(ctx context.Context) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if CanManage(a) {
		return nil
	}
	if rbac.HasAnywhere(a, rbac.JobsManage) {
		return apperr.New(apperr.Forbidden, "background jobs need jobs.manage over the whole city")
	}
	return apperr.Newf(apperr.Forbidden, "permission %s required", rbac.JobsManage)
}

// CanManage reports whether a may see and run the jobs: the system, or
// jobs.manage over a root of the org tree.
func CanManage(a *actor.Actor) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if g.Perms[rbac.JobsManage] && strings.Count(g.ScopePath, "/") == 2 {
			return true
		}
	}
	return false
}

// Jobs lists the jobs by name with their schedule, next due time, lease
// and last run (jobs.manage over the city).
func (r *Runner) Jobs(ctx context.Context) ([]Status, error) {
	if err := requireManager(ctx); err != nil {
		return nil, err
	}
	out, err := r.st.statuses(ctx)
	if err != nil {
		return nil, apperr.Wrap(err, "list jobs")
	}
	now := r.now()
	for i := range out {
		out[i].settle(now)
	}
	return out, nil
}

// Job returns one job (jobs.manage over the city); unknown is not_found.
func (r *Runner) Job(ctx context.Context, name string) (Status, error) {
	if err := requireManager(ctx); err != nil {
		return Status{}, err
	}
	s, ok, err := r.st.status(ctx, name)
	if err != nil {
		return Status{}, apperr.Wrap(err, "read job")
	}
	if !ok {
		return Status{}, apperr.NotFoundf("no job %q", name)
	}
	s.settle(r.now())
	return s, nil
}

// settle shows a lease only while it holds: an expired one is a node that
// died, whose run the next claim marks abandoned.
func (s *Status) settle(now time.Time) {
	s.Running = s.LeaseUntil != nil && s.LeaseUntil.After(now)
	if !s.Running {
		s.LeaseHolder, s.LeaseUntil = "", nil
	}
}

// Runs lists the latest runs of one job, or of every job when name is
// empty, newest first (jobs.manage over the city). A limit of 0 takes
// DefaultRuns; one above MaxRuns is clamped; a negative one is invalid.
func (r *Runner) Runs(ctx context.Context, name string, limit int) ([]Run, error) {
	if err := requireManager(ctx); err != nil {
		return nil, err
	}
	limit, err := db.Paging{Default: DefaultRuns, Max: MaxRuns}.Limit(limit)
	if err != nil {
		return nil, err
	}
	if name != "" {
		if _, ok, err := r.st.status(ctx, name); err != nil {
			return nil, apperr.Wrap(err, "read job")
		} else if !ok {
			return nil, apperr.NotFoundf("no job %q", name)
		}
	}
	out, err := r.st.runs(ctx, name, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "list runs")
	}
	return out, nil
}

// RequestRun asks for a run of a job now, audited (jobs.manage over the
// city): the first runner to look (this node's at once, others within
// their poll) runs it under the lease, after the run under way if any.
// A request already waiting stands; an unknown job is not_found.
func (r *Runner) RequestRun(ctx context.Context, name string) (Status, error) {
	if err := requireManager(ctx); err != nil {
		return Status{}, err
	}
	by := ""
	if a := actor.From(ctx); a != nil {
		by = a.Username
	}
	err := r.db.WithTx(ctx, func(ctx context.Context) error {
		ok, err := r.st.request(ctx, name, by, r.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.NotFoundf("no job %q", name)
		}
		return r.audit.Record(ctx, audit.Entry{Action: "job.run_request", ObjectType: "job", ObjectID: name,
			Result: audit.Success})
	})
	if err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return Status{}, err
		}
		return Status{}, apperr.Wrap(err, "request run")
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return r.Job(ctx, name)
}

// RunNow runs a registered job in this process at once, under its lease,
// recorded with cause "cli" and audited (jobs.manage over the city; the
// CLI acts as the system). It waits for the run and returns it; the run's
// own failure is in its Result and Error. A job whose lease another run
// holds is a conflict; an unknown job is not_found.
func (r *Runner) RunNow(ctx context.Context, name string) (Run, error) {
	if err := requireManager(ctx); err != nil {
		return Run{}, err
	}
	j, ok := r.job(name)
	if !ok {
		return Run{}, apperr.NotFoundf("no job %q", name)
	}
	if err := r.st.ensure(ctx, name, j.Schedule.String(), j.Schedule.first(r.now())); err != nil {
		return Run{}, apperr.Wrap(err, "register job")
	}
	c, ok, err := r.claim(ctx, name, true)
	if err != nil {
		return Run{}, apperr.Wrap(err, "claim job")
	}
	if !ok {
		s, _, _ := r.st.status(ctx, name)
		until := ""
		if s.LeaseUntil != nil {
			until = s.LeaseUntil.Format(time.RFC3339)
		}
		return Run{}, apperr.Newf(apperr.Conflict, "job %s is running on %s (lease until %s)", name, s.LeaseHolder, until).
			WithReason("job_running")
	}
	return r.execute(ctx, j, c), nil
}
