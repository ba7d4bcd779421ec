package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
)

var (
	jobURLRe    = regexp.MustCompile(`^/registry/import/(\d+)$`)
	personURLRe = regexp.MustCompile(`href="/registry/people/(\d+)"`)
)

// importPeople uploads the test workbook as the logged-in user into
// 红专路社区 and returns the job's page.
func (c *client) importPeople(t testing.TB) page {
	t.Helper()
	form := c.get("/registry/import")
	wantStatus(t, form, http.StatusOK)
	p := c.postFile("/registry/import", url.Values{"csrf": {c.csrf(form)}, "unit_code": {"410105001001"},
		"source": {"base"}}, "人口.xlsx", peopleXLSX(t))
	if p.status != http.StatusOK || !jobURLRe.MatchString(p.url.Path) {
		t.Fatalf("import: got %d at %s, want the job page\n%s", p.status, p.url, excerpt(p.body))
	}
	return p
}

// TestRegistryConsoleImportSearch imports a workbook through the console:
// the job page counts three rows in and one failed, with the failure and
// its downloads; the list finds a person by ID-card number and shows only
// masks, the person page too; the awaiting-grid view assigns a grid.
func TestRegistryConsoleImportSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		admin := f.client(t)
		home := admin.mustLogin("admin")
		wantBody(t, home, `href="/registry/people"`, "基础数据")
		job := admin.importPeople(t)
		wantBody(t, job, "导入完成", `id="c-total">4<`, `id="c-inserted">3<`, `id="c-failed">1<`, "id_number",
			"/failures?format=csv", "/failures?format=xlsx")
		jobPath := job.url.Path
		fcsv := admin.get(jobPath + "/failures?format=csv")
		wantStatus(t, fcsv, http.StatusOK)
		wantBody(t, fcsv, "坏行")
		if ct := fcsv.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("failures content type %q", ct)
		}
		wantStatus(t, admin.get(jobPath+"/failures?format=xlsx"), http.StatusOK)
		tpl := admin.get("/registry/import/template?format=xlsx")
		wantStatus(t, tpl, http.StatusOK)
		if !strings.HasPrefix(tpl.body, "PK") {
			t.Errorf("xlsx template is not a zip")
		}
		wantBody(t, admin.get("/registry/import"), "人口.xlsx")

		// The search form posts: an ID-card number searched for is answered
		// at once and never put in a URL; other searches go to the GET list.
		listPage := admin.get("/registry/people")
		list := admin.post("/registry/people/search", url.Values{"csrf": {admin.csrf(listPage)},
			"id_number": {regIDZhang}}, "Origin", admin.base)
		wantStatus(t, list, http.StatusOK)
		if strings.Contains(list.url.String(), regIDZhang) || strings.Contains(list.body, "id_number="+regIDZhang) {
			t.Errorf("the searched ID-card number is in a URL: %s", list.url)
		}
		byName := admin.post("/registry/people/search", url.Values{"csrf": {admin.csrf(listPage)},
			"name": {"张"}}, "Origin", admin.base)
		if byName.url.Path != "/registry/people" || byName.url.Query().Get("name") != "张" {
			t.Errorf("a name search ended at %s, want the GET list", byName.url)
		}
		wantBody(t, byName, "张三")
		wantBody(t, list, "张三", seal.MaskID(regIDZhang), seal.MaskPhone(regPhoneZhang), "基础库")
		// The search form keeps what was typed; the table shows masks only.
		wantNoBody(t, page{url: list.url, body: list.body[strings.Index(list.body, `id="people"`):]}, regIDZhang,
			regPhoneZhang, "王芳")
		m := personURLRe.FindStringSubmatch(list.body)
		if m == nil {
			t.Fatalf("no person link\n%s", excerpt(list.body))
		}
		pp := admin.get("/registry/people/" + m[1])
		wantStatus(t, pp, http.StatusOK)
		wantBody(t, pp, "张三", seal.MaskID(regIDZhang), "红专路一网格", `id="unmask-form"`, `id="verify-form"`,
			`id="visit-form"`, `id="person-views"`)
		wantNoBody(t, pp, regIDZhang, regPhoneZhang)
		wantBody(t, admin.get("/registry/people?name=王"), "王芳")
		wantNoBody(t, admin.get("/registry/people?name=芳"), "王芳")

		aw := admin.get("/registry/people?awaiting=1")
		wantBody(t, aw, "赵六", `id="assign-form"`, `<option value="G410105001001">`)
		wantNoBody(t, aw, "张三")
		ids := personURLRe.FindAllStringSubmatch(aw.body, -1)
		if len(ids) != 1 {
			t.Fatalf("awaiting view lists %d people, want 1", len(ids))
		}
		p := admin.post("/registry/people/assign", url.Values{"csrf": {admin.csrf(aw)}, "person_id": {ids[0][1]},
			"grid_code": {"G410105001001"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已分配网格", "没有符合条件的人员")
		wantBody(t, admin.get("/registry/people/"+ids[0][1]), "红专路一网格")

		// The export is masked, like the list.
		ex := admin.get("/registry/export?format=csv&grid=G410105001001")
		wantStatus(t, ex, http.StatusOK)
		wantBody(t, ex, "张三", seal.MaskID(regIDZhang))
		wantNoBody(t, ex, regIDZhang, regPhoneZhang)
		wantBody(t, admin.get("/registry/export"), `id="export-csv"`)
	})
}

