package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"gridgov/internal/app"
	"gridgov/internal/jobs"
)

const jobsUsage = `usage: gridgov jobs list [--json] [--data DIR]
       gridgov jobs run NAME [--json] [--data DIR]`

// runJobs handles "jobs list" and "jobs run NAME".
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		fmt.Fprintln(stderr, jobsUsage)
		return 2
	}
	name := "jobs " + args[0]
	fs, cfg := newFlags(name, stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	rest := args[1:]
	job := ""
	if args[0] == "run" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		job, rest = rest[0], rest[1:]
	}
	if code, done := parseFlags(fs, rest); done {
		return code
	}
	if args[0] == "run" && job == "" && fs.NArg() == 1 {
		job = fs.Arg(0) // gridgov jobs run --data DIR NAME
	} else if fs.NArg() > 0 {
		job = ""
	}
	if args[0] == "list" && fs.NArg() > 0 || args[0] == "run" && job == "" {
		fmt.Fprintln(stderr, jobsUsage)
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, name, err)
	}
	defer a.Close()
	cctx := cliContext(ctx, "cli")
	if args[0] == "run" {
		return runJobNow(cctx, a, job, *asJSON, stdout, stderr)
	}
	if err := a.Jobs.Sync(cctx); err != nil {
		return fail(stderr, name, err)
	}
	list, err := a.Jobs.Jobs(cctx)
	if err != nil {
		return fail(stderr, name, err)
	}
	if *asJSON {
		b, _ := json.Marshal(list)
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	printJobs(stdout, list)
	return 0
}

// runJobNow runs one job in this process and prints the run; a failed run
// exits 1.
func runJobNow(ctx context.Context, a *app.App, job string, asJSON bool, stdout, stderr io.Writer) int {
	run, err := a.Jobs.RunNow(ctx, job)
	if err != nil {
		return fail(stderr, "jobs run", err)
	}
	if asJSON {
		b, _ := json.Marshal(run)
		fmt.Fprintln(stdout, string(b))
	} else {
		fmt.Fprintf(stdout, "job %s run %d on %s: %s%s\n", run.Job, run.ID, run.Node, run.Result, summaryText(run.Summary))
	}
	if run.Result != jobs.ResultOK {
		fmt.Fprintf(stderr, "gridgov jobs run: %s: %s\n", job, run.Error)
		return 1
	}
	return 0
}

// printJobs writes the jobs as a table, times in Asia/Shanghai.
func printJobs(w io.Writer, list []jobs.Status) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCHEDULE\tLAST RUN\tRESULT\tNEXT RUN")
	for _, s := range list {
		last, result := "-", "-"
		if r := s.LastRun; r != nil {
			last, result = shanghaiTime(r.StartedAt)+" ("+r.Node+")", r.Result+summaryText(r.Summary)
			if r.Error != "" {
				result += ": " + r.Error
			}
		}
		next := shanghaiTime(s.NextRun)
		switch {
		case s.Running:
			next = "running on " + s.LeaseHolder
		case s.RequestedAt != nil:
			next = "requested by " + s.RequestedBy
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Schedule, last, result, next)
	}
	tw.Flush()
}

// summaryText is " (name=n …)" for a run's non-empty summary.
func summaryText(s jobs.Summary) string {
	if len(s) == 0 {
		return ""
	}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, s[k])
	}
	return " (" + strings.Join(parts, " ") + ")"
}

// shanghaiTime shows t in Asia/Shanghai to the second.
func shanghaiTime(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
}
