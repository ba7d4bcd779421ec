package jobs

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
)

// TestRequestRun: a run-now request from the console or the API is
// audited and picked up by the next pass of any node, once, recorded with
// who asked; only a city-wide jobs.manage may ask or look.
func TestRequestRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(start)
		var c counter
		a, b := twoNodes(t, clk, c.job("test.request", Every(time.Hour)), d, d)
		must(a.RunDue(sys)) // the first, scheduled run
		admin := orgtest.As("410100", rbac.JobsManage)
		for _, tt := range []struct {
			name string
			ctx  context.Context
			want apperr.Code
		}{
			{"district admin", orgtest.As("410105", rbac.JobsManage), apperr.Forbidden},
			{"without the permission", orgtest.As("410100", rbac.AuditRead), apperr.Forbidden},
			{"anonymous", context.Background(), apperr.Unauthenticated},
		} {
			if _, err := a.RequestRun(tt.ctx, "test.request"); apperr.CodeOf(err) != tt.want {
				t.Errorf("%s: request: %v, want %s", tt.name, err, tt.want)
			}
			if _, err := a.Jobs(tt.ctx); apperr.CodeOf(err) != tt.want {
				t.Errorf("%s: list: %v, want %s", tt.name, err, tt.want)
			}
		}
		if _, err := a.RequestRun(admin, "test.none"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown job: %v", err)
		}
		st := must(a.RequestRun(admin, "test.request"))
		if st.RequestedAt == nil || st.RequestedBy != "u-410100" {
			t.Fatalf("after the request: %+v", st)
		}
		must(a.RequestRun(admin, "test.request")) // a second request joins the first
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'job.run_request' AND object_id = 'test.request'`); n != 2 {
			t.Fatalf("audit entries %d, want 2", n)
		}
		if n := must(b.RunDue(sys)) + must(a.RunDue(sys)); n != 1 || c.n.Load() != 2 {
			t.Fatalf("requested run: %d runs (job %d), want 1", n, c.n.Load())
		}
		if n := must(a.RunDue(sys)) + must(b.RunDue(sys)); n != 0 {
			t.Fatalf("the request ran again: %d", n)
		}
		st = must(a.Job(admin, "test.request"))
		if st.RequestedAt != nil || st.LastRun.Cause != CauseRequest || st.LastRun.RequestedBy != "u-410100" ||
			st.LastRun.Node != "node-b" {
			t.Fatalf("after the requested run: %+v, last %+v", st, st.LastRun)
		}
		list := must(a.Jobs(admin))
		if len(list) != 1 || list[0].Name != "test.request" {
			t.Fatalf("jobs: %+v", list)
		}
	})
}

// TestRunNow: gridgov jobs run runs a job at once in its own process under
// the lease, recorded and audited, and refuses while another node runs it.
func TestRunNow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(start)
		var c counter
		a, b := newRunner(d, clk, "node-a"), newRunner(d, clk, "node-b")
		for _, r := range []*Runner{a, b} {
			r.Register(c.job("test.now", Daily(2, 0)))
		}
		// No Sync: the CLI may run a job the server never registered.
		run := must(a.RunNow(sys, "test.now"))
		if run.Result != ResultOK || run.Cause != CauseCLI || run.RequestedBy != "test" || c.n.Load() != 1 {
			t.Fatalf("run now: %+v (job %d)", run, c.n.Load())
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'job.run' AND object_id = 'test.now'`); n != 1 {
			t.Fatalf("audit entries %d, want 1", n)
		}
		if want := time.Date(2026, 3, 3, 2, 0, 0, 0, cst); !must(a.Job(sys, "test.now")).NextRun.Equal(want) {
			t.Fatalf("the daily time stays: next %v, want %v", must(a.Job(sys, "test.now")).NextRun, want)
		}
		if _, ok, err := b.claim(sys, "test.now", true); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		_, err := a.RunNow(sys, "test.now")
		if e := apperr.As(err); e.Code != apperr.Conflict || e.Reason != "job_running" {
			t.Fatalf("while node-b runs it: %v", err)
		}
		if _, err := a.RunNow(sys, "test.none"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown job: %v", err)
		}
		if _, err := a.RunNow(orgtest.As("410105", rbac.JobsManage), "test.now"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("district admin: %v", err)
		}
	})
}

// TestStart: the loop runs what is due, picks up a request made on its
// node at once, and on shutdown records the interrupted run and leaves the
// job due.
func TestStart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(start)
		r := New(d, audit.New(d, clk), clk, Options{Node: "n1", Poll: time.Hour})
		ran := make(chan string, 4)
		r.Register(Job{Name: "test.quick", Schedule: Daily(3, 0), Run: func(ctx context.Context) (Summary, error) {
			ran <- "quick"
			return nil, nil
		}})
		r.Register(Job{Name: "test.slow", Schedule: Every(time.Hour), Run: func(ctx context.Context) (Summary, error) {
			ran <- "slow"
			<-ctx.Done()
			return nil, ctx.Err()
		}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Start(ctx); close(done) }()
		wait := func(want string) {
			t.Helper()
			select {
			case got := <-ran:
				if got != want {
					t.Fatalf("ran %s, want %s", got, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s did not run", want)
			}
		}
		wait("slow") // interval jobs are due at start
		must(r.RequestRun(sys, "test.quick"))
		wait("quick")
		cancel()
		<-done
		st := must(r.Job(sys, "test.slow"))
		if st.Running || st.LastRun == nil || st.LastRun.Result != ResultError || st.LastRun.Error != "context canceled" {
			t.Fatalf("interrupted run: %+v %+v", st, st.LastRun)
		}
		if !st.NextRun.Equal(start) {
			t.Fatalf("next run %v, want still due at %v", st.NextRun, start)
		}
	})
}
