package rbac_test

import (
	"context"
	"reflect"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
)

func districtAdmin() *actor.Actor {
	return &actor.Actor{UserID: 2, Username: "admin-410105", Grants: []actor.Grant{
		{Role: "admin", ScopeCode: "410105", ScopePath: "/410100/410105/", Perms: map[string]bool{rbac.OrgRead: true, rbac.OrgWrite: true}},
		{Role: "viewer", ScopeCode: "410105001", ScopePath: "/410100/410105/410105001/", Perms: map[string]bool{rbac.OrgRead: true}},
		{Role: "viewer", ScopeCode: "410102", ScopePath: "/410100/410102/", Perms: map[string]bool{rbac.GridRead: true}},
	}}
}

func TestRequire(t *testing.T) {
	ctx := actor.With(context.Background(), districtAdmin())
	tests := []struct {
		perm, path string
		want       apperr.Code
	}{
		{rbac.OrgRead, "/410100/410105/", ""},
		{rbac.OrgRead, "/410100/410105/410105001/410105001002/", ""},
		{rbac.OrgRead, "/410100/", apperr.NotFound},
		{rbac.OrgRead, "/410100/410102/", apperr.NotFound},
		{rbac.OrgRead, "/410100/4101050/", apperr.NotFound}, // a sibling whose code merely starts the same
		{rbac.AuditRead, "/410100/410105/", apperr.Forbidden},
		{rbac.GridRead, "/410100/410105/", apperr.NotFound},
	}
	for _, tc := range tests {
		if got := apperr.CodeOf(rbac.Require(ctx, tc.perm, tc.path)); got != tc.want {
			t.Errorf("Require(%s, %s): got %q, want %q", tc.perm, tc.path, got, tc.want)
		}
	}
	if got := apperr.CodeOf(rbac.Require(context.Background(), rbac.OrgRead, "/410100/")); got != apperr.Unauthenticated {
		t.Errorf("no actor: got %q, want unauthenticated", got)
	}
	sys := actor.With(context.Background(), actor.SystemActor("cli"))
	if err := rbac.Require(sys, rbac.AuditRead, "/anything/"); err != nil {
		t.Errorf("system actor: got %v, want nil", err)
	}
}

func TestScopeOf(t *testing.T) {
	s := rbac.ScopeOf(districtAdmin(), rbac.OrgRead)
	if want := []string{"/410100/410105/"}; !reflect.DeepEqual(s.Paths, want) {
		t.Errorf("paths: got %v, want %v (nested scope folded into its parent)", s.Paths, want)
	}
	cond, args := s.SQL("u.path")
	if cond != "(u.path LIKE ?)" || !reflect.DeepEqual(args, []any{"/410100/410105/%"}) {
		t.Errorf("SQL: got %q %v", cond, args)
	}
	if cond, _ := rbac.ScopeOf(districtAdmin(), rbac.AuditRead).SQL("p"); cond != "1=0" {
		t.Errorf("no grant: got %q, want 1=0", cond)
	}
	if !rbac.ScopeOf(actor.SystemActor("x"), rbac.OrgRead).All {
		t.Error("system actor scope: want All")
	}
}
