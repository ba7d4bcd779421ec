package places_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
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

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	sealer, err := seal.NewSealer(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.NewService(d, log, clk, sealer, orgtest.Locator{{34.77, 113.68}: "G410105001001"})
	return &fixture{d: d, reg: reg, svc: places.NewService(reg, d, log, clk), clk: clk, sys: sys}
}

// as acts as a new user holding perms over the subtree of unit code.
func as(code string, perms ...rbac.Permission) context.Context { return orgtest.As(code, perms...) }

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

func must[T any](v T, err error) T { return orgtest.Must(v, err) }

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t *testing.T, err error, code apperr.Code) { t.Helper(); orgtest.WantCode(t, err, code) }

// wantField fails unless err is an invalid-input or conflict error naming field.
func wantField(t *testing.T, err error, code apperr.Code, field string) {
	t.Helper()
	orgtest.WantField(t, err, code, field)
}

func ptr[T any](v T) *T { return &v }
