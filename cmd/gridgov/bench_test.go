package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

func TestBenchUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench"}, "usage: gridgov bench cases"},
		{[]string{"bench", "users"}, "usage: gridgov bench cases"},
		{[]string{"bench", "cases", "--n", "0", "--data", dir}, "--n must be between 1 and 1000000"},
		{[]string{"bench", "cases", "--n", "many", "--data", dir}, "invalid value"},
		{[]string{"bench", "cases", "--data", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"bench", "cases", "--speed", "fast"}, "flag provided but not defined"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %s)", tc.args, code, errb.String())
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%v: stderr %q, want it to contain %q", tc.args, errb.String(), tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: wrote %q to stdout on a usage error", tc.args, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"bench", "cases", "-h"}, &out, &errb); code != 0 ||
		!strings.Contains(errb.String(), "case-lifecycle") {
		t.Errorf("-h: exit %d, stderr %q", code, errb.String())
	}
}

// TestBenchCasesRun runs the benchmark through the CLI: on an empty SQLite
// data directory it seeds the demo first; on PostgreSQL, chosen by
// GRIDGOV_DATABASE_URL, it uses the small organisation already there.
func TestBenchCasesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds the whole demo city")
	}
	t.Run("sqlite", func(t *testing.T) {
		out, errOut := runBenchOK(t, "--data", t.TempDir())
		if !strings.Contains(errOut, "demo: seeding") {
			t.Errorf("stderr %q does not tell about seeding", errOut)
		}
		checkBenchLines(t, out, "sqlite")
	})
	t.Run("postgres", func(t *testing.T) {
		dbtest.Open(t, db.Postgres) // creates the test database, or skips/fails as dbtest does
		t.Setenv("GRIDGOV_DATABASE_URL", cliPostgresSchema(t))
		dir := t.TempDir()
		smallOrg(t, dir)
		out, errOut := runBenchOK(t, "--data", dir)
		if strings.Contains(errOut, "demo: seeding") {
			t.Errorf("seeded a database that holds units: %q", errOut)
		}
		checkBenchLines(t, out, "postgres")
	})
}

// runBenchOK runs "bench cases --n 3 --json" with flags and returns stdout
// and stderr, failing unless it exits 0.
func runBenchOK(t *testing.T, flags ...string) (string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	args := append([]string{"bench", "cases", "--n", "3", "--json"}, flags...)
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	return out.String(), errb.String()
}

// checkBenchLines checks stdout holds exactly the two JSON result lines.
func checkBenchLines(t *testing.T, out, database string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout %q, want two JSON lines", out)
	}
	for i, want := range []string{"case-create", "case-lifecycle"} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil {
			t.Fatalf("line %q: %v", lines[i], err)
		}
		if m["workload"] != want || m["n"] != float64(3) || m["database"] != database || m["ratio"] == nil {
			t.Errorf("line %d = %s, want workload %s on %s with n 3 and a ratio", i, lines[i], want, database)
		}
	}
}

// smallOrg creates, through the app of dir, a district with its 城市管理局,
// a street and a community with a grid.
func smallOrg(t *testing.T, dir string) {
	t.Helper()
	fs, cfg := newFlags("test", io.Discard)
	if err := fs.Parse([]string{"--data", dir}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sys := actor.With(ctx, actor.SystemActor("test"))
	for _, u := range []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
		{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
		{Code: "410105-cgj", Name: "金水区城市管理局", Level: org.District, Kind: org.Department, ParentCode: "410105"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, Kind: org.Territory, ParentCode: "410105"},
		{Code: "410105001001", Name: "经八路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
	} {
		if _, err := a.Org.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	if _, err := a.Org.CreateGrid(sys, org.GridInput{Code: "G410105001001", Name: "经八路一网格", Level: 3,
		UnitCode: "410105001001"}); err != nil {
		t.Fatal(err)
	}
}

// TestBenchGeoRun runs bench geo through the CLI with a small N on an
// empty SQLite data directory (seeded with the demo first), comparing
// with PostGIS on the test server.
func TestBenchGeoRun(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"bench", "geo", "--n", "0", "--data", t.TempDir()}, &out, &errb); code != 2 {
		t.Fatalf("--n 0: exit %d, stderr %s", code, errb.String())
	}
	if testing.Short() {
		t.Skip("seeds the whole demo city")
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"bench", "geo", "--n", "20000", "--sample", "200", "--data", t.TempDir(),
		"--pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	var res struct {
		Workload      string   `json:"workload"`
		LookupsPerSec float64  `json:"lookups_per_sec"`
		Grids         int      `json:"grids"`
		PostGIS       *float64 `json:"postgis_lookups_per_sec"`
		Disagreements int      `json:"disagreements"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("stdout %q: %v", out.String(), err)
	}
	if res.Workload != "point-to-grid" || res.Grids < 2800 || res.Grids > 3306 || res.LookupsPerSec <= 0 {
		t.Errorf("result %+v", res)
	}
	if res.PostGIS == nil || res.Disagreements != 0 {
		t.Errorf("PostGIS %v, disagreements %d; stderr %s", res.PostGIS, res.Disagreements, errb.String())
	}
}
