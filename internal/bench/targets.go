package bench

import (
	"context"
	"fmt"
	"gridgov/internal/org/orgdir"
	"sort"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
)

// unitRef is an org unit by code and materialised path.
type unitRef struct{ Code, Path string }

// target is one community with its grid and the chain of platforms above
// it: the places the benchmark files and drives its cases.
type target struct {
	Grid      string
	Community unitRef
	Street    unitRef
	District  unitRef
	// Dept is the district's 城市管理局 (<district>-cgj), the lead handler
	// of the lifecycle; empty when the district has none.
	Dept unitRef
}

// targets are the communities of the database, in code order.
type targets struct {
	all []target
	// withDept are those whose district has a 城市管理局.
	withDept []target
}

// loadTargets reads every community that has a grid of its own, with the
// street, district and district 城市管理局 above it.
func loadTargets(ctx context.Context, d *db.DB) (targets, error) {
	dir := orgdir.New(d)
	above, err := dir.UnitsWhere(ctx, []string{"district", "street"}, []string{"department"})
	if err != nil {
		return targets{}, apperr.Wrap(err, "load units")
	}
	units := make(map[string]string, len(above))
	for _, u := range above {
		units[u.Code] = u.Path
	}
	grids, err := dir.GridUnits(ctx)
	if err != nil {
		return targets{}, apperr.Wrap(err, "load community grids")
	}
	// The first grid (by code) of each territory community, by community code.
	first := map[string]target{}
	for _, g := range grids {
		u := g.Unit
		if u.Level != "community" || u.Kind != "territory" {
			continue
		}
		if t, ok := first[u.Code]; !ok || g.Grid < t.Grid {
			var t target
			t.Grid, t.Community.Code, t.Community.Path = g.Grid, u.Code, u.Path
			first[u.Code] = t
		}
	}
	codes := make([]string, 0, len(first))
	for c := range first {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var tg targets
	for _, c := range codes {
		t := first[c]
		if !t.resolve(units) {
			continue
		}
		tg.all = append(tg.all, t)
		if t.Dept.Code != "" {
			tg.withDept = append(tg.withDept, t)
		}
	}
	if len(tg.all) == 0 {
		return tg, apperr.New(apperr.Invalid, "no community with a grid to file cases in; seed the demo first")
	}
	return tg, nil
}

// resolve fills the street, district and department from the community's
// path (/city/district/street/community/); false when one is missing.
func (t *target) resolve(units map[string]string) bool {
	parts := strings.Split(strings.Trim(t.Community.Path, "/"), "/")
	if len(parts) != 4 {
		return false
	}
	dist, street := parts[1], parts[2]
	if units[dist] == "" || units[street] == "" {
		return false
	}
	t.District = unitRef{dist, units[dist]}
	t.Street = unitRef{street, units[street]}
	if p := units[dist+"-cgj"]; p != "" {
		t.Dept = unitRef{dist + "-cgj", p}
	}
	return true
}

// input is the i-th benchmark case filed in t's grid, as a field app
// would send it (with an Idempotency-Key).
func (t target) input(run string, i int, category string) cases.CaseCreate {
	return cases.CaseCreate{
		CategoryCode:   category,
		Description:    fmt.Sprintf("性能基准案件 %d：路边有暴露垃圾（benchmark case）", i+1),
		Address:        fmt.Sprintf("%s 网格内 %d 号", t.Grid, i%200+1),
		Source:         cases.Sources[i%len(cases.Sources)],
		GridCode:       t.Grid,
		IdempotencyKey: fmt.Sprintf("bench-%s-%d", run, i),
	}
}

// worker acts as the grid worker of t's community: case.read and
// case.create over it.
func (t target) worker(ctx context.Context, id int64) context.Context {
	return newActor(ctx, id, "bench-worker-"+t.Community.Code, t.Community.Code, t.Community.Path,
		cases.PermCaseRead, cases.PermCaseCreate)
}

// platform acts as the platform (指挥中心) of u: case.read and
// case.dispatch over it.
func platform(ctx context.Context, id int64, u unitRef) context.Context {
	return newActor(ctx, id, "bench-platform-"+u.Code, u.Code, u.Path,
		cases.PermCaseRead, cases.PermCaseDispatch)
}

// handler acts as a handler of department u: case.read and case.handle.
func handler(ctx context.Context, id int64, u unitRef) context.Context {
	return newActor(ctx, id, "bench-handler-"+u.Code, u.Code, u.Path, cases.PermCaseRead, cases.PermCaseHandle)
}
