package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gridgov/internal/auth"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

func TestExportApprovalAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := newPeopleAPI(t, d, withConfig(func(c *config.Config) { c.ExportApproval = 2 }))
		reg := p.app.Registry
		if _, err := p.auth.CreateRole(p.sys, auth.RoleInput{Name: "exporter", Title: "导出",
			Permissions: []string{registry.PermRead, registry.PermExport, transfer.PermExportApprove}}); err != nil {
			t.Fatal(err)
		}
		p.createUser("ex-req", "410105001", "exporter")
		p.createUser("ex-appr", "410105", "exporter")
		req, appr := p.login("ex-req"), p.login("ex-appr")
		ids := make([]string, 3)
		for i := range ids {
			ids[i] = seal.MakeIDNumber(fmt.Sprintf("41010519900307%03d", 100+i))
			if _, err := reg.CreatePerson(p.sys, registry.PersonInput{IDNumber: ids[i], Name: fmt.Sprintf("导出%d", i),
				GridCode: "G410105001001", Source: registry.SourceOwn}); err != nil {
				t.Fatal(err)
			}
		}

		res := p.do("POST", Prefix+"/people/export", req, map[string]any{"format": "csv"})
		if res.status != http.StatusUnprocessableEntity || p.fieldOf(t, res) != "reason" {
			t.Fatalf("3 rows at threshold 2 without a reason: %d %s", res.status, res.body)
		}
		res = p.do("POST", Prefix+"/people/export", req, map[string]any{"format": "csv", "reason": "人口核查"})
		var pending struct {
			Status string `json:"status"`
			ID     int64  `json:"id"`
			Rows   int    `json:"rows"`
		}
		res.json(t, &pending)
		if res.status != http.StatusAccepted || pending.Status != "pending_approval" || pending.Rows != 3 || pending.ID == 0 {
			t.Fatalf("request: %d %s", res.status, res.body)
		}
		id := itoa(pending.ID)
		res = p.do("GET", Prefix+"/people/export?format=xlsx&reason=%E6%A0%B8%E6%9F%A5%E4%BA%BA%E5%8F%A3", req, nil)
		if res.status != http.StatusAccepted || !strings.Contains(string(res.body), `"pending_approval"`) {
			t.Fatalf("GET export above the threshold: %d %s", res.status, res.body)
		}
		res.json(t, &pending)
		second := itoa(pending.ID)

		if res := p.do("POST", Prefix+"/registry/exports/"+id+"/approve", req, nil); res.status != http.StatusForbidden {
			t.Fatalf("requester approves: %d %s", res.status, res.body)
		}
		if res := p.do("POST", Prefix+"/registry/exports/"+id+"/approve", p.tok["admin-410102"], nil); res.status != http.StatusNotFound {
			t.Fatalf("approver of another district: %d %s", res.status, res.body)
		}
		if res := p.do("GET", Prefix+"/registry/exports/"+id+"/download", req, nil); res.status != http.StatusConflict {
			t.Fatalf("download while pending: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/registry/exports?status=pending&to_approve=true", appr, nil)
		if res.status != 200 || !strings.Contains(string(res.body), `"total":2`) || !strings.Contains(string(res.body), `"can_approve":true`) {
			t.Fatalf("approver's list: %d %s", res.status, res.body)
		}
		res = p.do("POST", Prefix+"/registry/exports/"+id+"/approve", appr, map[string]string{"note": "同意"})
		if res.status != 200 || !strings.Contains(string(res.body), `"status":"approved"`) {
			t.Fatalf("approve: %d %s", res.status, res.body)
		}
		if res := p.do("GET", Prefix+"/registry/exports/"+id+"/download", appr, nil); res.status != http.StatusNotFound {
			t.Fatalf("approver downloads: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/registry/exports/"+id+"/download", req, nil)
		cd := res.header.Get("Content-Disposition")
		if res.status != 200 || !strings.Contains(cd, "export-"+id) || !strings.Contains(cd, "ex-req") ||
			!strings.Contains(string(res.body), seal.MaskID(ids[0])) || strings.Contains(string(res.body), ids[0]) {
			t.Fatalf("download: %d %q %s", res.status, cd, res.body)
		}
		if res := p.do("GET", Prefix+"/registry/exports/"+id+"/download", req, nil); res.status != http.StatusConflict {
			t.Fatalf("second download: %d %s", res.status, res.body)
		}
		if res := p.do("POST", Prefix+"/registry/exports/"+second+"/reject", appr, nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("reject without a note: %d %s", res.status, res.body)
		}
		res = p.do("POST", Prefix+"/registry/exports/"+second+"/reject", appr, map[string]string{"note": "范围过大"})
		if res.status != 200 || !strings.Contains(string(res.body), `"status":"rejected"`) {
			t.Fatalf("reject: %d %s", res.status, res.body)
		}
		if res := p.do("GET", Prefix+"/registry/exports/"+second+"/download", req, nil); res.status != http.StatusConflict {
			t.Fatalf("download rejected: %d %s", res.status, res.body)
		}
		res = p.do("GET", Prefix+"/registry/exports/"+id, req, nil)
		if res.status != 200 || !strings.Contains(string(res.body), `"status":"downloaded"`) {
			t.Fatalf("request after download: %d %s", res.status, res.body)
		}
		var n int
		if err := d.QueryRow(p.sys, `SELECT COUNT(*) FROM person_access WHERE action = 'export' AND ref = ?`,
			"export:"+id).Scan(&n); err != nil || n != 3 {
			t.Fatalf("person_access rows %d %v, want 3", n, err)
		}
		// Under the threshold the export streams at once.
		res = p.do("POST", Prefix+"/people/export", req, map[string]any{"format": "csv", "name": "导出1"})
		if res.status != 200 || !strings.Contains(string(res.body), "导出1") {
			t.Fatalf("small export: %d %s", res.status, res.body)
		}
	})
}

// fieldOf is the first field named by an error answer.
func (p *peopleAPI) fieldOf(t *testing.T, res response) string {
	t.Helper()
	for k := range res.errorBody(t).Fields {
		return k
	}
	return ""
}
