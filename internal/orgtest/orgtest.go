// Package orgtest is the test territory shared by the domain packages'
// tests: 郑州市 with 金水区 and 中原区, a street in each, three communities
// with one third-level grid each, and three departments; acting users
// with chosen permissions over a unit's subtree; and small assertion
// helpers on apperr codes. Only tests import it.
package orgtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// Units are the test territory's units, parents first. A unit without a
// Kind is a territory.
var Units = []org.UnitInput{
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

// The test territory's third-level grids, one per community.
const (
	GridJBL = "G410105001001" // 经八路一网格, 经八路社区 (金水区)
	GridHHL = "G410105001002" // 黄河路一网格, 黄河路社区 (金水区)
	GridLSZ = "G410102001001" // 林山寨一网格, 林山寨社区 (中原区)
)

// Grids are the test territory's grids.
var Grids = []org.GridInput{
	{Code: GridJBL, Name: "经八路一网格", Level: 3, UnitCode: "410105001001"},
	{Code: GridHHL, Name: "黄河路一网格", Level: 3, UnitCode: "410105001002"},
	{Code: GridLSZ, Name: "林山寨一网格", Level: 3, UnitCode: "410102001001"},
}

// Build creates Units and Grids through orgs, acting as sys (the system
// actor), failing t on any error.
func Build(t testing.TB, sys context.Context, orgs *org.Service) {
	t.Helper()
	for _, u := range Units {
		if u.Kind == "" {
			u.Kind = org.Territory
		}
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	for _, g := range Grids {
		if _, err := orgs.CreateGrid(sys, g); err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
	}
}

// Path returns the org path ("/410100/410105/…/") of a unit of Units; it
// panics on an unknown code.
func Path(code string) string {
	for _, u := range Units {
		if u.Code == code {
			if u.ParentCode == "" {
				return "/" + code + "/"
			}
			return Path(u.ParentCode) + code + "/"
		}
	}
	panic("orgtest: unknown unit " + code)
}

var nextUser atomic.Int64

// As returns a context acting as a new user (a fresh id each call) of
// unit code, holding perms over that unit's subtree.
func As(code string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	a := &actor.Actor{UserID: 1000 + nextUser.Add(1), Username: "u-" + code, UnitCode: code,
		Grants: []actor.Grant{{Role: "r", ScopeCode: code, ScopePath: Path(code), Perms: m}}}
	return actor.With(context.Background(), a)
}

// Locator finds grids by exact point, standing in for internal/geo in
// services that take a locator.
type Locator map[[2]float64]string

// Locate returns the grid registered at exactly (lat, lng).
func (g Locator) Locate(_ context.Context, lat, lng float64) (string, bool, error) {
	c, ok := g[[2]float64{lat, lng}]
	return c, ok, nil
}

// Must returns v, panicking (which fails the test with a trace) on error.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// WantCode fails t unless err carries code ("" meaning no error).
func WantCode(t testing.TB, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error code %q (%v), want %q", got, err, code)
	}
}

// WantField fails t unless err carries code and names field.
func WantField(t testing.TB, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Code != code {
		t.Fatalf("got %v, want %s naming %s", err, code, field)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("got fields %v, want one named %s", e.Fields, field)
	}
}
