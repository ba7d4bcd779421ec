// Package jobs runs the platform's background work: named jobs due every
// interval or daily at a Shanghai time, each run taken under a lease held
// in the database so that of several nodes (gridgov serve processes) on one
// database exactly one runs it, every run recorded with its node, times,
// result and error, and run-now requests from the console, the API or the
// CLI. The jobs table and job_runs belong to this package.
//
// A job is registered with one call:
//
//	runner.Register(jobs.Job{Name: "cases.overdue", Schedule: jobs.Every(time.Minute), Run: fn})
//
// A run is claimed with one conditional UPDATE (the lease is free or has
// expired, and the job is due or asked for): on PostgreSQL a second node's
// UPDATE waits for the first to commit and then finds the lease taken, on
// SQLite writers are serialised; either way one claim wins. The winner
// renews the lease while the job runs; a node that dies loses it after
// Options.Lease and the next claim marks its run abandoned and runs again.
package jobs

import (
	"context"
	"log/slog"
	"regexp"
	"time"
)

// Job is one named piece of background work.
type Job struct {
	// Name identifies the job across nodes and in the history: lower case
	// words joined by dots, such as "cases.overdue".
	Name string
	// Schedule says when it is due.
	Schedule Schedule
	// Run does the work as the system actor "job:<name>". Its summary
	// counts what it did (the console shows the counts); an error makes
	// the run a failure. Run must stop soon after ctx is cancelled.
	Run func(ctx context.Context) (Summary, error)
}

// Summary counts what one run did, by name ("purged": 3).
type Summary map[string]int64

// Causes of a run.
const (
	CauseSchedule = "schedule" // it was due
	CauseRequest  = "request"  // someone asked for it from the console or the API
	CauseCLI      = "cli"      // gridgov jobs run NAME
)

// Results of a run.
const (
	ResultRunning   = "running"
	ResultOK        = "ok"
	ResultError     = "error"
	ResultAbandoned = "abandoned" // its node lost the lease (died) before it ended
)

// Run is one recorded run of a job.
type Run struct {
	ID          int64      `json:"id"`
	Job         string     `json:"job"`
	Node        string     `json:"node"`
	Cause       string     `json:"cause"`
	RequestedBy string     `json:"requested_by,omitempty"`
	StartedAt   time.Time  `json:"started_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	Result      string     `json:"result"`
	Summary     Summary    `json:"summary"`
	Error       string     `json:"error,omitempty"`
}

// Status is a job as the database holds it.
type Status struct {
	Name     string    `json:"name"`
	Schedule Schedule  `json:"schedule"`
	NextRun  time.Time `json:"next_run"`
	// Running is true while a node holds the lease; LeaseHolder names it.
	Running     bool       `json:"running"`
	LeaseHolder string     `json:"lease_holder,omitempty"`
	LeaseUntil  *time.Time `json:"lease_until,omitempty"`
	// RequestedAt is set while a run-now request waits to be picked up.
	RequestedAt *time.Time `json:"requested_at,omitempty"`
	RequestedBy string     `json:"requested_by,omitempty"`
	LastRun     *Run       `json:"last_run,omitempty"`
}

// validName is what a job name looks like.
var validName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// Options tune a runner; zero values take the defaults.
type Options struct {
	// Node names this process in leases and the history (default
	// hostname/pid).
	Node string
	// Lease is how long a claim holds without renewal: a node that dies
	// mid-run loses its job this long after its last renewal (default
	// 2 minutes; renewed every quarter of it while the job runs).
	Lease time.Duration
	// Poll is how often Start looks for due jobs and requests (default 5s).
	Poll time.Duration
	// Keep is how long the history of runs is kept (default 30 days).
	Keep time.Duration
	// Logger receives failed runs and lost leases (default slog.Default()).
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultLease = 2 * time.Minute
	DefaultPoll  = 5 * time.Second
	DefaultKeep  = 30 * 24 * time.Hour
)
