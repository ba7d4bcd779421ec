package org_test

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// fixture is a small city: 郑州市 with two districts, three streets, four
// communities, a city department with an office, two grids and two staff.
type fixture struct {
	d   *db.DB
	svc *org.Service
	log *audit.Log
	clk *clock.Fake
	sys context.Context
	// staffJS is in 金水区 (410105), staffZY in 中原区 (410102).
	staffJS, staffZY org.Staff
}

var treeUnits = []org.UnitInput{
	{Code: "410100", Name: "郑州市", Level: org.City},
	{Code: "410105", Name: "金水区", Level: org.District, ParentCode: "410100", Sort: 2},
	{Code: "410102", Name: "中原区", Level: org.District, ParentCode: "410100", Sort: 1},
	{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410105"},
	{Code: "410105002", Name: "花园路街道", Level: org.Street, ParentCode: "410105"},
	{Code: "410102001", Name: "林山寨街道", Level: org.Street, ParentCode: "410102"},
	{Code: "410105001001", Name: "经八路社区", Level: org.Community, ParentCode: "410105001"},
	{Code: "410105001002", Name: "黄河路社区", Level: org.Community, ParentCode: "410105001"},
	{Code: "410105002001", Name: "花园路社区", Level: org.Community, ParentCode: "410105002"},
	{Code: "410102001001", Name: "林山寨社区", Level: org.Community, ParentCode: "410102001"},
	{Code: "D410100-01", Name: "市城市管理局", Kind: org.Department, ParentCode: "410100", Sort: 9},
	{Code: "D410100-01-1", Name: "市容科", Kind: org.Office, ParentCode: "D410100-01"},
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	f := &fixture{d: d, svc: org.NewService(d, log, clk), log: log, clk: clk,
		sys: actor.With(context.Background(), actor.SystemActor("test"))}
	for _, u := range treeUnits {
		if _, err := f.svc.CreateUnit(f.sys, u); err != nil {
			t.Fatalf("create unit %s: %v", u.Code, err)
		}
	}
	for _, g := range []org.GridInput{
		{Code: "G410105001001", Name: "经八路社区网格", Level: 3, UnitCode: "410105001001"},
		{Code: "G410102001001", Name: "林山寨社区网格", Level: 3, UnitCode: "410102001001"},
	} {
		if _, err := f.svc.CreateGrid(f.sys, g); err != nil {
			t.Fatalf("create grid %s: %v", g.Code, err)
		}
	}
	var err error
	f.staffJS, err = f.svc.CreateStaff(f.sys, org.StaffInput{Name: "张伟", Phone: "13812345678", Position: "网格员",
		UnitCode: "410105001001", Team: org.GridLeader, GridCodes: []string{"G410105001001"}})
	if err != nil {
		t.Fatalf("create staff: %v", err)
	}
	f.staffZY, err = f.svc.CreateStaff(f.sys, org.StaffInput{Name: "李娜", Phone: "0371-66668888",
		UnitCode: "410102001001", GridCodes: []string{"G410102001001"}})
	if err != nil {
		t.Fatalf("create staff: %v", err)
	}
	return f
}

// as returns a context acting as a user holding perms over the subtree of scopeCode.
func as(scopeCode, scopePath string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	a := &actor.Actor{UserID: 1, Username: "u-" + scopeCode, UnitCode: scopeCode,
		Grants: []actor.Grant{{Role: "r", ScopeCode: scopeCode, ScopePath: scopePath, Perms: m}}}
	return actor.With(context.Background(), a)
}

// districtAdmin acts as the administrator of 金水区 (every permission there).
func districtAdmin() context.Context { return as("410105", "/410100/410105/", rbac.All...) }

// districtReader may only read in 金水区.
func districtReader() context.Context {
	return as("410105", "/410100/410105/", rbac.OrgRead, rbac.GridRead, rbac.StaffRead)
}

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error code %q (%v), want %q", got, err, code)
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

// auditCount counts audit entries with action.
func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rowCount counts the rows of a table.
func rowCount(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
