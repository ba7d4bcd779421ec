package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"gridgov/internal/actor"
)

// errLeaseLost cancels a run whose node no longer holds its lease.
var errLeaseLost = errors.New("the lease was lost (taken over after it expired)")

// execute runs a claimed job as the system actor, renewing its lease, and
// records how it ended. A run cut short by ctx (the process stopping)
// leaves the job due, so that another node or the next start runs it.
func (r *Runner) execute(ctx context.Context, j Job, c claimed) Run {
	jctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jctx = actor.With(jctx, actor.SystemActor("job:"+j.Name))
	jctx = actor.WithMeta(jctx, actor.Meta{RequestID: "job-" + strconv.FormatInt(c.run.ID, 10),
		UserAgent: "gridgov-jobs " + r.opts.Node})
	stop := r.keepLease(jctx, j.Name, c.token, cancel)
	sum, err := safeRun(jctx, j)
	stop()
	if cause := context.Cause(jctx); errors.Is(cause, errLeaseLost) && err != nil {
		err = fmt.Errorf("%w: %w", cause, err)
	}
	end := r.now()
	run := c.run
	run.FinishedAt, run.Summary, run.Result = &end, sum, ResultOK
	if run.Summary == nil {
		run.Summary = Summary{}
	}
	var next *time.Time
	if err != nil {
		run.Result, run.Error = ResultError, err.Error()
	}
	if err == nil || ctx.Err() == nil {
		n := j.Schedule.Next(run.StartedAt)
		if !n.After(end) {
			n = j.Schedule.Next(end)
		}
		next = &n
	}
	bctx := context.WithoutCancel(ctx)
	var held bool
	ferr := r.db.WithTx(bctx, func(ctx context.Context) error {
		if err := r.st.finishRun(ctx, run); err != nil {
			return err
		}
		var err error
		if held, err = r.st.release(ctx, j.Name, c.token, next, run.StartedAt); err != nil {
			return err
		}
		return r.st.prune(ctx, j.Name, end.Add(-r.opts.Keep))
	})
	switch {
	case ferr != nil:
		r.log.Error("jobs: record run", "job", j.Name, "run", run.ID, "err", ferr)
	case !held:
		r.log.Warn("jobs: lease lost during the run", "job", j.Name, "run", run.ID, "node", r.opts.Node)
	}
	r.logRun(run)
	return run
}

// logRun logs a failure as an error and a run that did something as info.
func (r *Runner) logRun(run Run) {
	if run.Result == ResultError {
		r.log.Error("jobs: run failed", "job", run.Job, "run", run.ID, "err", run.Error)
		return
	}
	for _, v := range run.Summary {
		if v != 0 {
			r.log.Info("jobs: run", "job", run.Job, "run", run.ID, "summary", run.Summary)
			return
		}
	}
	r.log.Debug("jobs: run", "job", run.Job, "run", run.ID)
}

// keepLease renews the lease every quarter of its length until the
// returned stop is called; a lease found taken cancels the run.
func (r *Runner) keepLease(ctx context.Context, name, token string, cancel context.CancelCauseFunc) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(r.opts.Lease / 4)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			ok, err := r.st.renew(context.WithoutCancel(ctx), name, token, r.now().Add(r.opts.Lease))
			switch {
			case err != nil:
				r.log.Warn("jobs: renew lease", "job", name, "err", err)
			case !ok:
				cancel(errLeaseLost)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// safeRun calls the job, turning a panic into an error.
func safeRun(ctx context.Context, j Job) (sum Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return j.Run(ctx)
}
