package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"gridgov/internal/bench"
	"gridgov/internal/seed"
)

const benchUsage = `usage: gridgov bench cases [--n N] [--concurrency C] [--json] [--data DIR]
       gridgov bench registry [--people N] [--batch N] [--json] [--data DIR]   (see bench registry -h)

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
	if empty, err := seed.Empty(ctx, a.db); err != nil {
		return fail(stderr, "bench cases", err)
	} else if empty {
		if err := seedIfEmpty(ctx, a, "", info); err != nil {
			return fail(stderr, "bench cases: seed", err)
		}
	}
	fmt.Fprintf(info, "bench: %d cases per workload, %d clients, on %s\n", *n, *conc, a.db.Where)
	res, err := bench.Cases(cliContext(ctx, "bench"), bench.Deps{DB: a.db, Cases: a.cases}, bench.Options{N: *n, Concurrency: *conc})
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
