package registry_test

import (
	"bytes"
	"context"
	"strconv"
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
	"gridgov/internal/seal"
)

// peopleFixture is 郑州市 with 金水区 (a street with two communities) and
// 中原区 (one community), a grid in each community, and the registry.
type peopleFixture struct {
	d   *db.DB
	reg *registry.Service
	clk *clock.Fake
	log *audit.Log
	sys context.Context
}

// The fixture's grids.
const (
	gridJBL = orgtest.GridJBL // 经八路社区
	gridHHL = orgtest.GridHHL // 黄河路社区
	gridLSZ = orgtest.GridLSZ // 林山寨社区 (中原区)
)

func newPeopleFixture(t testing.TB, d *db.DB) *peopleFixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	seal, err := seal.NewSealer(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &peopleFixture{d: d, clk: clk, log: log, sys: sys,
		reg: registry.NewService(d, log, clk, seal, nil)}
}

// with replaces the fixture's service by one with the same key built with
// opts as well.
func (f *peopleFixture) with(opts ...registry.Option) {
	f.reg = registry.NewService(f.d, f.log, f.clk, f.reg.Sealer(), nil, opts...)
}

// ppAs acts as a new user holding perms over the subtree of unit code.
func ppAs(code string, perms ...rbac.Permission) context.Context { return orgtest.As(code, perms...) }

// ppPath builds the org path of a fixture unit.
func ppPath(code string) string { return orgtest.Path(code) }

// Permission sets of the tests.
var (
	ppReader  = []rbac.Permission{registry.PermRead}
	ppWriter  = []rbac.Permission{registry.PermRead, registry.PermWrite}
	ppOfficer = []rbac.Permission{registry.PermRead, registry.PermWrite, registry.PermUnmask, registry.PermKeyGroup}
)

// Valid ID-card numbers and phones of the tests.
var (
	idZhang = seal.MakeIDNumber("41010519900307123") // 张三, male
	idLi    = seal.MakeIDNumber("41010219851122002") // 李四, female
	idWang  = seal.MakeIDNumber("41010520000101001")
)

const (
	phoneZhang = "13812345678"
	phoneLi    = "13987654321"
)

// person creates a person in grid as the system.
func (f *peopleFixture) person(t testing.TB, name, id, phone, grid string) registry.Person {
	t.Helper()
	p, err := f.reg.CreatePerson(f.sys, registry.PersonInput{Name: name, IDNumber: id, Phone: phone, GridCode: grid,
		Address: "经八路1号院" + name})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return p
}

// keyGroup marks a person as a key-group person.
func (f *peopleFixture) keyGroup(t testing.TB, id int64) {
	t.Helper()
	if _, err := f.d.Exec(context.Background(), `UPDATE people SET key_group = ? WHERE id = ?`, true, id); err != nil {
		t.Fatal(err)
	}
}

// audits counts the audit entries of action on a person.
func (f *peopleFixture) audits(t testing.TB, action string, id int64) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = ? AND object_type = 'person'
		AND object_id = ?`, action, strconv.FormatInt(id, 10)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// ppCode fails unless err carries code ("" meaning no error).
func ppCode(t testing.TB, err error, code apperr.Code) { t.Helper(); orgtest.WantCode(t, err, code) }

// ppField fails unless err (of code) names field.
func ppField(t testing.TB, err error, code apperr.Code, field string) {
	t.Helper()
	orgtest.WantField(t, err, code, field)
}
