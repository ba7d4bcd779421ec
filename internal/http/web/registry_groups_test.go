package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestRegistryConsoleGroups adds a membership from a person's page: the
// kind's fields come from its definition (code fields as selects, required
// marked), a missing required field comes back on attrs.<field>; ends it
// (a reason is required); key-group kinds are offered only with
// registry.keygroup and refused without; a viewer sees no forms and is
// refused; another district gets 404. The visits due list the person
// with a link, in scope only.
func TestRegistryConsoleGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		sys := f.withCodes(t)
		zhang := f.addPerson(t, sys, regIDZhang, "张三")
		path := personURL(zhang)

		c := f.client(t)
		c.mustLogin("admin-410105")
		pp := c.get(path)
		wantStatus(t, pp, http.StatusOK)
		wantBody(t, pp, `id="group-kind-form"`, `value="stability_watch"`, `value="disabled"`)
		wantNoBody(t, pp, `id="group-form"`)
		tok := c.csrf(pp)

		form := c.get(path + "?group_kind=disabled")
		wantBody(t, form, `id="group-form"`, `<select id="gf-disability_category" name="attrs.disability_category" required>`,
			`class="req"`, `name="attrs.certificate_no"`)
		miss := c.post(path+"/groups", url.Values{"csrf": {tok}, "group_kind": {"disabled"}, "attrs.certificate_no": {"C-1"}})
		wantStatus(t, miss, http.StatusUnprocessableEntity)
		if !strings.Contains(fieldBlock(t, miss.body, "gf-disability_category"), `class="ferr"`) {
			t.Errorf("no error on attrs.disability_category\n%s", excerpt(miss.body))
		}
		if strings.Contains(fieldBlock(t, miss.body, "gf-certificate_no"), `class="ferr"`) {
			t.Errorf("an error on the valid field attrs.certificate_no")
		}
		wantBody(t, miss, `value="C-1"`)
		cats, _ := f.groups.CodeTable(sys, "disability_category")
		grades, _ := f.groups.CodeTable(sys, "disability_grade")
		ok := c.post(path+"/groups", url.Values{"csrf": {tok}, "group_kind": {"disabled"}, "started_on": {"2026-01-05"},
			"attrs.disability_category": {cats.Codes[0].Code}, "attrs.disability_grade": {grades.Codes[0].Code}})
		wantStatus(t, ok, http.StatusOK)
		wantBody(t, ok, "已加入人群", "残疾人", "2026-01-05")
		ms, err := f.groups.MembersOf(sys, zhang)
		if err != nil || len(ms) != 1 {
			t.Fatalf("memberships %v %v", ms, err)
		}
		endPath := path + "/groups/" + strconv.FormatInt(ms[0].ID, 10) + "/end"
		wantBody(t, ok, `id="end-form-`+strconv.FormatInt(ms[0].ID, 10)+`"`)

		viewer := f.client(t)
		viewer.mustLogin("viewer-410105")
		vp := viewer.get(path + "?group_kind=disabled")
		wantBody(t, vp, "残疾人")
		wantNoBody(t, vp, `id="group-kind-form"`, `id="group-form"`, `id="end-form-`)
		vt := viewer.csrf(vp)
		wantStatus(t, viewer.post(path+"/groups", url.Values{"csrf": {vt}, "group_kind": {"elderly"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(endPath, url.Values{"csrf": {vt}, "reason": {"x"}}), http.StatusForbidden)

		zy := f.client(t)
		zp := zy.mustLogin("zy")
		zt := zy.csrf(zp)
		wantStatus(t, zy.post(path+"/groups", url.Values{"csrf": {zt}, "group_kind": {"elderly"}}), http.StatusNotFound)
		wantStatus(t, zy.post(endPath, url.Values{"csrf": {zt}, "reason": {"x"}}), http.StatusNotFound)

		noReason := c.post(endPath, url.Values{"csrf": {tok}, "ended_on": {"2026-11-20"}})
		wantStatus(t, noReason, http.StatusUnprocessableEntity)
		if !strings.Contains(fieldBlock(t, noReason.body, "ge-reason-"+strconv.FormatInt(ms[0].ID, 10)), `class="ferr"`) {
			t.Errorf("no error on the reason\n%s", excerpt(noReason.body))
		}
		ended := c.post(endPath, url.Values{"csrf": {tok}, "ended_on": {"2026-11-20"}, "reason": {"迁出"}})
		wantStatus(t, ended, http.StatusOK)
		wantBody(t, ended, "已结束", "2026-11-20")
		wantNoBody(t, ended, `id="end-form-`)

		// Key groups: offered and refused without registry.keygroup.
		clerk := f.client(t)
		clerk.mustLogin("clerk-410105")
		cp := clerk.get(path + "?group_kind=stability_watch")
		wantBody(t, cp, `id="group-kind-form"`, `value="elderly_alone"`)
		wantNoBody(t, cp, `value="stability_watch"`, `id="group-form"`)
		wantStatus(t, clerk.post(path+"/groups", url.Values{"csrf": {clerk.csrf(cp)}, "group_kind": {"stability_watch"}}),
			http.StatusForbidden)

		// Visits due: 独居老人 are visited every 90 days; never visited is due.
		due := c.get("/registry/visits/due")
		wantStatus(t, due, http.StatusOK)
		wantBody(t, due, `id="due-none"`)
		wantStatus(t, clerk.post(path+"/groups", url.Values{"csrf": {clerk.csrf(cp)}, "group_kind": {"elderly_alone"},
			"attrs.guardian": {"李四"}}), http.StatusOK)
		due = c.get("/registry/visits/due")
		wantBody(t, due, `id="visits-due"`, `href="/registry/people/`+strconv.FormatInt(zhang, 10)+`#visits"`, "张三",
			"独居老人", "从未走访", "每 90 天")
		wantBody(t, c.get("/registry/visits/due?kind=elderly_alone"), "张三")
		wantBody(t, c.get("/registry/houses"), `href="/registry/visits/due"`)
		wantBody(t, zy.get("/registry/visits/due"), `id="due-none"`)
		wantBody(t, viewer.get("/registry/visits/due"), "张三")
		wantBody(t, c.get("/lang?l=en&next=/registry/visits/due"), "Visits due", "Never visited", "every 90 days")
	})
}
