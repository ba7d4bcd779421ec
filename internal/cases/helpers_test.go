package cases_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// cst is Asia/Shanghai.
var cst = time.FixedZone("CST", 8*3600)

// fixture is 郑州市 with two districts, a street with two communities in
// 金水区, one in 中原区, a city and a district 城管局, and three grids.
type fixture struct {
	d   *db.DB
	svc *cases.Service
	clk *clock.Fake
	sys context.Context
}

var units = []org.UnitInput{
	{Code: "410100", Name: "郑州市", Level: org.City},
	{Code: "410105", Name: "金水区", Level: org.District, ParentCode: "410100"},
	{Code: "410102", Name: "中原区", Level: org.District, ParentCode: "410100"},
	{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410105"},
	{Code: "410102001", Name: "林山寨街道", Level: org.Street, ParentCode: "410102"},
	{Code: "410105001001", Name: "经八路社区", Level: org.Community, ParentCode: "410105001"},
	{Code: "410105001002", Name: "黄河路社区", Level: org.Community, ParentCode: "410105001"},
	{Code: "410102001001", Name: "林山寨社区", Level: org.Community, ParentCode: "410102001"},
	{Code: "410100-cgj", Name: "市城市管理局", Kind: org.Department, ParentCode: "410100"},
	{Code: "410105-cgj", Name: "金水区城市管理局", Kind: org.Department, ParentCode: "410105"},
	{Code: "410105-szj", Name: "金水区市政局", Kind: org.Department, ParentCode: "410105"},
}

// gridLocator finds grids by exact point, standing in for internal/geo.
type gridLocator map[[2]float64]string

func (g gridLocator) Locate(_ context.Context, lat, lng float64) (string, bool, error) {
	c, ok := g[[2]float64{lat, lng}]
	return c, ok, nil
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	// Monday 2 March 2026, 09:00 in Zhengzhou: a working day.
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, cst))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgs := org.NewService(d, log, clk)
	for _, u := range units {
		if u.Kind == "" {
			u.Kind = org.Territory
		}
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	for _, g := range []org.GridInput{
		{Code: "G410105001001", Name: "经八路一网格", Level: 3, UnitCode: "410105001001"},
		{Code: "G410105001002", Name: "黄河路一网格", Level: 3, UnitCode: "410105001002"},
		{Code: "G410102001001", Name: "林山寨一网格", Level: 3, UnitCode: "410102001001"},
	} {
		if _, err := orgs.CreateGrid(sys, g); err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
	}
	loc := gridLocator{{34.77, 113.68}: "G410105001001"}
	f := &fixture{d: d, clk: clk, sys: sys,
		svc: cases.NewService(d, log, clk, calendar.Default(), loc)}
	if err := f.svc.EnsureCatalogue(sys); err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	return f
}

var nextUser atomic.Int64

// as acts as a new user holding perms over the subtree of unit code.
func as(code string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	a := &actor.Actor{UserID: 1000 + nextUser.Add(1), Username: "u-" + code, UnitCode: code,
		Grants: []actor.Grant{{Role: "r", ScopeCode: code, ScopePath: pathOf(code), Perms: m}}}
	return actor.With(context.Background(), a)
}

// pathOf builds the org path of a fixture unit.
func pathOf(code string) string {
	for _, u := range units {
		if u.Code == code {
			if u.ParentCode == "" {
				return "/" + code + "/"
			}
			return pathOf(u.ParentCode) + code + "/"
		}
	}
	panic("unknown unit " + code)
}

var (
	allCase    = []rbac.Permission{cases.PermCaseRead, cases.PermCaseCreate, cases.PermCaseDispatch, cases.PermCaseHandle, cases.PermCaseSupervise, cases.PermCategoryWrite}
	worker     = []rbac.Permission{cases.PermCaseRead, cases.PermCaseCreate}
	platform   = []rbac.Permission{cases.PermCaseRead, cases.PermCaseDispatch, cases.PermCaseSupervise}
	handler    = []rbac.Permission{cases.PermCaseRead, cases.PermCaseHandle}
	dispatcher = []rbac.Permission{cases.PermCaseRead, cases.PermCaseDispatch, cases.PermCaseHandle}
)

// newCase files a reported 暴露垃圾 case in the 经八路 grid as a grid worker.
func (f *fixture) newCase(t *testing.T) cases.Case {
	t.Helper()
	c, _, err := f.svc.CreateCase(as("410105001001", worker...), cases.CaseCreate{
		CategoryCode: "E010101", Description: "路边有暴露垃圾", GridCode: "G410105001001",
		Address: "经八路与黄河路交叉口", Source: cases.SourcePatrol})
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	return c
}

// must returns v, panicking (which fails the test with a trace) on error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// created unwraps CreateCase's three results like must.
func created(c cases.Case, _ bool, err error) cases.Case { return must(c, err) }

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error code %q (%v), want %q", got, err, code)
	}
}

// wantReason fails unless err is a conflict with reason.
func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Code != apperr.Conflict || e.Reason != reason {
		t.Fatalf("got %v (reason %q), want conflict %s", err, e.Reason, reason)
	}
}

// wantField fails unless err is invalid naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Code != apperr.Invalid {
		t.Fatalf("got %v, want invalid naming %s", err, field)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("got fields %v, want one named %s", e.Fields, field)
	}
}

func at(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, cst) }
