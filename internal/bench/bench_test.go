package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/apptest"
	"gridgov/internal/cases"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// newDeps builds a small city: one district with its 城市管理局, one
// street, two communities each with a grid, and the category catalogue.
func newDeps(t testing.TB, d *db.DB) Deps {
	t.Helper()
	a := newApp(t, d)
	return Deps{DB: a.DB, Cases: a.Cases}
}

// newApp is the app over the small city of newDeps, with a registry key of
// 32×7.
func newApp(t testing.TB, d *db.DB) *app.App {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	a := apptest.New(t, d, apptest.Options{Clock: clk, Key: bytes.Repeat([]byte{7}, 32)})
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgs := a.Org
	for _, u := range []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City},
		{Code: "410105", Name: "金水区", Level: org.District, ParentCode: "410100"},
		{Code: "410105-cgj", Name: "金水区城市管理局", Level: org.District, Kind: org.Department, ParentCode: "410105"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410105"},
		{Code: "410105001001", Name: "经八路社区", Level: org.Community, ParentCode: "410105001"},
		{Code: "410105001002", Name: "黄河路社区", Level: org.Community, ParentCode: "410105001"},
	} {
		if u.Kind == "" {
			u.Kind = org.Territory
		}
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	for _, c := range []string{"410105001001", "410105001002"} {
		if _, err := orgs.CreateGrid(sys, org.GridInput{Code: c + "-01", Name: c + "网格", Level: 3, UnitCode: c}); err != nil {
			t.Fatalf("grid %s: %v", c, err)
		}
	}
	return a
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestCasesSmallRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		deps := newDeps(t, d)
		res, err := Cases(context.Background(), deps, Options{N: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 2 || res[0].Workload != WorkloadCreate || res[1].Workload != WorkloadLifecycle {
			t.Fatalf("got %+v", res)
		}
		checkJSON(t, res[0], "cases_per_sec", "raw_inserts_per_sec", string(d.Dialect))
		checkJSON(t, res[1], "lifecycles_per_sec", "raw_lifecycles_per_sec", string(d.Dialect))
		if n := count(t, d, `SELECT COUNT(*) FROM cases`); n != 100 {
			t.Fatalf("%d cases, want 100", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE status = ?`, "closed"); n != 50 {
			t.Fatalf("%d closed cases, want 50", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE status = ? AND unit_code = ?`,
			"reported", "410105001002"); n != 25 {
			t.Fatalf("%d reported cases in the second community, want 25 (round-robin)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "case.create"); n != 100 {
			t.Fatalf("%d case.create audit entries, want 100", n)
		}
		var left int
		err = d.QueryRow(context.Background(), `SELECT COUNT(*) FROM bench_cases_raw`).Scan(&left)
		if err == nil {
			t.Fatalf("bench_cases_raw still exists with %d rows", left)
		}
	})
}

// checkJSON checks the printed shape of a result.
func checkJSON(t *testing.T, r Result, svcKey, rawKey, database string) {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{svcKey, rawKey, "ratio"} {
		if v, ok := m[k].(float64); !ok || v <= 0 {
			t.Fatalf("%s: %s = %v, want a positive number", b, k, m[k])
		}
	}
	if m["n"] != float64(50) || m["database"] != database {
		t.Fatalf("%s: want n 50 and database %s", b, database)
	}
}

func TestOptionsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		deps := newDeps(t, d)
		for _, o := range []Options{{N: -1}, {Workloads: []string{"case-delete"}}} {
			if _, err := Cases(context.Background(), deps, o); err == nil {
				t.Fatalf("options %+v accepted", o)
			}
		}
		if _, err := Cases(context.Background(), Deps{}, Options{}); err == nil {
			t.Fatal("missing deps accepted")
		}
	})
}

// BenchmarkCaseCreate times filing one case through the service, as a
// community's grid worker, round-robin over the two communities.
func BenchmarkCaseCreate(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			deps := newDeps(b, dbtest.Open(b, e))
			tg, err := loadTargets(context.Background(), deps.DB)
			if err != nil {
				b.Fatal(err)
			}
			acts, run, i := newActors(context.Background()), runID(), 0
			b.ResetTimer()
			for b.Loop() {
				t := tg.all[i%len(tg.all)]
				if _, _, err := deps.Cases.CreateCase(acts.get("w"+t.Community.Code, t.worker),
					t.input(run, i, DefaultCategory)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkCaseCreateParallel times filing cases from 16 clients at once
// (8 per core on the 2-core reference machine): on SQLite the calls that
// queue share commits.
func BenchmarkCaseCreateParallel(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			deps := newDeps(b, dbtest.Open(b, e))
			tg, err := loadTargets(context.Background(), deps.DB)
			if err != nil {
				b.Fatal(err)
			}
			acts, run := newActors(context.Background()), runID()
			var next atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					t := tg.all[i%len(tg.all)]
					if _, _, err := deps.Cases.CreateCase(acts.get("w"+t.Community.Code, t.worker),
						t.input(run, i, DefaultCategory)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			bt, calls := deps.DB.GroupStats()
			if bt > 0 {
				b.ReportMetric(float64(calls)/float64(bt), "calls/group")
			}
		})
	}
}

// BenchmarkCaseCreateRaw times the baseline: one auto-committed INSERT of
// the same row into the bare table.
func BenchmarkCaseCreateRaw(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			deps := newDeps(b, dbtest.Open(b, e))
			ctx := context.Background()
			tg, err := loadTargets(ctx, deps.DB)
			if err != nil {
				b.Fatal(err)
			}
			t := tg.all[0]
			c, _, err := deps.Cases.CreateCase(t.worker(ctx, 1), t.input(runID(), 0, DefaultCategory))
			if err != nil {
				b.Fatal(err)
			}
			if err := createRawTable(ctx, deps.DB); err != nil {
				b.Fatal(err)
			}
			defer dropRawTable(deps.DB)
			b.ResetTimer()
			for b.Loop() {
				if _, err := insertRaw(ctx, deps.DB, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCaseLifecycle times one case through the six steps.
func BenchmarkCaseLifecycle(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			deps := newDeps(b, dbtest.Open(b, e))
			tg, err := loadTargets(context.Background(), deps.DB)
			if err != nil {
				b.Fatal(err)
			}
			acts, run, i := newActors(context.Background()), runID(), 0
			var st [lifecycleCalls]cases.Case
			b.ResetTimer()
			for b.Loop() {
				t := tg.withDept[i%len(tg.withDept)]
				if err := lifecycle(deps.Cases, acts, t, t.input(run, i, DefaultCategory), &st); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
