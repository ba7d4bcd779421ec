package api

import (
	"fmt"
	"testing"

	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// step is one request of a flow, with the status it must get.
type step struct {
	name, method, path string
	body               any
	want               int
}

func (f *fixture) run(t *testing.T, token string, s step) response {
	t.Helper()
	r := f.do(s.method, s.path, token, s.body)
	if r.status != s.want {
		t.Fatalf("%s: %s %s got %d %s, want %d", s.name, s.method, s.path, r.status, r.body, s.want)
	}
	return r
}

func TestOrgWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok := f.login("admin-410105")
		dept := map[string]any{"code": "410105900", "name": "金水区城管局", "level": "district", "kind": "department", "parent_code": "410105"}
		if r := f.doHeader("POST", "/api/v1/org/units", tok, dept, map[string]string{"X-Request-ID": "req-dept-1"}); r.status != 201 {
			t.Fatalf("create department: got %d %s, want 201", r.status, r.body)
		}
		r := f.run(t, f.login("admin"), step{"audit of the create", "GET", "/api/v1/audit?object_id=410105900", nil, 200})
		var rows list[audit.Row]
		r.json(t, &rows)
		if rows.Total != 1 || rows.Items[0].RequestID != "req-dept-1" || rows.Items[0].Username != "admin-410105" ||
			rows.Items[0].Result != audit.Success || rows.Items[0].IP != "127.0.0.1" {
			t.Errorf("audit of the create: got %s, want one success row by admin-410105 from 127.0.0.1 with request id req-dept-1", r.body)
		}
		f.run(t, tok, step{"duplicate", "POST", "/api/v1/org/units", dept, 409})
		other := map[string]any{"code": "410102900", "name": "中原区城管局", "level": "district", "kind": "department", "parent_code": "410102"}
		// A parent outside the scope is as unknown as one that does not exist.
		outside := f.run(t, tok, step{"outside scope", "POST", "/api/v1/org/units", other, 422})
		other["parent_code"] = "419999"
		missing := f.run(t, tok, step{"missing parent", "POST", "/api/v1/org/units", other, 422})
		if eo, em := outside.errorBody(t), missing.errorBody(t); len(eo.Fields) != 1 || eo.Fields["parent_code"] == "" || len(em.Fields) != 1 {
			t.Errorf("parent errors: got %+v and %+v, want parent_code named in both", eo, em)
		}
		r = f.run(t, tok, step{"rename", "PATCH", "/api/v1/org/units/410105900", map[string]any{"name": "金水区城市管理局"}, 200})
		var u org.Unit
		r.json(t, &u)
		if u.Name != "金水区城市管理局" || u.Kind != org.Department {
			t.Errorf("renamed unit: got %+v", u)
		}
		r = f.run(t, tok, step{"ancestors", "GET", "/api/v1/org/units/410105001001/ancestors", nil, 200})
		var anc list[org.Unit]
		r.json(t, &anc)
		if got := codesOf(anc.Items, func(u org.Unit) string { return u.Code }); len(got) == 0 || got[len(got)-1] != "410105001" {
			t.Errorf("ancestors: got %v, want them to end at the street 410105001", got)
		}
		f.run(t, tok, step{"delete", "DELETE", "/api/v1/org/units/410105900", nil, 204})
		f.run(t, tok, step{"deleted is gone", "GET", "/api/v1/org/units/410105900", nil, 404})
		f.run(t, tok, step{"delete with children", "DELETE", "/api/v1/org/units/410105001", nil, 409})

		grid := map[string]any{"code": "G410105001001", "name": "一网格", "level": 3, "unit_code": "410105001001",
			"boundary": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{113.6, 34.7}, {113.7, 34.7}, {113.7, 34.8}, {113.6, 34.7}}}}}
		f.run(t, tok, step{"create grid", "POST", "/api/v1/grids", grid, 201})
		f.run(t, tok, step{"bad boundary", "POST", "/api/v1/grids", map[string]any{"code": "G2", "name": "x", "level": 3,
			"unit_code": "410105001001", "boundary": map[string]any{"type": "Point", "coordinates": []float64{1, 2}}}, 422})
		r = f.run(t, tok, step{"remove boundary", "PATCH", "/api/v1/grids/G410105001001", map[string]any{"boundary": nil}, 200})
		var g org.Grid
		r.json(t, &g)
		if len(g.Boundary) != 0 && string(g.Boundary) != "null" {
			t.Errorf("boundary after null: got %s, want none", g.Boundary)
		}
		r = f.run(t, tok, step{"unit grids", "GET", "/api/v1/org/units/410105/grids", nil, 200})
		var gl list[org.Grid]
		r.json(t, &gl)
		if gl.Total != 1 || gl.Items[0].Code != "G410105001001" {
			t.Errorf("unit grids: got %s", r.body)
		}

		staff := map[string]any{"name": "张伟", "phone": "13800138000", "position": "网格员", "unit_code": "410105001001",
			"team": "grid_leader", "grid_codes": []string{"G410105001001"}}
		r = f.run(t, tok, step{"create staff", "POST", "/api/v1/staff", staff, 201})
		var s org.Staff
		r.json(t, &s)
		path := fmt.Sprintf("/api/v1/staff/%d", s.ID)
		f.run(t, tok, step{"read staff", "GET", path, nil, 200})
		f.run(t, tok, step{"update staff", "PATCH", path, map[string]any{"position": "网格长"}, 200})
		f.run(t, tok, step{"staff by grid", "GET", "/api/v1/staff?grid=G410105001001", nil, 200})
		f.run(t, f.login("admin-410102"), step{"other district reads staff", "GET", path, nil, 404})
		f.run(t, tok, step{"delete grid with staff", "DELETE", "/api/v1/grids/G410105001001", nil, 204})
	})
}

func TestAccountWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		city, district := f.login("admin"), f.login("admin-410105")
		viewer := map[string]any{"name": "inspector", "title": "只读", "permissions": []string{"org.read", "grid.read"}}
		f.run(t, city, step{"create role", "POST", "/api/v1/roles", viewer, 201})
		f.run(t, city, step{"read role", "GET", "/api/v1/roles/inspector", nil, 200})
		f.run(t, city, step{"rename refused", "PUT", "/api/v1/roles/inspector", map[string]any{"name": "other", "permissions": []string{"org.read"}}, 422})
		f.run(t, city, step{"replace role", "PUT", "/api/v1/roles/inspector", map[string]any{"title": "只读", "permissions": []string{"org.read"}}, 200})
		f.run(t, city, step{"unknown permission", "POST", "/api/v1/roles", map[string]any{"name": "bad", "permissions": []string{"root"}}, 422})
		f.run(t, city, step{"list roles", "GET", "/api/v1/roles", nil, 200})

		newUser := map[string]any{"username": "zhang.wei", "display_name": "张伟", "password": testPassword,
			"unit_code": "410105001", "grants": []map[string]string{{"role": "inspector", "scope_code": "410105001"}}}
		r := f.run(t, district, step{"create user", "POST", "/api/v1/users", newUser, 201})
		var u auth.User
		r.json(t, &u)
		path := fmt.Sprintf("/api/v1/users/%d", u.ID)
		f.run(t, district, step{"duplicate user", "POST", "/api/v1/users", newUser, 409})
		f.run(t, district, step{"read user", "GET", path, nil, 200})
		f.run(t, f.login("admin-410102"), step{"other district reads user", "GET", path, nil, 404})
		r = f.run(t, district, step{"add grant", "POST", path + "/grants", map[string]string{"role": "inspector", "scope_code": "410105001001"}, 201})
		var g auth.Grant
		r.json(t, &g)
		f.run(t, district, step{"remove grant", "DELETE", fmt.Sprintf("%s/grants/%d", path, g.ID), nil, 204})
		f.run(t, district, step{"bad grant id", "DELETE", path + "/grants/x", nil, 404})
		f.run(t, district, step{"reset password", "POST", path + "/password", map[string]string{"password": "Ty5%nBv8cXz3"}, 204})
		f.run(t, district, step{"disable", "PATCH", path, map[string]any{"disabled": true}, 200})
		if r := f.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "zhang.wei", "password": "Ty5%nBv8cXz3"}); r.status == 200 {
			t.Errorf("disabled user logged in: %s", r.body)
		}
		f.run(t, district, step{"unit users", "GET", "/api/v1/org/units/410105001/users", nil, 200})
		f.run(t, city, step{"role in use", "DELETE", "/api/v1/roles/inspector", nil, 409})
	})
}

func TestAuditEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		city, district := f.login("admin"), f.login("admin-410105")
		f.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-410105", "password": "Wrong-Passw0rd!"})

		r := f.run(t, city, step{"list", "GET", "/api/v1/audit?action=auth.&username=admin-410105", nil, 200})
		var l list[audit.Row]
		r.json(t, &l)
		var failed, ok bool
		for _, row := range l.Items {
			if row.Username != "admin-410105" {
				t.Errorf("filter by username: got a row of %q", row.Username)
			}
			failed = failed || row.Result == audit.Failure
			ok = ok || row.Result == audit.Success
			if row.RequestID == "" || row.IP == "" {
				t.Errorf("row %d lacks request id or ip: %+v", row.Seq, row)
			}
		}
		if !failed || !ok || l.Total != len(l.Items) {
			t.Errorf("login rows: got %s, want a failed and a successful login", r.body)
		}
		r = f.run(t, district, step{"district sees own", "GET", "/api/v1/audit?username=admin-410102", nil, 200})
		r.json(t, &l)
		if l.Total != 0 {
			t.Errorf("district admin sees another district's entries: %s", r.body)
		}
		f.run(t, city, step{"bad range", "GET", "/api/v1/audit?from=2026-11-27&to=2026-11-26", nil, 422})
		f.run(t, city, step{"date range", "GET", "/api/v1/audit?from=2026-11-26&to=2026-11-26", nil, 200})

		r = f.run(t, city, step{"verify", "GET", "/api/v1/audit/verify", nil, 200})
		var v audit.VerifyResult
		r.json(t, &v)
		if !v.OK || v.Entries == 0 {
			t.Errorf("verify: got %s, want ok with entries", r.body)
		}
		f.run(t, district, step{"district cannot verify", "GET", "/api/v1/audit/verify", nil, 403})
	})
}
