package places_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// fixture is 郑州市 with two districts, a street in each, two communities
// in 金水区 and one in 中原区, a district department, and three grids.
type fixture struct {
	d   *db.DB
	reg *registry.Service
	svc *places.Service
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
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
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
	sealer, err := registry.NewSealer(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(d, log, clk, sealer, gridLocator{{34.77, 113.68}: "G410105001001"})
	return &fixture{d: d, reg: reg, svc: places.NewService(reg, d, log, clk), clk: clk, sys: sys}
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
	rw      = []rbac.Permission{registry.PermRead, registry.PermWrite}
	rwKey   = []rbac.Permission{registry.PermRead, registry.PermWrite, registry.PermKeyGroup}
	jinshui = "410105"
)

// person registers a person in a grid; key marks them a key-group person
// (set directly: group membership is another package's business).
func (f *fixture) person(t *testing.T, name, grid string, key bool) int64 {
	t.Helper()
	p, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: name, GridCode: grid})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	if key {
		if _, err := f.d.Exec(f.sys, `UPDATE people SET key_group = ? WHERE id = ?`, true, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	return p.ID
}

// auditCount counts the audit rows of an action on an object.
func (f *fixture) auditCount(t *testing.T, action, objType string, id int64) int {
	t.Helper()
	var n int
	err := f.d.QueryRow(f.sys, `SELECT count(*) FROM audit_log WHERE action = ? AND object_type = ? AND object_id = ?`,
		action, objType, fmt.Sprint(id)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error code %q (%v), want %q", got, err, code)
	}
}

// wantField fails unless err is an invalid-input or conflict error naming field.
func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	wantCode(t, err, code)
	if _, ok := apperr.As(err).Fields[field]; !ok {
		t.Fatalf("error %v does not name field %s", err, field)
	}
}

func ptr[T any](v T) *T { return &v }
