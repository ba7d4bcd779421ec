package jobs

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

// start is Monday 2 March 2026, 09:00 in Shanghai.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, cst)

// sys acts as the platform.
var sys = actor.With(context.Background(), actor.SystemActor("test"))

// newRunner returns a runner named node on d with the shared clock.
func newRunner(d *db.DB, clk clock.Clock, node string) *Runner {
	return New(d, audit.New(d, clk), clk, Options{Node: node})
}

// twoNodes returns the runners node-a on da and node-b on dbb (one
// database, through one or two connections) on one clock, each with j
// registered and its row written.
func twoNodes(t *testing.T, clk clock.Clock, j Job, da, dbb *db.DB) (*Runner, *Runner) {
	t.Helper()
	a, b := newRunner(da, clk, "node-a"), newRunner(dbb, clk, "node-b")
	for _, r := range []*Runner{a, b} {
		r.Register(j)
		if err := r.Sync(sys); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// counter is a job that counts its runs.
type counter struct{ n atomic.Int64 }

func (c *counter) job(name string, s Schedule) Job {
	return Job{Name: name, Schedule: s, Run: func(ctx context.Context) (Summary, error) {
		return Summary{"run": c.n.Add(1)}, nil
	}}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func must[T any](v T, err error) T { return orgtest.Must(v, err) }

// TestDueJobRunsOnce: two nodes on one database with one clock poll in
// turn; each due run happens on one of them only.
func TestDueJobRunsOnce(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dbs := dbtest.OpenShared(t, e, 2)
			d1, d2 := dbs[0], dbs[1]
			clk := clock.NewFake(start)
			var c counter
			a, b := twoNodes(t, clk, c.job("test.tick", Every(time.Minute)), d1, d2)
			steps := []struct {
				advance time.Duration
				first   *Runner
				want    int64
			}{
				{0, a, 1},                // due at once after registration
				{30 * time.Second, b, 1}, // not yet due again
				{30 * time.Second, b, 2}, // a minute after the first start
				{0, a, 2},
				{5 * time.Minute, a, 3}, // missed runs are not replayed
				{0, b, 3},
			}
			for i, st := range steps {
				clk.Advance(st.advance)
				other := b
				if st.first == b {
					other = a
				}
				must(st.first.RunDue(sys))
				must(other.RunDue(sys))
				if got := c.n.Load(); got != st.want {
					t.Fatalf("step %d: %d runs, want %d", i, got, st.want)
				}
			}
			if got := count(t, d1, `SELECT count(*) FROM job_runs WHERE job = 'test.tick' AND result = 'ok'`); got != 3 {
				t.Fatalf("recorded runs %d, want 3", got)
			}
		})
	}
}

// TestConcurrentRunnersRace: two nodes with separate connections claim
// the same due run at the same moment, again and again; the job runs once
// per round, on whichever node won.
func TestConcurrentRunnersRace(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dbs := dbtest.OpenShared(t, e, 2)
			d1, d2 := dbs[0], dbs[1]
			clk := clock.NewFake(start)
			var calls atomic.Int64
			started := make(chan struct{}, 4)
			var release chan struct{}
			var mu sync.Mutex
			job := Job{Name: "test.race", Schedule: Every(time.Minute), Run: func(ctx context.Context) (Summary, error) {
				calls.Add(1)
				started <- struct{}{}
				mu.Lock()
				rel := release
				mu.Unlock()
				select { // hold the lease until the other node has tried
				case <-rel:
				case <-time.After(10 * time.Second):
				}
				return nil, nil
			}}
			a, b := twoNodes(t, clk, job, d1, d2)
			runners := []*Runner{a, b}
			const rounds = 8
			for round := 0; round < rounds; round++ {
				mu.Lock()
				release = make(chan struct{})
				mu.Unlock()
				gate := make(chan struct{})
				results := make(chan int, 2)
				for _, r := range runners {
					go func() {
						<-gate
						n, err := r.RunDue(sys)
						if err != nil {
							t.Error(err)
						}
						results <- n
					}()
				}
				close(gate)
				<-started
				// Either the loser gives up (returns 0) or, if the lease
				// failed, a second run starts.
				var ran []int
				select {
				case n := <-results:
					ran = append(ran, n)
				case <-started:
					t.Fatalf("round %d: the job started on both nodes", round)
				}
				close(release)
				ran = append(ran, <-results)
				if ran[0]+ran[1] != 1 {
					t.Fatalf("round %d: runs %v, want one in all", round, ran)
				}
				clk.Advance(time.Minute)
			}
			if got := calls.Load(); got != rounds {
				t.Fatalf("job ran %d times in %d rounds", got, rounds)
			}
			if got := count(t, d1, `SELECT count(*) FROM job_runs WHERE result = 'ok'`); got != rounds {
				t.Fatalf("recorded runs %d, want %d", got, rounds)
			}
		})
	}
}

