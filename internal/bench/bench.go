// Package bench measures the case loop against the database it runs on:
// cases created and driven through the six steps by the cases service (with
// grid lookup, deadlines from the working calendar, numbering, history,
// notices and the audit chain) compared with plain INSERTs and UPDATEs of
// the same rows into a bare table on the same database.
//
// Transaction shape: every service call runs in its own transaction, and
// every raw statement runs on its own (auto-commit), so both sides commit
// once per call: case-create compares one service transaction with one
// INSERT; case-lifecycle compares seven service transactions with one
// INSERT and six UPDATEs.
package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The workloads.
const (
	WorkloadCreate    = "case-create"
	WorkloadLifecycle = "case-lifecycle"
)

// Workloads lists the workloads in the order Cases runs them.
var Workloads = []string{WorkloadCreate, WorkloadLifecycle}

// DefaultN is the number of cases (and of lifecycles) per workload.
const DefaultN = 2000

// DefaultCategory is the category of the benchmark cases: 暴露垃圾, the most
// frequent city-management event.
const DefaultCategory = "E010101"

// Deps are what the workloads run on.
type Deps struct {
	DB    *db.DB
	Cases *cases.Service
}

// Options tune a run.
type Options struct {
	// N is the number of cases created, and of lifecycles run; 0 means
	// DefaultN.
	N int
	// Workloads selects workloads by name; empty runs all of Workloads.
	Workloads []string
	// Category is the category code of the cases; empty means
	// DefaultCategory.
	Category string
	// Concurrency is the number of clients calling at once, on both
	// sides; 0 means DefaultConcurrency.
	Concurrency int
}

// DefaultConcurrency is the number of clients of a run: a city's field
// workers and platforms file and move cases at the same time, and so the
// service is measured the way the server meets them.
const DefaultConcurrency = 16

// Result is one measured workload, printed as one JSON line. case-create
// fills CasesPerSec and RawInsertsPerSec; case-lifecycle fills
// LifecyclesPerSec and RawLifecyclesPerSec (one INSERT and six UPDATEs each).
type Result struct {
	Workload            string  `json:"workload"`
	CasesPerSec         float64 `json:"cases_per_sec,omitempty"`
	RawInsertsPerSec    float64 `json:"raw_inserts_per_sec,omitempty"`
	LifecyclesPerSec    float64 `json:"lifecycles_per_sec,omitempty"`
	RawLifecyclesPerSec float64 `json:"raw_lifecycles_per_sec,omitempty"`
	// Ratio is service throughput divided by raw throughput.
	Ratio float64 `json:"ratio"`
	N     int     `json:"n"`
	// Calls is the number of service calls (and of raw statements) per
	// case or lifecycle.
	Calls int `json:"calls"`
	// Concurrency is the number of clients that called at once.
	Concurrency int    `json:"concurrency"`
	Database    string `json:"database"`
	// Seconds and RawSeconds are the wall-clock times of both sides.
	Seconds    float64 `json:"seconds"`
	RawSeconds float64 `json:"raw_seconds"`
}

// Cases runs the selected workloads, one after the other, on deps.DB. The
// cases it creates stay in the database (the lifecycle ones closed); the
// bare table bench_cases_raw is dropped before returning.
func Cases(ctx context.Context, deps Deps, opts Options) ([]Result, error) {
	if deps.DB == nil || deps.Cases == nil {
		return nil, apperr.New(apperr.Invalid, "bench: database and cases service required")
	}
	if err := normalize(&opts); err != nil {
		return nil, err
	}
	tg, err := loadTargets(ctx, deps.DB)
	if err != nil {
		return nil, err
	}
	if err := createRawTable(ctx, deps.DB); err != nil {
		return nil, err
	}
	defer dropRawTable(deps.DB)
	var out []Result
	for _, w := range opts.Workloads {
		var r Result
		switch w {
		case WorkloadCreate:
			r, err = runCreate(ctx, deps, tg, opts)
		case WorkloadLifecycle:
			r, err = runLifecycle(ctx, deps, tg, opts)
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", w, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// normalize fills defaults and checks the options.
func normalize(o *Options) error {
	if o.N == 0 {
		o.N = DefaultN
	}
	if o.N < 0 || o.N > 1_000_000 {
		return apperr.Field("n", apperr.IntRange, "min", 1, "max", 1000000)
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Concurrency < 0 || o.Concurrency > 256 {
		return apperr.Field("concurrency", apperr.IntRange, "min", 1, "max", 256)
	}
	if o.Category = strings.TrimSpace(o.Category); o.Category == "" {
		o.Category = DefaultCategory
	}
	if len(o.Workloads) == 0 {
		o.Workloads = Workloads
	}
	for _, w := range o.Workloads {
		if w != WorkloadCreate && w != WorkloadLifecycle {
			return apperr.Field("workload", apperr.UnknownWorkload, "name", w)
		}
	}
	return nil
}

// rate is n per second, rounded to one decimal.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		d = time.Nanosecond
	}
	return math.Round(float64(n)/d.Seconds()*10) / 10
}

// ratio divides a by b, rounded to three decimals.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1000) / 1000
}

func secs(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// benchUserBase numbers the benchmark actors, far above real user ids.
const benchUserBase = 900_000_000

// newActor returns ctx acting as a benchmark user of unit (at path) holding
// perms over that unit's subtree, the way a role granted over the unit
// would: the service checks these grants exactly as for a logged-in user.
func newActor(ctx context.Context, id int64, name, unit, path string, perms ...rbac.Permission) context.Context {
	m := make(map[string]bool, len(perms))
	for _, p := range perms {
		m[string(p)] = true
	}
	a := &actor.Actor{UserID: benchUserBase + id, Username: name, UnitCode: unit, SessionKind: "api",
		Grants: []actor.Grant{{Role: "bench", ScopeCode: unit, ScopePath: path, Perms: m}}}
	return actor.With(ctx, a)
}
