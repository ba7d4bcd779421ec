package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gridgov/internal/calendar"
	"gridgov/internal/config"
)

const calendarUsage = `usage:
  gridgov calendar deadline --limit 3wd [--from RFC3339] [--data DIR]
  gridgov calendar import [--format ics|json] FILE [--data DIR]
  gridgov calendar days [--year 2026] [--data DIR]`

// runCalendar handles "calendar deadline | import | days".
func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, calendarUsage)
		return 2
	}
	switch args[0] {
	case "deadline":
		return calendarDeadline(ctx, args[1:], stdout, stderr)
	case "import":
		return calendarImport(ctx, args[1:], stdout, stderr)
	case "days":
		return calendarDays(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, calendarUsage)
		return 0
	}
	fmt.Fprintf(stderr, "gridgov calendar: unknown subcommand %q\n%s\n", args[0], calendarUsage)
	return 2
}

// calendarUsageErr prints a usage problem and returns exit code 2.
func calendarUsageErr(stderr io.Writer, name, problem string) int {
	fmt.Fprintf(stderr, "gridgov %s: %s\n%s\n", name, problem, calendarUsage)
	return 2
}

// calendarDeadline prints the deadline of --limit from --from (default now)
// as RFC3339 in Asia/Shanghai.
func calendarDeadline(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "calendar deadline"
	fs, cfg := newFlags(name, stderr)
	from := fs.String("from", "", "receipt time, RFC3339 (default now)")
	limit := fs.String("limit", "", "time limit: N wh (working hours), wd (working days), h or m (natural)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return calendarUsageErr(stderr, name, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *limit == "" {
		return calendarUsageErr(stderr, name, "--limit is required, e.g. --limit 3wd")
	}
	l, err := calendar.ParseLimit(*limit)
	if err != nil {
		return calendarUsageErr(stderr, name, "--limit "+err.Error())
	}
	start := time.Now()
	if *from != "" {
		if start, err = time.Parse(time.RFC3339, *from); err != nil {
			return calendarUsageErr(stderr, name, fmt.Sprintf("--from %q is not RFC3339, e.g. 2026-09-30T10:00:00+08:00", *from))
		}
	}
	cal, err := loadCalendar(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	fmt.Fprintln(stdout, cal.Deadline(start, l).Format(time.RFC3339))
	return 0
}

// loadCalendar returns the embedded calendar with the imports stored in the
// database when the data directory (or GRIDGOV_DATABASE_URL) has one, and
// the embedded calendar alone otherwise, without creating a database.
func loadCalendar(ctx context.Context, cfg *config.Config) (*calendar.Calendar, error) {
	if !calendarDBExists(cfg) {
		return calendar.Default(), nil
	}
	svc, closeApp, err := openCalendar(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer closeApp()
	return svc.Calendar(), nil
}

// calendarDBExists reports whether cfg points at an existing database:
// PostgreSQL always, SQLite when its file is there.
func calendarDBExists(cfg *config.Config) bool {
	u := cfg.DatabaseURL
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return true
	}
	path := strings.TrimPrefix(u, "sqlite:")
	if path == "" {
		path = filepath.Join(cfg.DataDir, "gridgov.db")
	}
	_, err := os.Stat(path)
	return err == nil
}

// openCalendar opens the application and its calendar service.
func openCalendar(ctx context.Context, cfg *config.Config) (*calendar.Service, func(), error) {
	a, err := openApp(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := calendar.NewService(a.DB, a.Audit, a.Clock)
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return svc, func() { a.Close() }, nil
}

// calendarImport imports a holiday calendar file as the system actor.
func calendarImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "calendar import"
	fs, cfg := newFlags(name, stderr)
	format := fs.String("format", "", "ics or json (default: from the file name)")
	pos, code, done := parseInterleaved(fs, args)
	if done {
		return code
	}
	if len(pos) != 1 {
		return calendarUsageErr(stderr, name, "exactly one FILE is required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(pos[0])), ".")
	}
	if *format != calendar.FormatICS && *format != calendar.FormatJSON {
		return calendarUsageErr(stderr, name, fmt.Sprintf("--format must be ics or json, not %q", *format))
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fail(stderr, name, err)
	}
	defer f.Close()
	svc, closeApp, err := openCalendar(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	defer closeApp()
	res, err := svc.Import(cliContext(ctx, "cli"), *format, f)
	if err != nil {
		return fail(stderr, name, err)
	}
	fmt.Fprintf(stdout, "imported %s: %d days (%d holidays, %d workdays) for %v: %d inserted, %d updated, %d unchanged; %d days changed status\n",
		pos[0], res.Days, res.Holidays, res.Workdays, res.Years, res.Inserted, res.Updated, res.Unchanged, res.Changed)
	return 0
}

// calendarDays lists the holidays and make-up workdays of a year.
func calendarDays(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "calendar days"
	fs, cfg := newFlags(name, stderr)
	year := fs.Int("year", time.Now().In(calendar.Default().Location()).Year(), "year")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return calendarUsageErr(stderr, name, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *year < 1900 || *year > 9999 {
		return calendarUsageErr(stderr, name, "--year must be between 1900 and 9999")
	}
	cal, err := loadCalendar(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	days := cal.Days(*year)
	if !cal.Covers(*year) {
		fmt.Fprintf(stdout, "no holiday data for %d: only weekends are days off (import the year's calendar)\n", *year)
		return 0
	}
	for _, d := range days {
		fmt.Fprintf(stdout, "%s  %s  %-8s %s\n", d.Date, calendarWeekday(d.Date), d.Kind, d.Name+" ("+d.Source+")")
	}
	return 0
}

func calendarWeekday(date string) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return "   "
	}
	return t.Weekday().String()[:3]
}