// TestLeaseExpiresAfterCrash: a node that claims a run and dies keeps the
// job until its lease runs out; then another node runs it and its
// unfinished run is recorded as abandoned.
func TestLeaseExpiresAfterCrash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(start)
		var c counter
		dead, live := twoNodes(t, clk, c.job("test.crash", Every(time.Hour)), d, d)
		// The dead node claims and never runs nor renews.
		crashed, ok, err := dead.claim(sys, "test.crash", false)
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		st := must(live.Job(sys, "test.crash"))
		if !st.Running || st.LeaseHolder != "node-a" || st.LastRun == nil || st.LastRun.Result != ResultRunning {
			t.Fatalf("while leased: %+v", st)
		}
		clk.Advance(DefaultLease - time.Second)
		if n := must(live.RunDue(sys)); n != 0 {
			t.Fatalf("ran %d before the lease expired", n)
		}
		clk.Advance(2 * time.Second)
		if n := must(live.RunDue(sys)); n != 1 || c.n.Load() != 1 {
			t.Fatalf("after expiry: ran %d (job %d), want 1", n, c.n.Load())
		}
		runs := must(live.Runs(sys, "test.crash", 0))
		if len(runs) != 2 {
			t.Fatalf("runs %+v, want 2", runs)
		}
		if r := runs[1]; r.ID != crashed.run.ID || r.Result != ResultAbandoned || r.Node != "node-a" || r.FinishedAt == nil || r.Error == "" {
			t.Fatalf("crashed run: %+v", r)
		}
		if r := runs[0]; r.Result != ResultOK || r.Node != "node-b" {
			t.Fatalf("new run: %+v", r)
		}
		st = must(live.Job(sys, "test.crash"))
		if st.Running || st.LastRun == nil || st.LastRun.ID != runs[0].ID {
			t.Fatalf("after: %+v", st)
		}
		if want := runs[0].StartedAt.Add(time.Hour); !st.NextRun.Equal(want) {
			t.Fatalf("next run %v, want %v", st.NextRun, want)
		}
	})
}

// TestRunHistory: every run is recorded with its summary or error, the
// next due time follows the schedule, and old runs are dropped.
func TestRunHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(start)
		r := New(d, audit.New(d, clk), clk, Options{Node: "n1", Keep: 2 * time.Hour})
		fail := true
		r.Register(Job{Name: "test.history", Schedule: Every(time.Hour), Run: func(ctx context.Context) (Summary, error) {
			clk.Advance(3 * time.Second) // the work takes time
			if a := actor.From(ctx); a == nil || !a.System || a.Username != "job:test.history" {
				return nil, errors.New("not run as the system actor")
			}
			fail = !fail
			if fail {
				return Summary{"done": 1}, errors.New("disk full")
			}
			return Summary{"purged": 7, "bytes": 1024}, nil
		}})
		must(0, r.Sync(sys))
		must(r.RunDue(sys))
		clk.Advance(time.Hour)
		must(r.RunDue(sys))
		runs := must(r.Runs(sys, "", 0))
		if len(runs) != 2 {
			t.Fatalf("runs %d, want 2", len(runs))
		}
		ok, bad := runs[1], runs[0]
		if ok.Result != ResultOK || ok.Summary["purged"] != 7 || ok.Summary["bytes"] != 1024 || ok.Error != "" ||
			ok.Cause != CauseSchedule || ok.Node != "n1" || !ok.StartedAt.Equal(start) ||
			ok.FinishedAt == nil || !ok.FinishedAt.Equal(start.Add(3*time.Second)) {
			t.Fatalf("first run: %+v", ok)
		}
		if bad.Result != ResultError || bad.Error != "disk full" || bad.Summary["done"] != 1 {
			t.Fatalf("second run: %+v", bad)
		}
		st := must(r.Job(sys, "test.history"))
		if st.LastRun == nil || st.LastRun.ID != bad.ID || st.LastRun.Result != ResultError || st.Schedule != Every(time.Hour) {
			t.Fatalf("status: %+v", st)
		}
		if want := bad.StartedAt.Add(time.Hour); !st.NextRun.Equal(want) {
			t.Fatalf("next run after a failure %v, want %v", st.NextRun, want)
		}
		// Nearly two hours on, the first run is older than Keep and goes.
		clk.Set(bad.StartedAt.Add(2*time.Hour - 10*time.Second))
		must(r.RunDue(sys))
		runs = must(r.Runs(sys, "test.history", 0))
		if len(runs) != 2 || runs[1].ID != bad.ID {
			t.Fatalf("after pruning: %+v", runs)
		}
		if _, err := r.Runs(sys, "test.none", 0); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("runs of an unknown job: %v", err)
		}
		if _, err := r.Runs(sys, "", -1); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("negative limit: %v", err)
		}
	})
}

// TestDailyJob: a daily job is first due at its next Shanghai time and
// then every day at that time.
func TestDailyJob(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(time.Date(2026, 3, 2, 23, 0, 0, 0, cst))
		var c counter
		r := newRunner(d, clk, "n1")
		r.Register(c.job("test.daily", Daily(0, 30)))
		must(0, r.Sync(sys))
		if want := time.Date(2026, 3, 3, 0, 30, 0, 0, cst); !must(r.Job(sys, "test.daily")).NextRun.Equal(want) {
			t.Fatalf("first due %v, want %v", must(r.Job(sys, "test.daily")).NextRun, want)
		}
		clk.Set(time.Date(2026, 3, 3, 0, 29, 0, 0, cst))
		if n := must(r.RunDue(sys)); n != 0 {
			t.Fatalf("ran %d before its time", n)
		}
		clk.Set(time.Date(2026, 3, 3, 0, 30, 0, 0, cst))
		if n := must(r.RunDue(sys)); n != 1 {
			t.Fatalf("ran %d at its time, want 1", n)
		}
		if want := time.Date(2026, 3, 4, 0, 30, 0, 0, cst); !must(r.Job(sys, "test.daily")).NextRun.Equal(want) {
			t.Fatalf("next due %v, want %v", must(r.Job(sys, "test.daily")).NextRun, want)
		}
		// A changed schedule takes effect at the next start.
		r2 := newRunner(d, clk, "n2")
		r2.Register(c.job("test.daily", Daily(6, 0)))
		must(0, r2.Sync(sys))
		st := must(r2.Job(sys, "test.daily"))
		if want := time.Date(2026, 3, 3, 6, 0, 0, 0, cst); !st.NextRun.Equal(want) || st.Schedule != Daily(6, 0) {
			t.Fatalf("rescheduled: %v %s, want %v", st.NextRun, st.Schedule, want)
		}
	})
}
