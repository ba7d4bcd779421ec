package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"gridgov/internal/bench"
	"gridgov/internal/db"
	"gridgov/internal/seed"
)

const benchUsage = `usage: gridgov bench cases [--n N] [--concurrency C] [--json] [--data DIR]
       gridgov bench registry [--people N] [--batch N] [--json] [--data DIR]   (see bench registry -h)
       gridgov bench geo [--n N] [--sample N] [--pg URL] [--data DIR]   (see bench geo -h)

Measures the case loop on the database of DIR (or GRIDGOV_DATABASE_URL):
  case-create     N cases filed through the cases service (grid, deadline,
                  number, history, notice, audit), spread over the
                  communities, against N plain INSERTs of the same rows
  case-lifecycle  N cases driven through the six steps (file and report,
                  report up to street and district, assign to the district
                  城市管理局, sign, feed back, verify = closed) against one
                  INSERT and six UPDATEs each
C clients (default 16) call at once on both sides. Each service call and
each raw statement commits on its own; on SQLite, service calls that
arrive while another transaction runs share the next commit (group
commit), each in its own savepoint. Prints one
JSON line per workload. An empty database is seeded with the demo first
(its generated password is printed once). The benchmark cases stay in the
database: use a scratch data directory.`

// runBench handles "bench cases" and "bench registry". Exit codes: 0
// done, 1 failure, 2 usage.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "registry" {
		return runBenchRegistry(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "geo" {
		return runBenchGeo(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "cases" {
		fmt.Fprintln(stderr, benchUsage)
		return 2
	}
	fs, cfg := newFlags("bench cases", stderr)
	n := fs.Int("n", bench.DefaultN, "cases per workload (and lifecycles)")
	conc := fs.Int("concurrency", bench.DefaultConcurrency, "clients calling at once (1 = one after the other)")
	jsonOnly := fs.Bool("json", false, "print only the JSON lines on standard output")
	fs.Usage = func() { fmt.Fprintln(stderr, benchUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args[1:])
	if done {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gridgov bench cases: unexpected argument %q\n\n%s\n", pos[0], benchUsage)
		return 2
	}
	if *n < 1 || *n > 1_000_000 {
		fmt.Fprintf(stderr, "gridgov bench cases: --n must be between 1 and 1000000, got %d\n", *n)
		return 2
	}
	if *conc < 1 || *conc > 256 {
		fmt.Fprintf(stderr, "gridgov bench cases: --concurrency must be between 1 and 256, got %d\n", *conc)
		return 2
	}
	info := stdout
	if *jsonOnly {
		info = stderr
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "bench cases", err)
	}
	defer a.Close()
	if empty, err := seed.Empty(ctx, a.DB); err != nil {
		return fail(stderr, "bench cases", err)
	} else if empty {
		if err := seedIfEmpty(ctx, a, "", info); err != nil {
			return fail(stderr, "bench cases: seed", err)
		}
	}
	fmt.Fprintf(info, "bench: %d cases per workload, %d clients, on %s\n", *n, *conc, a.DB.Where)
	res, err := bench.Cases(cliContext(ctx, "bench"), bench.Deps{DB: a.DB, Cases: a.Cases}, bench.Options{N: *n, Concurrency: *conc})
	if err != nil {
		return fail(stderr, "bench cases", err)
	}
	enc := json.NewEncoder(stdout)
	for _, r := range res {
		if err := enc.Encode(r); err != nil {
			return fail(stderr, "bench cases", err)
		}
	}
	return 0
}

const benchGeoUsage = `usage: gridgov bench geo [--n N] [--sample N] [--pg URL] [--data DIR]

Measures point-to-grid on the third-level grids of DIR's database (the demo
city when it is empty: it is seeded first): N random points (default
1,000,000) in the grids' extent are located with the in-memory index on one
goroutine (locked to its thread; GOMAXPROCS is reported). When the database
is PostgreSQL, or --pg names a PostgreSQL server, a scratch database with
PostGIS is made there (and dropped after), the grids are loaded with a GiST
index and a sample of the points (default 20,000) is answered with
ST_Contains; the answers are compared. Prints one JSON line:
{"workload":"point-to-grid","lookups_per_sec":…,"grids":…,"postgis_lookups_per_sec":…}
with null for PostGIS when it is not reachable (a note on stderr).`

// runBenchGeo handles "bench geo". Exit codes: 0 done, 1 failure, 2 usage.
func runBenchGeo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("bench geo", stderr)
	n := fs.Int("n", bench.DefaultGeoPoints, "random points looked up in memory")
	sample := fs.Int("sample", bench.DefaultGeoSample, "points answered by PostGIS")
	pg := fs.String("pg", "", "PostgreSQL server URL for the PostGIS comparison (default: the data dir's, when PostgreSQL)")
	fs.Usage = func() { fmt.Fprintln(stderr, benchGeoUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args)
	if done {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gridgov bench geo: unexpected argument %q\n\n%s\n", pos[0], benchGeoUsage)
		return 2
	}
	if *n < 1 || *n > 100_000_000 || *sample < 1 {
		fmt.Fprintf(stderr, "gridgov bench geo: --n must be between 1 and 100000000 and --sample at least 1\n")
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "bench geo", err)
	}
	defer a.Close()
	if empty, err := seed.Empty(ctx, a.DB); err != nil {
		return fail(stderr, "bench geo", err)
	} else if empty {
		if err := seedIfEmpty(ctx, a, "", stderr); err != nil {
			return fail(stderr, "bench geo: seed", err)
		}
	}
	shapes, err := a.Org.GridShapes(ctx)
	if err != nil {
		return fail(stderr, "bench geo", err)
	}
	url := *pg
	if url == "" && a.DB.Dialect == db.Postgres {
		url = cfg.DatabaseURL
	}
	res, err := bench.Geo(cliContext(ctx, "bench"), shapes, bench.GeoOptions{Points: *n, Sample: *sample, PostGISURL: url, Seed: 1})
	if err != nil {
		return fail(stderr, "bench geo", err)
	}
	if res.PostGISNote != "" {
		fmt.Fprintf(stderr, "bench geo: postgis_lookups_per_sec is null: %s\n", res.PostGISNote)
	} else if res.Disagreements > 0 {
		fmt.Fprintf(stderr, "bench geo: PostGIS and the index disagree on %d of %d points\n", res.Disagreements, res.PostGISSample)
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		return fail(stderr, "bench geo", err)
	}
	return 0
}
