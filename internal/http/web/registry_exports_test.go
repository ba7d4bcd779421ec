package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// TestExportApprovalConsole walks an export above the threshold through
// the console: the reason is required, the request awaits approval, the
// requester cannot approve it, a second administrator approves it with the
// CSRF token, and the requester downloads it once.
func TestExportApprovalConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d, func(c *config.Config) { c.ExportApproval = 1 })
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		for _, p := range []registry.PersonInput{
			{IDNumber: regIDZhang, Name: "张三", Phone: regPhoneZhang, GridCode: "G410105001001", Source: registry.SourceOwn},
			{IDNumber: regIDLi, Name: "李四", GridCode: "G410105001001", Source: registry.SourceOwn},
		} {
			if _, err := f.reg.CreatePerson(sys, p); err != nil {
				t.Fatal(err)
			}
		}
		req := f.client(t)
		req.mustLogin("admin-410105")
		form := req.get("/registry/export")
		wantBody(t, form, `id="f-reason"`, `id="export-csv"`)
		csrf := req.csrf(form)
		p := req.post("/registry/export", url.Values{"csrf": {csrf}, "format": {"csv"}, "grid": {"G410105001001"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `id="f-reason"`)
		// The old GET link does not create a request: it asks for the reason.
		wantStatus(t, req.get("/registry/export?format=csv&grid=G410105001001&reason=xxxxxx"), http.StatusUnprocessableEntity)
		p = req.post("/registry/export", url.Values{"csrf": {csrf}, "format": {"csv"}, "grid": {"G410105001001"},
			"reason": {"社区人口核查"}})
		wantStatus(t, p, http.StatusAccepted)
		wantBody(t, p, "等待他人审批", `id="exports-mine"`)
		var id int64
		if err := d.QueryRow(context.Background(), `SELECT MAX(id) FROM registry_exports`).Scan(&id); err != nil || id == 0 {
			t.Fatalf("no export request: %v", err)
		}
		sid := fmtInt(id)
		wantNoBody(t, req.get("/registry/exports"), `/registry/exports/`+sid+`/approve"`)
		wantStatus(t, req.post("/registry/exports/"+sid+"/approve", url.Values{"csrf": {csrf}}), http.StatusForbidden)

		appr := f.client(t)
		appr.mustLogin("admin")
		list := appr.get("/registry/exports")
		wantBody(t, list, `action="/registry/exports/`+sid+`/approve"`, "社区人口核查")
		wantStatus(t, appr.post("/registry/exports/"+sid+"/approve", url.Values{"note": {"同意"}}), http.StatusForbidden)
		p = appr.post("/registry/exports/"+sid+"/approve", url.Values{"csrf": {appr.csrf(list)}, "note": {"同意"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已批准导出申请")

		wantBody(t, req.get("/registry/exports"), `href="/registry/exports/`+sid+`/download"`)
		wantStatus(t, appr.get("/registry/exports/"+sid+"/download"), http.StatusNotFound)
		dl := req.get("/registry/exports/" + sid + "/download")
		wantStatus(t, dl, http.StatusOK)
		wantBody(t, dl, "张三", seal.MaskID(regIDZhang))
		wantNoBody(t, dl, regIDZhang, regPhoneZhang)
		if cd := dl.header.Get("Content-Disposition"); !strings.Contains(cd, "export-"+sid) || !strings.Contains(cd, "admin-410105") {
			t.Fatalf("Content-Disposition %q carries no watermark", cd)
		}
		wantStatus(t, req.get("/registry/exports/"+sid+"/download"), http.StatusConflict)
	})
}
