package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gridgov/internal/cases"
)

// actors caches one acting context per benchmark user, each with its own
// user id, so that every community has its grid worker and every platform
// and department its own user.
type actors struct {
	base context.Context
	mu   sync.Mutex
	next int64
	m    map[string]context.Context
}

func newActors(ctx context.Context) *actors {
	return &actors{base: ctx, m: map[string]context.Context{}}
}

// get returns the actor named key, making it with mk on first use.
func (a *actors) get(key string, mk func(ctx context.Context, id int64) context.Context) context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.m[key]; ok {
		return c
	}
	a.next++
	c := mk(a.base, a.next)
	a.m[key] = c
	return c
}

// runID makes the Idempotency-Keys of a run unique across runs.
func runID() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

// parallel runs do(i) for i in [0,n) on c goroutines, each taking the
// next i, and returns the first error.
func parallel(ctx context.Context, n, c int, do func(i int) error) error {
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := ctx.Err()
				if err == nil {
					err = do(i)
				}
				if err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// runCreate files opts.N cases through the service from opts.Concurrency
// clients at once, spread round-robin over the communities, each as that
// community's grid worker; then inserts the same rows into the bare table
// from as many clients.
func runCreate(ctx context.Context, deps Deps, tg targets, opts Options) (Result, error) {
	acts, run := newActors(ctx), runID()
	made := make([]cases.Case, opts.N)
	start := time.Now()
	err := parallel(ctx, opts.N, opts.Concurrency, func(i int) error {
		t := tg.all[i%len(tg.all)]
		wctx := acts.get("w"+t.Community.Code, t.worker)
		c, _, err := deps.Cases.CreateCase(wctx, t.input(run, i, opts.Category))
		if err != nil {
			return fmt.Errorf("case %d in %s: %w", i+1, t.Grid, err)
		}
		made[i] = c
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	took := time.Since(start)
	start = time.Now()
	err = parallel(ctx, opts.N, opts.Concurrency, func(i int) error {
		_, err := insertRaw(ctx, deps.DB, made[i])
		return err
	})
	if err != nil {
		return Result{}, err
	}
	rawTook := time.Since(start)
	r := Result{Workload: WorkloadCreate, CasesPerSec: rate(opts.N, took), RawInsertsPerSec: rate(opts.N, rawTook),
		N: opts.N, Calls: 1, Concurrency: opts.Concurrency, Database: string(deps.DB.Dialect),
		Seconds: secs(took), RawSeconds: secs(rawTook)}
	r.Ratio = ratio(r.CasesPerSec, r.RawInsertsPerSec)
	return r, nil
}

// lifecycleCalls is the number of service calls of one lifecycle.
const lifecycleCalls = 7

// runLifecycle drives opts.N cases through the six steps, each by the
// right user: the community's grid worker files and reports it (采集, 上报),
// the community and street platforms pass it up (上报) to the district
// platform, which assigns it (交办) to the district 城市管理局; a handler
// there signs for it and feeds back (办理, 反馈); the district platform
// verifies and closes it (办结). The states after each call are then
// replayed on the bare table as one INSERT and six UPDATEs.
func runLifecycle(ctx context.Context, deps Deps, tg targets, opts Options) (Result, error) {
	if len(tg.withDept) == 0 {
		return Result{}, fmt.Errorf("no district with a 城市管理局 (<district>-cgj) to assign cases to")
	}
	acts, run := newActors(ctx), runID()
	states := make([][lifecycleCalls]cases.Case, opts.N)
	start := time.Now()
	err := parallel(ctx, opts.N, opts.Concurrency, func(i int) error {
		t := tg.withDept[i%len(tg.withDept)]
		if err := lifecycle(deps.Cases, acts, t, t.input(run, i, opts.Category), &states[i]); err != nil {
			return fmt.Errorf("lifecycle %d in %s: %w", i+1, t.Grid, err)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	took := time.Since(start)
	start = time.Now()
	err = parallel(ctx, opts.N, opts.Concurrency, func(i int) error { return replayRaw(ctx, deps, &states[i]) })
	if err != nil {
		return Result{}, err
	}
	rawTook := time.Since(start)
	r := Result{Workload: WorkloadLifecycle, LifecyclesPerSec: rate(opts.N, took),
		RawLifecyclesPerSec: rate(opts.N, rawTook), N: opts.N, Calls: lifecycleCalls, Concurrency: opts.Concurrency,
		Database: string(deps.DB.Dialect), Seconds: secs(took), RawSeconds: secs(rawTook)}
	r.Ratio = ratio(r.LifecyclesPerSec, r.RawLifecyclesPerSec)
	return r, nil
}

// lifecycle runs the seven calls of one case, keeping the state after each.
func lifecycle(svc *cases.Service, acts *actors, t target, in cases.CaseCreate, out *[lifecycleCalls]cases.Case) error {
	worker := acts.get("w"+t.Community.Code, t.worker)
	community := acts.get("p"+t.Community.Code, func(c context.Context, id int64) context.Context {
		return platform(c, id, t.Community)
	})
	street := acts.get("p"+t.Street.Code, func(c context.Context, id int64) context.Context {
		return platform(c, id, t.Street)
	})
	district := acts.get("p"+t.District.Code, func(c context.Context, id int64) context.Context {
		return platform(c, id, t.District)
	})
	dept := acts.get("h"+t.Dept.Code, func(c context.Context, id int64) context.Context {
		return handler(c, id, t.Dept)
	})
	c, _, err := svc.CreateCase(worker, in)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	out[0] = c
	steps := []struct {
		name string
		do   func(v int) (cases.Case, error)
	}{
		{"escalate to street", func(v int) (cases.Case, error) {
			return svc.Escalate(community, c.ID, cases.Transition{Version: v, Note: "超出社区处置能力，上报街道"})
		}},
		{"escalate to district", func(v int) (cases.Case, error) {
			return svc.Escalate(street, c.ID, cases.Transition{Version: v, Note: "需区级部门处置，上报区平台"})
		}},
		{"assign", func(v int) (cases.Case, error) {
			return svc.Assign(district, c.ID, cases.AssignInput{Transition: cases.Transition{Version: v,
				Note: "请区城管局处置"}, LeadUnitCode: t.Dept.Code})
		}},
		{"sign", func(v int) (cases.Case, error) {
			return svc.Sign(dept, c.ID, cases.HandlerInput{Transition: cases.Transition{Version: v}})
		}},
		{"feedback", func(v int) (cases.Case, error) {
			return svc.Feedback(dept, c.ID, cases.HandlerInput{Transition: cases.Transition{Version: v,
				Note: "垃圾已清运，现场已恢复"}})
		}},
		{"verify", func(v int) (cases.Case, error) {
			return svc.Verify(district, c.ID, cases.VerifyInput{Transition: cases.Transition{Version: v,
				Note: "核查通过"}, Pass: true})
		}},
	}
	for k, s := range steps {
		if c, err = s.do(c.Version); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		out[k+1] = c
	}
	if c.Status != cases.StatusClosed {
		return fmt.Errorf("case %s ended %s, want closed", c.Number, c.Status)
	}
	return nil
}

// replayRaw writes the states of one lifecycle to the bare table: the
// first as an INSERT, each later one as an UPDATE.
func replayRaw(ctx context.Context, deps Deps, st *[lifecycleCalls]cases.Case) error {
	id, err := insertRaw(ctx, deps.DB, st[0])
	if err != nil {
		return err
	}
	for _, c := range st[1:] {
		if err := updateRaw(ctx, deps.DB, id, c); err != nil {
			return err
		}
	}
	return nil
}
