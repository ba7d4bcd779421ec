package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/bench"
	"gridgov/internal/db"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seed"
)

const importPeopleUsage = `usage: gridgov import people [--unit CODE] [--source base|shared|own] [--batch N] [--json] [--data DIR] FILE

Imports the people of FILE (.csv in UTF-8 or GB18030/GBK, or .xlsx — told by
content) through the registry: every row is checked (ID-card check digit,
phone, known grid, duplicates in the file), valid rows are written in
batches, failed rows are listed in the job. Rows without a grid_code are
kept in the unit of --unit, awaiting a grid. Running it again updates
changed rows and never duplicates; an interrupted import of the same file
resumes where it stopped. Exit 1 when the file cannot be read at all.`

const exportPeopleUsage = `usage: gridgov export people [--unit CODE] [--grid CODE] [--format csv|xlsx] [--data DIR] FILE

Writes the people of --unit's subtree (all by default) to FILE in the import
template's columns, ID numbers and phones masked.`

// runImportPeople handles "import people". Exit codes: 0 done (rows may
// have failed: see the summary), 1 the file could not be read or the
// import could not go on, 2 usage error.
func runImportPeople(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("import people", stderr)
	unit := fs.String("unit", "", "importing unit: rows without a grid wait there (default: the root unit)")
	source := fs.String("source", "base", "data source: base, shared or own")
	batch := fs.Int("batch", transfer.DefaultImportBatch, "rows per transaction")
	asJSON := fs.Bool("json", false, "end with the job as one JSON line")
	fs.Usage = func() { fmt.Fprintln(stderr, importPeopleUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args)
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "gridgov import people: want one file, got %d arguments\n\n%s\n", len(pos), importPeopleUsage)
		return 2
	}
	if !registry.ValidSource(registry.Source(*source)) {
		fmt.Fprintf(stderr, "gridgov import people: --source must be base, shared or own\n")
		return 2
	}
	if *batch < 1 || *batch > 100_000 {
		fmt.Fprintf(stderr, "gridgov import people: --batch must be between 1 and 100000\n")
		return 2
	}
	if st, err := os.Stat(pos[0]); err != nil || st.IsDir() {
		fmt.Fprintf(stderr, "gridgov import people: %s is not a readable file\n", pos[0])
		return 1
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "import people", err)
	}
	defer a.Close()
	bar := newProgressBar(stderr)
	job, err := a.Transfer.ImportPeople(cliContext(ctx, "cli"), pos[0], transfer.ImportOptions{UnitCode: *unit,
		Source: registry.Source(*source), BatchSize: *batch, Progress: bar.update})
	bar.finish()
	if err != nil {
		if ae := apperr.As(err); ae != nil && ae.Code != apperr.Internal {
			msg := ae.Message
			for f, p := range ae.Fields {
				msg += "; " + f + ": " + p
			}
			fmt.Fprintf(stderr, "gridgov import people: %s\n", msg)
			return 1
		}
		return fail(stderr, "import people", err)
	}
	printJob(stdout, job)
	if *asJSON {
		line, _ := json.Marshal(job)
		fmt.Fprintln(stdout, string(line))
	}
	return 0
}

// printJob prints an import job's summary and its first failures.
func printJob(w io.Writer, j transfer.ImportJob) {
	fmt.Fprintf(w, "import job %d (%s): %s, %d rows: %d inserted, %d updated, %d unchanged, %d failed\n",
		j.ID, j.Filename, j.Status, j.RowsTotal, j.Inserted, j.Updated, j.Unchanged, j.Failed)
	for _, warn := range j.Warnings {
		fmt.Fprintln(w, "warning: "+warn)
	}
	for i, f := range j.Failures {
		if i == 20 {
			fmt.Fprintf(w, "… and %d more failed rows (download them: GET /api/v1/imports/%d/failures)\n", j.Failed-20, j.ID)
			break
		}
		field := f.Field
		if field == "" {
			field = "row"
		}
		fmt.Fprintf(w, "line %d: %s: %s\n", f.Line, field, f.Problem)
	}
}

// progressBar shows an import's progress on stderr: one redrawn line on
// a terminal, otherwise a line per 10%.
type progressBar struct {
	w        io.Writer
	tty      bool
	lastTen  int
	started  time.Time
	drawn    bool
	lastDraw time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty, started: time.Now()}
}

// update is the import's Progress callback.
func (b *progressBar) update(done, total int) {
	if total <= 0 {
		return
	}
	pct := done * 100 / total
	if b.tty {
		if done < total && time.Since(b.lastDraw) < 100*time.Millisecond {
			return
		}
		b.lastDraw = time.Now()
		const width = 40
		fill := pct * width / 100
		fmt.Fprintf(b.w, "\r[%s%s] %3d%% %d/%d rows", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pct, done, total)
		b.drawn = true
		return
	}
	if ten := pct / 10; ten > b.lastTen || done == total {
		if ten == b.lastTen && b.lastTen == 10 {
			return
		}
		b.lastTen = ten
		fmt.Fprintf(b.w, "import: %d%% (%d/%d rows, %s)\n", pct, done, total, time.Since(b.started).Round(time.Second))
	}
}

