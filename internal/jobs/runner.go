package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// Runner holds the registered jobs, runs them when due under their lease,
// and answers the console, the API and the CLI about them.
type Runner struct {
	st    store
	db    *db.DB
	audit *audit.Log
	clock clock.Clock
	opts  Options
	log   *slog.Logger

	mu   sync.Mutex
	jobs map[string]Job
	// wake makes Start look for work at once (a run-now request here).
	wake chan struct{}
}

// New returns a runner over d, auditing run-now requests to log and
// reading the time from clk.
func New(d *db.DB, log *audit.Log, clk clock.Clock, opts Options) *Runner {
	if opts.Node == "" {
		host, _ := os.Hostname()
		opts.Node = host + "/" + strconv.Itoa(os.Getpid())
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Runner{st: store{db: d}, db: d, audit: log, clock: clk, opts: opts, log: opts.Logger,
		jobs: map[string]Job{}, wake: make(chan struct{}, 1)}
}

// Node returns the name this runner holds leases under.
func (r *Runner) Node() string { return r.opts.Node }

// Register adds a job. A bad name, schedule or a second job of one name
// is a programming error and panics, at start.
func (r *Runner) Register(j Job) {
	if !validName.MatchString(j.Name) || !j.Schedule.Valid() || j.Run == nil {
		panic(fmt.Sprintf("jobs: invalid job %q (%s)", j.Name, j.Schedule))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.jobs[j.Name]; dup {
		panic("jobs: job " + j.Name + " registered twice")
	}
	r.jobs[j.Name] = j
}

// Names returns the registered jobs' names, sorted.
func (r *Runner) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.jobs))
	for n := range r.jobs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (r *Runner) job(name string) (Job, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[name]
	return j, ok
}

// now is the clock's time at the database's precision.
func (r *Runner) now() time.Time { return r.clock.Now().UTC().Truncate(time.Microsecond) }

// Sync writes a row for every registered job not yet in the database (due
// at once for an interval, at its next time for a daily job) and takes
// the new schedule of a job whose schedule changed.
func (r *Runner) Sync(ctx context.Context) error {
	now := r.now()
	for _, n := range r.Names() {
		j, _ := r.job(n)
		if err := r.st.ensure(ctx, n, j.Schedule.String(), j.Schedule.first(now)); err != nil {
			return err
		}
	}
	return nil
}

// Start runs due jobs and requested runs, each in its own goroutine, until
// ctx ends; it then waits for the runs under way (they see ctx cancelled)
// to record how they ended.
func (r *Runner) Start(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(r.opts.Poll)
	defer tick.Stop()
	synced := false
	for {
		if !synced {
			if err := r.Sync(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("jobs: register", "err", err)
			} else {
				synced = true
			}
		}
		if synced {
			if _, err := r.pass(ctx, &wg); err != nil && ctx.Err() == nil {
				r.log.Error("jobs: look for due jobs", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-r.wake:
		}
	}
}

// RunDue claims and runs, one after another, every registered job that is
// due or asked for and not leased by another node, and returns how many
// it ran. Start does the same on every poll; tests call it to step time.
func (r *Runner) RunDue(ctx context.Context) (int, error) { return r.pass(ctx, nil) }

// pass claims the due jobs; with wg it runs each in a goroutine, without
// it in turn before returning.
func (r *Runner) pass(ctx context.Context, wg *sync.WaitGroup) (int, error) {
	names, err := r.st.due(ctx, r.now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		j, ok := r.job(name)
		if !ok {
			continue // registered by another version of the binary
		}
		c, ok, err := r.claim(ctx, name, false)
		if err != nil {
			return n, err
		}
		if !ok {
			continue // another node was quicker
		}
		n++
		if wg == nil {
			r.execute(ctx, j, c)
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); r.execute(ctx, j, c) }()
	}
	return n, nil
}

// claimed is a run this node holds the lease for.
type claimed struct {
	token string
	run   Run
}

// claim takes a job's lease and records the run it starts; ok is false
// when the job is leased by a live holder or (unless force) not due.
// The runs a dead holder left are marked abandoned in the same transaction.
func (r *Runner) claim(ctx context.Context, name string, force bool) (c claimed, ok bool, err error) {
	now := r.now()
	token := newToken()
	err = r.db.WithTx(ctx, func(ctx context.Context) error {
		got, err := r.st.claim(ctx, name, r.opts.Node, token, now, now.Add(r.opts.Lease), force)
		if err != nil || !got {
			return err
		}
		s, found, err := r.st.status(ctx, name)
		if err != nil || !found {
			return fmt.Errorf("claimed job %s vanished: %w", name, err)
		}
		run := Run{Job: name, Node: r.opts.Node, Cause: CauseSchedule, StartedAt: now, Result: ResultRunning}
		switch {
		case force:
			run.Cause = CauseCLI
			if a := actor.From(ctx); a != nil {
				run.RequestedBy = a.Username
			}
		case s.RequestedAt != nil:
			run.Cause, run.RequestedBy = CauseRequest, s.RequestedBy
		}
		if err := r.st.abandon(ctx, name, now); err != nil {
			return err
		}
		if run.ID, err = r.st.startRun(ctx, run); err != nil {
			return err
		}
		if force {
			if err := r.audit.Record(ctx, audit.Entry{Action: "job.run", ObjectType: "job", ObjectID: name,
				Result: audit.Success, Detail: map[string]any{"run_id": run.ID, "node": run.Node}}); err != nil {
				return err
			}
		}
		c, ok = claimed{token: token, run: run}, true
		return nil
	})
	if err != nil {
		return claimed{}, false, err
	}
	return c, ok, nil
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
