package auth

import (
	"context"
	"slices"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
)

func TestBuiltinRoles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		admin, err := e.svc.Role(e.sys, "admin")
		if err != nil || !admin.Builtin || admin.Title != "管理员" || !slices.Equal(admin.Permissions, rbac.All) {
			t.Fatalf("got %+v, %v; want built-in admin with every permission", admin, err)
		}
		viewer, _ := e.svc.Role(e.sys, "viewer")
		want := []string{rbac.OrgRead, rbac.GridRead, rbac.StaffRead, rbac.UserRead, rbac.AuditRead,
			rbac.CaseRead, rbac.AttachmentRead, rbac.RegistryRead} // neither unmasking nor key groups
		if slices.Contains(viewer.Permissions, rbac.RegistryUnmask) || slices.Contains(viewer.Permissions, rbac.RegistryKeyGroup) {
			t.Fatalf("viewer may unmask or see key groups: %v", viewer.Permissions)
		}
		if !slices.Equal(viewer.Permissions, want) || viewer.Title != "只读" {
			t.Fatalf("got viewer %+v, want 只读 with %v", viewer, want)
		}
		before := e.count(t, `SELECT count(*) FROM audit_log`)
		if err := e.svc.EnsureBuiltinRoles(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_log`); n != before {
			t.Fatalf("got %d audit rows after a no-op ensure, want %d", n, before)
		}
		// A tampered built-in role is restored, and the repair audited.
		if _, err := d.Exec(context.Background(), `UPDATE roles SET permissions = 'org.read' WHERE name = 'admin'`); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.EnsureBuiltinRoles(context.Background()); err != nil {
			t.Fatal(err)
		}
		admin, _ = e.svc.Role(e.sys, "admin")
		if !slices.Equal(admin.Permissions, rbac.All) || e.audits(t, "role.update", "success") != 1 {
			t.Fatalf("got admin %v, want every permission restored with one audit", admin.Permissions)
		}
	})
}

func TestRoleAdministration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cityAndDistricts(t, e)
		city, district := e.as(t, "admin"), e.as(t, "admin-410105")
		in := RoleInput{Name: "gridworker", Title: "网格员", Permissions: []string{"grid.read", "org.read", "grid.read"}}
		_, err := e.svc.CreateRole(district, in)
		wantCode(t, err, apperr.Forbidden, "")
		r, err := e.svc.CreateRole(city, in)
		if err != nil || !slices.Equal(r.Permissions, []string{"org.read", "grid.read"}) || r.Builtin {
			t.Fatalf("got %+v, %v; want gridworker with org.read grid.read", r, err)
		}
		_, err = e.svc.CreateRole(city, in)
		wantCode(t, err, apperr.Conflict, "")
		bad := []struct {
			name  string
			in    RoleInput
			field string
		}{
			{"bad name", RoleInput{Name: "9lives", Permissions: []string{"org.read"}}, "name"},
			{"unknown permission", RoleInput{Name: "boss", Permissions: []string{"org.read", "org.delete"}}, "permissions"},
			{"no permission", RoleInput{Name: "boss"}, "permissions"},
		}
		for _, b := range bad {
			t.Run(b.name, func(t *testing.T) {
				_, err := e.svc.CreateRole(city, b.in)
				wantField(t, err, b.field)
			})
		}
		r, err = e.svc.UpdateRole(city, "gridworker", RoleInput{Title: "网格员", Permissions: []string{"grid.read"}})
		if err != nil || !slices.Equal(r.Permissions, []string{"grid.read"}) {
			t.Fatalf("got %+v, %v; want gridworker with grid.read", r, err)
		}
		_, err = e.svc.UpdateRole(city, "gridworker", RoleInput{Name: "other", Permissions: []string{"grid.read"}})
		wantField(t, err, "name")
		_, err = e.svc.UpdateRole(city, "admin", RoleInput{Permissions: []string{"org.read"}})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.UpdateRole(city, "nosuch", RoleInput{Permissions: []string{"org.read"}})
		wantCode(t, err, apperr.NotFound, "")
		wantCode(t, e.svc.DeleteRole(city, "viewer"), apperr.Conflict, "")
		e.user(t, "worker", "410105001", "gridworker@410105001")
		wantCode(t, e.svc.DeleteRole(city, "gridworker"), apperr.Conflict, "")
		if _, err := e.svc.CreateRole(city, RoleInput{Name: "temp", Permissions: []string{"org.read"}}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteRole(city, "temp"); err != nil {
			t.Fatal(err)
		}
		roles, err := e.svc.Roles(district)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range roles {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, []string{"admin", "viewer", "gridworker"}) {
			t.Fatalf("got roles %v, want [admin viewer gridworker]", got)
		}
		audits := []struct {
			action string
			want   int
		}{{"role.create", 4}, {"role.update", 1}, {"role.delete", 1}}
		for _, a := range audits {
			if got := e.audits(t, a.action, "success"); got != a.want {
				t.Fatalf("got %d %s rows, want %d", got, a.action, a.want)
			}
		}
		_, err = e.svc.Roles(e.as(t, "worker"))
		wantCode(t, err, apperr.Forbidden, "")
	})
}