// TestRegistryConsoleMasking checks unmasking by role: the read-only user
// sees masks and no unmask form and is refused the action; the
// administrator unmasks with a reason, once, and the page then lists who
// looked; another district sees nothing of the person.
func TestRegistryConsoleMasking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		admin := f.client(t)
		admin.mustLogin("admin")
		admin.importPeople(t)
		m := personURLRe.FindStringSubmatch(admin.get("/registry/people?id_number=" + regIDZhang).body)
		if m == nil {
			t.Fatal("person not found")
		}
		path := "/registry/people/" + m[1]

		viewer := f.client(t)
		viewer.mustLogin("viewer-410105")
		vp := viewer.get(path)
		wantStatus(t, vp, http.StatusOK)
		wantBody(t, vp, seal.MaskID(regIDZhang))
		// The viewer role reads the audit log, so it may see who looked.
		wantNoBody(t, vp, regIDZhang, `id="unmask-form"`, `id="verify-form"`, `id="visit-form"`)
		wantStatus(t, viewer.post(path+"/unmask", url.Values{"csrf": {viewer.csrf(vp)}, "reason": {"好奇"}}),
			http.StatusForbidden)
		wantStatus(t, viewer.get("/registry/import"), http.StatusForbidden)
		wantStatus(t, viewer.get("/registry/people/new"), http.StatusForbidden)

		pp := admin.get(path)
		noReason := admin.post(path+"/unmask", url.Values{"csrf": {admin.csrf(pp)}})
		wantStatus(t, noReason, http.StatusUnprocessableEntity)
		wantBody(t, noReason, `class="ferr"`)
		wantNoBody(t, noReason, regIDZhang)
		un := admin.post(path+"/unmask", url.Values{"csrf": {admin.csrf(pp)}, "reason": {"核实身份，走访需要"}})
		wantStatus(t, un, http.StatusOK)
		wantBody(t, un, regIDZhang, regPhoneZhang, "本次查看已记录")
		if cc := un.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("unmasked page Cache-Control %q, want no-store", cc)
		}
		again := admin.get(path)
		wantNoBody(t, again, regIDZhang)
		wantBody(t, again, "查看完整证件号和手机号（核实身份，走访需要）", "admin")

		zy := f.client(t)
		zy.mustLogin("zy")
		wantStatus(t, zy.get(path), http.StatusNotFound)
		wantNoBody(t, zy.get("/registry/people"), "张三")
	})
}

