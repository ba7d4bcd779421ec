package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// newRegistryDeps builds the small city of newDeps and a registry
// service with a fixed key over it.
func newRegistryDeps(t testing.TB, d *db.DB) RegistryDeps {
	t.Helper()
	return registryDepsOf(newApp(t, d))
}

// registryDepsOf returns the registry workloads' deps over a.
func registryDepsOf(a *app.App) RegistryDeps {
	deps := RegistryDeps{DB: a.DB, Registry: a.Registry, Transfer: a.Transfer}
	if a.DB.Dialect == db.SQLite {
		deps.Where = a.DB.Where
	}
	return deps
}

// TestRegistrySmallRun imports a few thousand synthetic people in small
// batches, finds each lookup, and a second run imports new people.
func TestRegistrySmallRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		deps := newRegistryDeps(t, d)
		ctx := context.Background()
		for run := 1; run <= 2; run++ {
			res, err := Registry(ctx, deps, RegistryOptions{People: 3000, BatchSize: 700, Dir: t.TempDir()})
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			if got := res[0].Inserted; got != 3000 {
				t.Errorf("run %d: inserted %d, want 3000", run, got)
			}
			if res[0].RowsPerSec <= 0 || res[0].RawRowsPerSec <= 0 || res[1].P99ms <= 0 {
				t.Errorf("run %d: figures missing: %+v", run, res)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM people WHERE deleted_at IS NULL`); got != 3000*run {
				t.Errorf("run %d: %d people, want %d", run, got, 3000*run)
			}
		}
	})
}

// BenchmarkPeopleImport imports synthetic people (50,000 per iteration, or
// GRIDGOV_BENCH_PEOPLE) into a SQLite file through the registry, spread
// over 300 communities with a grid each as in a district, for profiling
// the import path (go test -run x -bench PeopleImport -cpuprofile cpu.out).
// gridgov bench registry measures the whole city.
func BenchmarkPeopleImport(b *testing.B) {
	d := dbtest.Open(b, db.SQLite)
	a := newApp(b, d)
	deps := registryDepsOf(a)
	ctx := context.Background()
	sys := actor.With(ctx, actor.SystemActor("bench"))
	orgs := a.Org
	for i := 3; i < 300; i++ {
		code := fmt.Sprintf("410105001%03d", i)
		if _, err := orgs.CreateUnit(sys, org.UnitInput{Code: code, Name: code, Level: org.Community,
			Kind: org.Territory, ParentCode: "410105001"}); err != nil {
			b.Fatal(err)
		}
		if _, err := orgs.CreateGrid(sys, org.GridInput{Code: code + "-01", Name: code, Level: 3, UnitCode: code}); err != nil {
			b.Fatal(err)
		}
	}
	people := 50_000
	if n, err := strconv.Atoi(os.Getenv("GRIDGOV_BENCH_PEOPLE")); err == nil && n > 0 {
		people = n
	}
	var rps float64
	for b.Loop() {
		res, err := Registry(ctx, deps, RegistryOptions{People: people, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		rps = res[0].RowsPerSec
	}
	b.ReportMetric(rps, "rows/s")
}