// finish ends the terminal line.
func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// runExport handles "export people". Exit codes: 0 done, 1 failure, 2 usage.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "people" {
		fmt.Fprintln(stderr, exportPeopleUsage)
		return 2
	}
	fs, cfg := newFlags("export people", stderr)
	unit := fs.String("unit", "", "export the people of this unit's subtree")
	grid := fs.String("grid", "", "export the people of this grid")
	format := fs.String("format", "", "csv or xlsx (default: by the file's extension, else csv)")
	fs.Usage = func() { fmt.Fprintln(stderr, exportPeopleUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args[1:])
	if done {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "gridgov export people: want one file, got %d arguments\n\n%s\n", len(pos), exportPeopleUsage)
		return 2
	}
	if *format == "" {
		*format = "csv"
		if strings.HasSuffix(strings.ToLower(pos[0]), ".xlsx") {
			*format = "xlsx"
		}
	}
	if *format != "csv" && *format != "xlsx" {
		fmt.Fprintf(stderr, "gridgov export people: --format must be csv or xlsx\n")
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "export people", err)
	}
	defer a.Close()
	f, err := os.OpenFile(pos[0], os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fail(stderr, "export people", err)
	}
	// The CLI acts as the system (an operator with the data directory and
	// the key): no approval threshold, but audited and in the access log.
	res, err := a.Transfer.Export(cliContext(ctx, "cli"), transfer.ExportInput{
		Filter: registry.PeopleFilter{UnitCode: *unit, GridCode: *grid}, Format: *format}, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(pos[0])
		return fail(stderr, "export people", err)
	}
	fmt.Fprintf(stdout, "exported %d people to %s (audited as person.export, ref %s; no approval: system actor)\n",
		res.Rows, pos[0], res.Mark.Ref)
	return 0
}

const benchRegistryUsage = `usage: gridgov bench registry [--people N] [--batch N] [--json] [--data DIR]

Generates N synthetic but valid people (default 1000000) in the demo's
grids, writes them to a CSV file, imports it through the registry's import
path (validation, SM4 sealing, blind index, grid binding, audit) and then
INSERTs the same rows, identifiers in plain text, into a bare table in the
same batches; then looks up 2000 people by ID-card number. Prints
  {"workload":"people-import","rows_per_sec":…,"raw_rows_per_sec":…,"ratio":…,"rows":N,…}
  {"workload":"people-search","p50_ms":…,"p99_ms":…,"rows":N,…}
db_bytes is the SQLite file size after the import. An empty database is
seeded with the demo first. The people stay: use a scratch data directory.`

// runBenchRegistry handles "bench registry".
func runBenchRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("bench registry", stderr)
	n := fs.Int("people", bench.DefaultPeople, "synthetic people to import")
	batch := fs.Int("batch", transfer.DefaultImportBatch, "rows per transaction, on both sides")
	jsonOnly := fs.Bool("json", false, "print only the JSON lines on standard output")
	fs.Usage = func() { fmt.Fprintln(stderr, benchRegistryUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args)
	if done {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "gridgov bench registry: unexpected argument %q\n\n%s\n", pos[0], benchRegistryUsage)
		return 2
	}
	if *n < 1 || *n > 10_000_000 {
		fmt.Fprintf(stderr, "gridgov bench registry: --people must be between 1 and 10000000, got %d\n", *n)
		return 2
	}
	info := stdout
	if *jsonOnly {
		info = stderr
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "bench registry", err)
	}
	defer a.Close()
	if empty, err := seed.Empty(ctx, a.DB); err != nil {
		return fail(stderr, "bench registry", err)
	} else if empty {
		if err := seedIfEmpty(ctx, a, "", info); err != nil {
			return fail(stderr, "bench registry: seed", err)
		}
	}
	fmt.Fprintf(info, "bench: %d people, batches of %d, on %s\n", *n, *batch, a.DB.Where)
	deps := bench.RegistryDeps{DB: a.DB, Registry: a.Registry, Transfer: a.Transfer}
	if a.DB.Dialect == db.SQLite {
		deps.Where = a.DB.Where
	}
	bar := newProgressBar(stderr)
	res, err := bench.Registry(cliContext(ctx, "bench"), deps, bench.RegistryOptions{People: *n, BatchSize: *batch,
		Progress: bar.update})
	bar.finish()
	if err != nil {
		return fail(stderr, "bench registry", err)
	}
	enc := json.NewEncoder(stdout)
	for _, r := range res {
		if err := enc.Encode(r); err != nil {
			return fail(stderr, "bench registry", err)
		}
	}
	return 0
}
