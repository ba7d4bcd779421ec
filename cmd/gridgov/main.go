// Command gridgov is the single binary of the platform: it serves the
// console and the API, migrates the database, imports divisions, seeds the
// demo and administers accounts and the audit log.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"gridgov/internal/config"
)

// command is one subcommand; it returns the process exit code
// (0 ok, 1 failure, 2 usage error).
type command struct {
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	summary string
}

func commands() map[string]command {
	return map[string]command{
		"serve":       {runServe, "serve the console and the API (--addr, --demo)"},
		"migrate":     {runMigrate, "apply database migrations"},
		"seed":        {runSeed, "seed demo: load the Zhengzhou demo city"},
		"import":      {runImport, "import divisions --city CODE DIR | import people FILE: load divisions or people"},
		"geo":         {runGeo, "geo import | geo export: boundaries of grids or units as GeoJSON or Shapefile zip"},
		"export":      {runExport, "export people FILE: write the people of a unit (masked) as CSV or Excel"},
		"calendar":    {runCalendar, "calendar deadline | import | days: working calendar and time limits"},
		"user":        {runUser, "user create | user passwd: manage accounts"},
		"apikey":      {runAPIKey, "apikey create --name NAME | list | revoke --id ID: Open311 API keys"},
		"audit":       {runAudit, "audit verify: check the audit log's hash chain"},
		"attachments": {runAttachments, "attachments purge: delete uploads never linked to anything"},
		"jobs":        {runJobs, "jobs list | jobs run NAME: background jobs, their last runs, run one now"},
		"bench":       {runBench, "bench cases | bench registry: measure the case loop or the people import"},
		"version":     {runVersion, "print the version"},
	}
}

func main() {
	// SIGINT/SIGTERM cancel the context: serve shuts down gracefully and
	// long commands stop between transactions.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "--version", "-version":
		return runVersion(ctx, nil, stdout, stderr)
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "gridgov: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gridgov COMMAND [flags]\n\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nEvery command takes --data DIR (default ./data, or GRIDGOV_DATA); "+
		"GRIDGOV_DATABASE_URL=postgres://… uses PostgreSQL instead of SQLite.\n"+
		"Run 'gridgov COMMAND -h' for a command's flags.")
}

// newFlags returns a flag set for a subcommand with the common flags
// registered, writing its messages to stderr.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *config.Config) {
	fs := flag.NewFlagSet("gridgov "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, config.Register(fs)
}

// parseFlags parses args; done is true when the command should stop with
// code (after -h, or on a usage error).
func parseFlags(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	return 0, false
}

// fail prints an error for a command and returns exit code 1.
func fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintf(stderr, "gridgov %s: %v\n", name, err)
	return 1
}