// TestRegistryConsolePersonForm creates a person through the form (bad
// input comes back per field without echoing the identifiers), edits them
// keeping the stored ID-card number, verifies and records a visit.
func TestRegistryConsolePersonForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		c := f.client(t)
		c.mustLogin("admin-410105")
		form := c.get("/registry/people/new")
		wantStatus(t, form, http.StatusOK)
		wantBody(t, form, `id="person-form"`, "红专路一网格", "红专路社区")
		bad := regIDZhang[:17] + "0"
		if bad == regIDZhang {
			bad = regIDZhang[:17] + "1"
		}
		p := c.post("/registry/people", url.Values{"csrf": {c.csrf(form)}, "name": {"张三"}, "id_number": {bad},
			"phone": {"12"}, "grid_code": {"G410105001001"}, "source": {"own"}, "person_type": {"registered"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `class="ferr"`, "flash-error", `value="张三"`)
		wantNoBody(t, p, bad)
		p = c.post("/registry/people", url.Values{"csrf": {c.csrf(form)}, "name": {"张三"}, "id_number": {regIDZhang},
			"phone": {regPhoneZhang}, "grid_code": {"G410105001001"}, "source": {"own"}, "person_type": {"migrant"},
			"address": {"红专路 1 号"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "人员已新增", seal.MaskID(regIDZhang), "流动人口", "男", "1990-03-07")
		path := p.url.Path

		ed := c.get(path + "/edit")
		wantStatus(t, ed, http.StatusOK)
		wantBody(t, ed, `value="红专路 1 号"`, "留空则保持原值")
		wantNoBody(t, ed, regIDZhang)
		form2 := url.Values{"csrf": {c.csrf(ed)}, "version": {"1"}, "name": {"张三丰"}, "grid_code": {"G410105001001"},
			"source": {"own"}, "person_type": {"migrant"}, "id_type": {"resident_id"}, "address": {"红专路 9 号"}}
		p = c.post(path, form2)
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "人员已修改", "张三丰", "红专路 9 号", seal.MaskID(regIDZhang), seal.MaskPhone(regPhoneZhang))
		// The same version again is stale.
		wantStatus(t, c.post(path, form2), http.StatusConflict)

		p = c.post(path+"/verify", url.Values{"csrf": {c.csrf(ed)}, "note": {"入户核对"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已核对")
		p = c.post(path+"/visits", url.Values{"csrf": {c.csrf(ed)}, "kind": {"visit"}, "note": {"了解近况"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "走访已记录", "了解近况")
		wantBody(t, c.get("/lang?l=en&next="+path), "Visits", "Migrant", "Record visit")
	})
}

// TestRegistryConsolePlaces lists houses and organisations in scope, with
// the organisation's phone masked; another district sees neither.
func TestRegistryConsolePlaces(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := f.places.CreateHouse(sys, places.HouseInput{Address: "红专路 1 号", Building: "3 号楼", Room: "201",
			Use: "residential", Rented: true, GridCode: "G410105001001", Source: registry.SourceOwn}); err != nil {
			t.Fatalf("house: %v", err)
		}
		phone := "13700001234"
		if _, err := f.places.CreateOrganisation(sys, places.OrganisationInput{Kind: "enterprise", Name: "红专路便利店",
			Phone: &phone, GridCode: "G410105001001", Source: registry.SourceOwn}); err != nil {
			t.Fatalf("organisation: %v", err)
		}
		c := f.client(t)
		c.mustLogin("admin-410105")
		h := c.get("/registry/houses?q=红专路")
		wantStatus(t, h, http.StatusOK)
		wantBody(t, h, "红专路 1 号", "3 号楼", "出租", "G410105001001")
		o := c.get("/registry/organisations")
		wantBody(t, o, "红专路便利店", seal.MaskPhone(phone))
		wantNoBody(t, o, phone)
		wantStatus(t, c.get("/registry/components"), http.StatusOK)
		wantBody(t, c.get("/registry/people"), `href="/registry/houses"`)

		zy := f.client(t)
		zy.mustLogin("zy")
		wantNoBody(t, zy.get("/registry/houses"), "红专路 1 号")
		wantNoBody(t, zy.get("/registry/organisations"), "红专路便利店")
	})
}
