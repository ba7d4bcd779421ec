package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// peopleAPI is the fixture with two grids
// (金水区 and 中原区 communities) and users: "admin" (city, may unmask),
// "admin-410102" (中原区 administrator), "viewer" (金水区, read-only) and
// "pw" (金水区, registry read/write without unmasking or key groups).
type peopleAPI struct {
	*fixture
	tok map[string]string
}

func newPeopleAPI(t *testing.T, d *db.DB, opts ...fixtureOption) *peopleAPI {
	t.Helper()
	f := newFixture(t, d, opts...)
	for _, g := range []org.GridInput{
		{Code: "G410105001001", Name: "金水一网格", Level: 3, UnitCode: "410105001001"},
		{Code: "G410102001001", Name: "中原一网格", Level: 3, UnitCode: "410102001001"},
	} {
		if _, err := f.org.CreateGrid(f.sys, g); err != nil {
			t.Fatalf("grid: %v", err)
		}
	}
	if _, err := f.auth.CreateRole(f.sys, auth.RoleInput{Name: "people_worker", Title: "网格员",
		Permissions: []string{registry.PermRead, registry.PermWrite}}); err != nil {
		t.Fatal(err)
	}
	f.createUser("viewer", "410105", auth.RoleViewer)
	f.createUser("pw", "410105", "people_worker")
	p := &peopleAPI{fixture: f, tok: map[string]string{}}
	for _, u := range []string{"admin", "admin-410102", "viewer", "pw"} {
		p.tok[u] = f.login(u)
	}
	return p
}

var apiIDNumber = seal.MakeIDNumber("41010519880512001")

// create registers a person as pw and returns them.
func (p *peopleAPI) create(t *testing.T, body map[string]any) registry.Person {
	t.Helper()
	res := p.do("POST", "/api/v1/people", p.tok["pw"], body)
	if res.status != http.StatusCreated {
		t.Fatalf("create: got %d %s", res.status, res.body)
	}
	var out registry.Person
	res.json(t, &out)
	return out
}

func TestPeopleAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := newPeopleAPI(t, d)
		person := p.create(t, map[string]any{"name": "赵六", "id_number": apiIDNumber, "phone": "13700001111",
			"grid_code": "G410105001001", "address": "金水路8号"})
		if person.IDNumber != seal.MaskID(apiIDNumber) || person.Phone != "137****1111" || !person.Masked {
			t.Fatalf("created: got %q %q", person.IDNumber, person.Phone)
		}
		if strings.Contains(string(p.do("GET", fmt.Sprintf("/api/v1/people/%d", person.ID), p.tok["pw"], nil).body), apiIDNumber) {
			t.Fatal("the answer holds the full number")
		}

		// Found by ID-card number, masked for every role.
		for _, u := range []string{"admin", "viewer", "pw"} {
			res := p.do("GET", "/api/v1/people?id_number="+url.QueryEscape(apiIDNumber), p.tok[u], nil)
			var l list[registry.Person]
			res.json(t, &l)
			if res.status != 200 || l.Total != 1 || l.Items[0].ID != person.ID || l.Items[0].IDNumber != seal.MaskID(apiIDNumber) {
				t.Fatalf("%s finds by number: got %d %s", u, res.status, res.body)
			}
			if strings.Contains(string(res.body), apiIDNumber) || strings.Contains(string(res.body), "13700001111") {
				t.Fatalf("%s's list holds a full identifier", u)
			}
		}
		// Outside scope: not found, as for no person.
		if res := p.do("GET", fmt.Sprintf("/api/v1/people/%d", person.ID), p.tok["admin-410102"], nil); res.status != 404 {
			t.Fatalf("other district: got %d, want 404", res.status)
		}
		res := p.do("GET", "/api/v1/people?id_number="+apiIDNumber, p.tok["admin-410102"], nil)
		var l list[registry.Person]
		res.json(t, &l)
		if l.Total != 0 {
			t.Fatalf("other district finds the person: %s", res.body)
		}

		// 422 naming the fields.
		res = p.do("POST", "/api/v1/people", p.tok["pw"], map[string]any{"name": "", "id_number": "410105198805120010",
			"phone": "123", "grid_code": "G410105001001"})
		if res.status != 422 {
			t.Fatalf("bad input: got %d", res.status)
		}
		for _, field := range []string{"name", "id_number", "phone"} {
			if _, ok := res.errorBody(t).Fields[field]; !ok {
				t.Fatalf("bad input: %s not named in %s", field, res.body)
			}
		}
		if res := p.do("GET", "/api/v1/people?awaiting_grid=maybe", p.tok["pw"], nil); res.status != 422 ||
			res.errorBody(t).Fields["awaiting_grid"] == "" {
			t.Fatalf("bad flag: got %d %s", res.status, res.body)
		}
		// The same number again: 409 naming id_number.
		res = p.do("POST", "/api/v1/people", p.tok["pw"], map[string]any{"name": "另一个", "id_number": apiIDNumber,
			"grid_code": "G410105001001"})
		if res.status != 409 || res.errorBody(t).Fields["id_number"] == "" {
			t.Fatalf("duplicate: got %d %s", res.status, res.body)
		}

		// Unmasking: the permission, a reason, an audit entry.
		path := fmt.Sprintf("/api/v1/people/%d", person.ID)
		if res := p.do("POST", path+"/unmask", p.tok["pw"], map[string]string{"reason": "核查"}); res.status != 403 {
			t.Fatalf("unmask without permission: got %d", res.status)
		}
		if res := p.do("POST", path+"/unmask", p.tok["admin"], map[string]string{}); res.status != 422 ||
			res.errorBody(t).Fields["reason"] == "" {
			t.Fatalf("unmask without reason: got %d %s", res.status, res.body)
		}
		res = p.do("POST", path+"/unmask", p.tok["admin"], map[string]string{"reason": "核查身份"})
		var open registry.Person
		res.json(t, &open)
		if res.status != 200 || open.IDNumber != apiIDNumber || open.Phone != "13700001111" || open.Masked {
			t.Fatalf("unmask: got %d %s", res.status, res.body)
		}
		res = p.do("GET", path+"/views", p.tok["admin"], nil)
		var views list[struct{ Action, Username, Detail string }]
		res.json(t, &views)
		if res.status != 200 || len(views.Items) < 2 || views.Items[0].Action != registry.AccessUnmask ||
			views.Items[0].Username != "admin" || !strings.Contains(views.Items[0].Detail, "核查身份") {
			t.Fatalf("views: got %d %s", res.status, res.body)
		}
		if res := p.do("GET", path+"/views", p.tok["pw"], nil); res.status != 403 {
			t.Fatalf("views without permission: got %d", res.status)
		}

		// PATCH, verify, remove.
		res = p.do("PATCH", path, p.tok["pw"], map[string]any{"address": "金水路9号", "version": 1})
		var upd registry.Person
		res.json(t, &upd)
		if res.status != 200 || upd.Address != "金水路9号" || upd.Name != "赵六" || upd.Version != 2 {
			t.Fatalf("patch: got %d %s", res.status, res.body)
		}
		if res := p.do("PATCH", path, p.tok["pw"], map[string]any{"address": "x", "version": 1}); res.status != 409 {
			t.Fatalf("stale patch: got %d", res.status)
		}
		if res := p.do("POST", path+"/verify", p.tok["pw"], map[string]string{"note": "入户核对"}); res.status != 200 {
			t.Fatalf("verify: got %d %s", res.status, res.body)
		}

		// Households.
		res = p.do("POST", "/api/v1/households", p.tok["pw"], map[string]any{"number": "H-1", "grid_code": "G410105001001"})
		var h registry.Household
		res.json(t, &h)
		if res.status != 201 {
			t.Fatalf("household: got %d %s", res.status, res.body)
		}
		mp := fmt.Sprintf("/api/v1/households/%d/members/%d", h.ID, person.ID)
		if res := p.do("PUT", mp, p.tok["pw"], map[string]string{"relation": "x"}); res.status != 422 {
			t.Fatalf("bad relation: got %d", res.status)
		}
		res = p.do("PUT", mp, p.tok["pw"], map[string]string{"relation": "02"})
		res.json(t, &h)
		if res.status != 200 || h.HeadPersonID == nil || *h.HeadPersonID != person.ID || len(h.Members) != 1 {
			t.Fatalf("head: got %d %s", res.status, res.body)
		}
		if res := p.do("GET", fmt.Sprintf("/api/v1/households/%d", h.ID), p.tok["admin-410102"], nil); res.status != 404 {
			t.Fatalf("household out of scope: got %d", res.status)
		}
		if res := p.do("DELETE", mp, p.tok["pw"], nil); res.status != 200 {
			t.Fatalf("remove member: got %d %s", res.status, res.body)
		}

		// Awaiting a grid, then assigned.
		waiting := p.create(t, map[string]any{"name": "待分配", "unit_code": "410105001"})
		if !waiting.AwaitingGrid {
			t.Fatal("not awaiting a grid")
		}
		res = p.do("POST", "/api/v1/people/assign-grid", p.tok["pw"], map[string]any{"ids": []int64{waiting.ID}, "grid_code": "G410105001001"})
		if res.status != 200 || !strings.Contains(string(res.body), `"assigned":1`) {
			t.Fatalf("assign: got %d %s", res.status, res.body)
		}

		if res := p.do("DELETE", path, p.tok["pw"], nil); res.status != 422 {
			t.Fatalf("remove without reason: got %d", res.status)
		}
		if res := p.do("DELETE", path, p.tok["pw"], map[string]string{"reason": "迁出"}); res.status != 204 {
			t.Fatalf("remove: got %d %s", res.status, res.body)
		}
		if res := p.do("GET", path, p.tok["pw"], nil); res.status != 404 {
			t.Fatalf("removed person: got %d", res.status)
		}
	})
}

func TestPeopleAPIKeyGroup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := newPeopleAPI(t, d)
		person := p.create(t, map[string]any{"name": "重点", "id_number": apiIDNumber, "grid_code": "G410105001001"})
		if _, err := d.Exec(p.sys, `UPDATE people SET key_group = ? WHERE id = ?`, true, person.ID); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/people/%d", person.ID)
		for _, u := range []string{"viewer", "pw"} {
			if res := p.do("GET", path, p.tok[u], nil); res.status != 404 {
				t.Fatalf("%s sees a key-group person: %d", u, res.status)
			}
			res := p.do("GET", "/api/v1/people?id_number="+apiIDNumber, p.tok[u], nil)
			var l list[registry.Person]
			res.json(t, &l)
			if l.Total != 0 {
				t.Fatalf("%s lists a key-group person", u)
			}
		}
		if res := p.do("GET", path, p.tok["admin"], nil); res.status != 200 {
			t.Fatalf("admin: got %d", res.status)
		}
		res := p.do("GET", path+"/views", p.tok["admin"], nil)
		if res.status != 200 || !strings.Contains(string(res.body), `"action": "view"`) && !strings.Contains(string(res.body), `"action":"view"`) {
			t.Fatalf("the view is not in the log: %s", res.body)
		}
		res = p.do("GET", "/api/v1/people?key_group=true", p.tok["admin"], nil)
		var l list[registry.Person]
		res.json(t, &l)
		if l.Total != 1 {
			t.Fatalf("key_group filter: %s", res.body)
		}
	})
}
