package cases_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/dbtest"
	"gridgov/internal/jobs"
	"gridgov/internal/orgtest"
)

// TestOverdueJobOnTwoNodes: two nodes on one database, each with its own
// connections, services and runner on one clock, poll at the same moment:
// the overdue scan runs on one of them, and each case gets one overdue
// notice per channel and one audit entry, not two.
func TestOverdueJobOnTwoNodes(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			dbs := dbtest.OpenShared(t, e, 2)
			d1, d2 := dbs[0], dbs[1]
			f := newFixture(t, d1)
			ids := []int64{f.newCase(t).ID, f.newCase(t).ID} // accept limit 1wh from Monday 09:00
			svc2 := cases.NewService(d2, audit.New(d2, f.clk), f.clk, calendar.Default(),
				orgtest.Locator{{34.77, 113.68}: "G410105001001"})
			var runners []*jobs.Runner
			for i, n := range []struct {
				svc  *cases.Service
				node string
			}{{f.svc, "node-a"}, {svc2, "node-b"}} {
				d := d1
				if i == 1 {
					d = d2
				}
				r := jobs.New(d, audit.New(d, f.clk), f.clk, jobs.Options{Node: n.node})
				r.Register(n.svc.OverdueJob())
				if err := r.Sync(f.sys); err != nil {
					t.Fatal(err)
				}
				runners = append(runners, r)
			}
			poll := func() int {
				gate := make(chan struct{})
				got := make(chan int, len(runners))
				for _, r := range runners {
					go func() {
						<-gate
						n, err := r.RunDue(context.Background())
						if err != nil {
							t.Error(err)
						}
						got <- n
					}()
				}
				close(gate)
				return <-got + <-got
			}
			f.clk.Set(at(2026, 3, 2, 10, 1)) // both stages are past their limit
			if n := poll(); n != 1 {
				t.Fatalf("the scan ran %d times, want once", n)
			}
			f.clk.Advance(time.Minute)
			if n := poll(); n != 1 {
				t.Fatalf("the next minute's scan ran %d times, want once", n)
			}
			for _, id := range ids {
				byChannel := map[string]int{}
				for _, m := range must(f.svc.Outbox(f.sys, id, 0)) {
					if m.Kind == cases.OutboxOverdue {
						byChannel[m.Channel]++
					}
				}
				if byChannel[cases.ChannelInApp] != 1 || byChannel[cases.ChannelSMS] != 1 {
					t.Errorf("case %d: overdue notices %v, want one in-app and one SMS", id, byChannel)
				}
				var n int
				if err := d1.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
					WHERE action = 'case.overdue' AND object_id = ?`, strconv.FormatInt(id, 10)).Scan(&n); err != nil || n != 1 {
					t.Errorf("case %d: %d case.overdue audit entries (%v), want 1", id, n, err)
				}
				if got := must(f.svc.CaseByID(f.sys, id)); got.Overdue != cases.Red {
					t.Errorf("case %d: overdue %s, want red", id, got.Overdue)
				}
			}
			runs := must(runners[0].Runs(f.sys, "cases.overdue", 0))
			if len(runs) != 2 || runs[1].Result != jobs.ResultOK || runs[1].Summary["red"] != 2 || runs[0].Summary["red"] != 0 {
				t.Fatalf("runs: %+v", runs)
			}
		})
	}
}
