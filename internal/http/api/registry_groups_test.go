package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry/groups"
)

// withGroups gives the fixture a grid worker "gw" of 410105 who may read
// and write the registry but not key groups (the app loads the code tables).
func withGroups(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.auth.CreateRole(f.sys, auth.RoleInput{Name: "gridworker", Title: "网格员",
		Permissions: []string{rbac.RegistryRead, rbac.RegistryWrite}}); err != nil {
		t.Fatal(err)
	}
	f.createUser("gw", "410105", "gridworker")
}

// insertPerson adds a person of a community awaiting a grid.
func (f *fixture) insertPerson(t *testing.T, name, community, path string) int64 {
	t.Helper()
	var id int64
	now := f.clock.Now()
	if err := f.db.QueryRow(context.Background(), `INSERT INTO people (name, unit_code, unit_path, source, created_at, updated_at)
		VALUES (?, ?, ?, 'own', ?, ?) RETURNING id`, name, community, path, now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRegistryGroupsEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withGroups(t, f)
		admin, district, gw := f.login("admin"), f.login("admin-410105"), f.login("gw")
		p := f.insertPerson(t, "赵六", "410105001001", "/410100/410105/410105001/410105001001/")

		var tables list[groups.CodeTable]
		res := f.do("GET", "/api/v1/code-tables", gw, nil)
		res.json(t, &tables)
		if res.status != 200 || tables.Total < 15 {
			t.Fatalf("code tables: %d %s", res.status, res.body)
		}
		if res = f.do("GET", "/api/v1/code-tables", "", nil); res.status != http.StatusUnauthorized {
			t.Errorf("code tables without token: %d", res.status)
		}
		var rel groups.CodeTable
		res = f.do("GET", "/api/v1/code-tables/relation", gw, nil)
		res.json(t, &rel)
		if res.status != 200 || rel.Standard != "GB/T 4761-2008" || rel.Codes[len(rel.Codes)-1].Code != "99" {
			t.Errorf("relation: %d %s", res.status, res.body)
		}
		if res = f.do("GET", "/api/v1/code-tables/nope", gw, nil); res.status != http.StatusNotFound {
			t.Errorf("unknown table: %d", res.status)
		}
		doc := `{"table":"risk_level","title":"风险等级","version":"2027.1","codes":[{"code":"low","name":"低"},{"code":"medium","name":"中"},{"code":"high","name":"高"},{"code":"critical","name":"极高"}]}`
		if res = f.do("POST", "/api/v1/code-tables", district, doc); res.status != http.StatusForbidden {
			t.Errorf("district admin import: %d %s, want 403", res.status, res.body)
		}
		if res = f.do("POST", "/api/v1/code-tables", admin, doc); res.status != http.StatusCreated {
			t.Errorf("city admin import: %d %s, want 201", res.status, res.body)
		}
		if res = f.do("POST", "/api/v1/code-tables", admin, doc); res.status != http.StatusConflict {
			t.Errorf("same version again: %d %s, want 409", res.status, res.body)
		}

		groupsURL := fmt.Sprintf("/api/v1/people/%d/groups", p)
		cc := map[string]any{"group_kind": "community_corrections", "risk_level": "critical",
			"attrs": map[string]string{"correction_no": "JZ-9", "correction_type": "parole", "correction_start": "2026-01-05"}}
		if res = f.do("POST", groupsURL, gw, cc); res.status != http.StatusForbidden {
			t.Errorf("worker adds a key group: %d %s, want 403", res.status, res.body)
		}
		res = f.do("POST", groupsURL, gw, map[string]any{"group_kind": "disabled", "attrs": map[string]string{}})
		if e := res.errorBody(t); res.status != http.StatusUnprocessableEntity || e.Fields["attrs.disability_category"] == "" {
			t.Errorf("disabled without attrs: %d %s, want 422", res.status, res.body)
		}
		var m groups.GroupMember
		res = f.do("POST", groupsURL, district, cc)
		res.json(t, &m)
		if res.status != http.StatusCreated || !m.KeyGroup || m.RiskLevel != "critical" {
			t.Fatalf("add key group: %d %s", res.status, res.body)
		}
		if res = f.do("GET", groupsURL, gw, nil); res.status != http.StatusNotFound {
			t.Errorf("worker reads a key-group person: %d %s, want 404", res.status, res.body)
		}
		var ms list[groups.GroupMember]
		res = f.do("GET", "/api/v1/group-members?key=true&unit_code=410105", district, nil)
		res.json(t, &ms)
		if res.status != 200 || ms.Total != 1 || ms.Items[0].ID != m.ID {
			t.Errorf("key members: %d %s", res.status, res.body)
		}
		res = f.do("GET", "/api/v1/group-members", gw, nil)
		res.json(t, &ms)
		if res.status != 200 || ms.Total != 0 {
			t.Errorf("worker's members: %d %s, want none", res.status, res.body)
		}
		if res = f.do("GET", "/api/v1/group-members?key=maybe", district, nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("key=maybe: %d", res.status)
		}
		memberURL := fmt.Sprintf("/api/v1/group-members/%d", m.ID)
		cc["version"], cc["risk_level"] = m.Version, "high"
		res = f.do("PATCH", memberURL, district, cc)
		res.json(t, &m)
		if res.status != 200 || m.RiskLevel != "high" || m.Version != 2 {
			t.Errorf("update: %d %s", res.status, res.body)
		}
		if res = f.do("PATCH", memberURL, district, cc); res.status != http.StatusConflict {
			t.Errorf("stale update: %d, want 409", res.status)
		}

		var due list[groups.DueVisit]
		res = f.do("GET", "/api/v1/visits/due?unit_code=410105001001", district, nil)
		res.json(t, &due)
		if res.status != 200 || due.Total != 1 || due.Items[0].PersonID != p || due.Items[0].IntervalDays != 30 {
			t.Errorf("due: %d %s", res.status, res.body)
		}
		visit := map[string]any{"object_type": "person", "object_id": p, "kind": "verify", "note": "见面核实"}
		if res = f.do("POST", "/api/v1/visits", gw, visit); res.status != http.StatusNotFound {
			t.Errorf("worker visits a key-group person: %d, want 404", res.status)
		}
		if res = f.do("POST", "/api/v1/visits", district, visit); res.status != http.StatusCreated {
			t.Fatalf("visit: %d %s", res.status, res.body)
		}
		var vs list[groups.Visit]
		res = f.do("GET", fmt.Sprintf("/api/v1/visits?object_type=person&object_id=%d", p), district, nil)
		res.json(t, &vs)
		if res.status != 200 || vs.Total != 1 || vs.Items[0].Kind != "verify" {
			t.Errorf("visits: %d %s", res.status, res.body)
		}
		if res = f.do("GET", "/api/v1/visits?object_type=person", district, nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("visits without object_id: %d", res.status)
		}
		res = f.do("GET", "/api/v1/visits/due", district, nil)
		res.json(t, &due)
		if res.status != 200 || due.Total != 0 {
			t.Errorf("due after the visit: %d %s", res.status, res.body)
		}

		if res = f.do("DELETE", memberURL, district, nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("end without reason: %d %s, want 422", res.status, res.body)
		}
		res = f.do("DELETE", memberURL, district, map[string]string{"reason": "矫正期满"})
		res.json(t, &m)
		if res.status != 200 || m.Active {
			t.Errorf("end: %d %s", res.status, res.body)
		}
		// No longer in a key group: the worker sees the person, not the ended key membership.
		res = f.do("GET", groupsURL, gw, nil)
		res.json(t, &ms)
		if res.status != 200 || ms.Total != 0 {
			t.Errorf("worker after the end: %d %s", res.status, res.body)
		}
	})
}
