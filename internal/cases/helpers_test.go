package cases_test

import (
	"context"
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
	"gridgov/internal/orgtest"
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
	log *audit.Log
	loc cases.Locator
}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	// Monday 2 March 2026, 09:00 in Zhengzhou: a working day.
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, cst))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	loc := orgtest.Locator{{34.77, 113.68}: "G410105001001"}
	f := &fixture{d: d, clk: clk, sys: sys, log: log, loc: loc,
		svc: cases.NewService(d, log, clk, calendar.Default(), loc)}
	if err := f.svc.EnsureCatalogue(sys); err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	return f
}

// with replaces the fixture's service by one built with opts as well.
func (f *fixture) with(opts ...cases.Option) {
	f.svc = cases.NewService(f.d, f.log, f.clk, calendar.Default(), f.loc, opts...)
}

// as acts as a new user holding perms over the subtree of unit code.
func as(code string, perms ...rbac.Permission) context.Context { return orgtest.As(code, perms...) }

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
func must[T any](v T, err error) T { return orgtest.Must(v, err) }

// created unwraps CreateCase's three results like must.
func created(c cases.Case, _ bool, err error) cases.Case { return must(c, err) }

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t *testing.T, err error, code apperr.Code) { t.Helper(); orgtest.WantCode(t, err, code) }

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
	orgtest.WantField(t, err, apperr.Invalid, field)
}

func at(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, cst) }
