package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/seal"
)

var recordPathRe = regexp.MustCompile(`^/registry/(houses|organisations|components)/(\d+)$`)

// landedOn returns the record path a create redirected to.
func landedOn(t testing.TB, p page) string {
	t.Helper()
	if !recordPathRe.MatchString(p.url.Path) {
		t.Fatalf("landed on %s, want a record's page\n%s", p.url, excerpt(p.body))
	}
	return p.url.Path
}

// wantFieldError fails unless the form field with id shows an error.
func wantFieldError(t testing.TB, p page, id string) {
	t.Helper()
	if !strings.Contains(fieldBlock(t, p.body, id), `class="ferr"`) {
		t.Errorf("no error on field %s\n%s", id, excerpt(p.body))
	}
}

// TestRegistryConsoleHouses creates a house by form (a missing address
// comes back on its field with the values kept), shows it, edits it (a
// stale version is refused), verifies it, finds a person by name and by
// ID-card number (never echoed) and adds them as an occupant, and removes
// the house with a reason. A viewer sees no new, edit or action forms and
// is refused every write; another district gets 404.
func TestRegistryConsoleHouses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		sys := f.withCodes(t)
		zhang := f.addPerson(t, sys, regIDZhang, "张三")

		c := f.client(t)
		c.mustLogin("admin-410105")
		list := c.get("/registry/houses")
		wantBody(t, list, `id="place-new"`, `href="/registry/houses/new"`)
		nf := c.get("/registry/houses/new")
		wantStatus(t, nf, http.StatusOK)
		wantBody(t, nf, `id="house-form"`, `<option value="G410105001001"`, "商住混合")
		tok := c.csrf(nf)

		form := url.Values{"csrf": {tok}, "address": {""}, "building": {"7 号楼"}, "room": {"301"}, "use": {"commercial"},
			"rented": {"1"}, "grid_code": {"G410105001001"}, "source": {"own"}}
		bad := c.post("/registry/houses", form)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantFieldError(t, bad, "h-address")
		wantBody(t, bad, `value="7 号楼"`)
		form.Set("area", "abc")
		form.Set("address", "红专路 9 号")
		badArea := c.post("/registry/houses", form)
		wantStatus(t, badArea, http.StatusUnprocessableEntity)
		wantFieldError(t, badArea, "h-area")
		form.Set("area", "88.5")

		made := c.post("/registry/houses", form)
		wantStatus(t, made, http.StatusOK)
		path := landedOn(t, made)
		wantBody(t, made, "已新增房屋", "红专路 9 号", "7 号楼", "商业", "88.5", "红专路一网格", `id="house-edit"`,
			`id="verify-form"`, `id="occupant-search-form"`, `id="delete-form"`)
		wantBody(t, c.get("/registry/houses"), `href="`+path+`"`)

		ef := c.get(path + "/edit")
		wantStatus(t, ef, http.StatusOK)
		wantBody(t, ef, `name="version" value="1"`, `value="红专路 9 号"`, `<option value="commercial" selected>`)
		form.Set("version", "1")
		form.Set("room", "302")
		upd := c.post(path, form)
		wantStatus(t, upd, http.StatusOK)
		wantBody(t, upd, "房屋已更新", "302")
		form.Set("room", "303")
		stale := c.post(path, form)
		wantStatus(t, stale, http.StatusConflict)
		wantBody(t, stale, `value="303"`)
		wantNoBody(t, c.get(path), "303")

		ver := c.post(path+"/verify", url.Values{"csrf": {tok}, "note": {"现场核对"}})
		wantStatus(t, ver, http.StatusOK)
		wantBody(t, ver, "已核对")
		wantNoBody(t, ver, "尚未核对")

		empty := c.post(path+"/occupants/search", url.Values{"csrf": {tok}})
		wantStatus(t, empty, http.StatusUnprocessableEntity)
		wantFieldError(t, empty, "os-name")
		byName := c.post(path+"/occupants/search", url.Values{"csrf": {tok}, "name": {"张"}})
		wantStatus(t, byName, http.StatusOK)
		wantBody(t, byName, `id="occupant-candidates"`, "张三", seal.MaskID(regIDZhang))
		byID := c.post(path+"/occupants/search", url.Values{"csrf": {tok}, "id_number": {regIDZhang}})
		wantStatus(t, byID, http.StatusOK)
		wantBody(t, byID, "张三")
		wantNoBody(t, byID, regIDZhang)
		if strings.Contains(byID.url.String(), regIDZhang) {
			t.Errorf("the ID-card number is in the URL %s", byID.url)
		}
		pid := strconv.FormatInt(zhang, 10)
		badRole := c.post(path+"/occupants", url.Values{"csrf": {tok}, "person_id": {pid}, "role": {"landlord"}})
		wantStatus(t, badRole, http.StatusUnprocessableEntity)
		wantBody(t, badRole, `class="ferr"`)
		added := c.post(path+"/occupants", url.Values{"csrf": {tok}, "person_id": {pid}, "role": {"tenant"},
			"started_on": {"2026-01-01"}})
		wantStatus(t, added, http.StatusOK)
		wantBody(t, added, "已加入房屋", `href="/registry/people/`+pid+`"`, "承租人", "2026-01-01")

		viewer := f.client(t)
		viewer.mustLogin("viewer-410105")
		vp := viewer.get(path)
		wantStatus(t, vp, http.StatusOK)
		wantBody(t, vp, "红专路 9 号", "张三")
		wantNoBody(t, vp, `id="house-edit"`, `id="verify-form"`, `id="occupant-search-form"`, `id="delete-form"`, "移除")
		wantNoBody(t, viewer.get("/registry/houses"), `id="place-new"`)
		vt := viewer.csrf(vp)
		wantStatus(t, viewer.get("/registry/houses/new"), http.StatusForbidden)
		wantStatus(t, viewer.get(path+"/edit"), http.StatusForbidden)
		wantStatus(t, viewer.post("/registry/houses", url.Values{"csrf": {vt}, "address": {"x"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path, url.Values{"csrf": {vt}, "address": {"x"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path+"/verify", url.Values{"csrf": {vt}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path+"/occupants", url.Values{"csrf": {vt}, "person_id": {pid}, "role": {"owner"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path+"/delete", url.Values{"csrf": {vt}, "reason": {"x"}}), http.StatusForbidden)

		zy := f.client(t)
		zp := zy.mustLogin("zy")
		wantStatus(t, zy.get(path), http.StatusNotFound)
		wantStatus(t, zy.get(path+"/edit"), http.StatusNotFound)
		wantStatus(t, zy.post(path, url.Values{"csrf": {zy.csrf(zp)}, "address": {"x"}}), http.StatusNotFound)
		wantStatus(t, zy.post(path+"/verify", url.Values{"csrf": {zy.csrf(zp)}}), http.StatusNotFound)

		rm := c.post(path+"/occupants/"+pid+"/remove", url.Values{"csrf": {tok}, "role": {"tenant"}})
		wantStatus(t, rm, http.StatusOK)
		wantBody(t, rm, "已从房屋移除", "暂无居住人员")

		noReason := c.post(path+"/delete", url.Values{"csrf": {tok}, "version": {"5"}, "reason": {" "}})
		wantStatus(t, noReason, http.StatusUnprocessableEntity)
		wantFieldError(t, noReason, "d-reason")
		h, err := f.places.HouseByID(sys, mustID(t, path))
		if err != nil {
			t.Fatal(err)
		}
		del := c.post(path+"/delete", url.Values{"csrf": {tok}, "version": {strconv.Itoa(h.Version)}, "reason": {"拆除"}})
		wantStatus(t, del, http.StatusOK)
		wantBody(t, del, "房屋已删除")
		wantStatus(t, c.get(path), http.StatusNotFound)
	})
}

// mustID reads the id at the end of a record's path.
func mustID(t testing.TB, path string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(path[strings.LastIndex(path, "/")+1:], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRegistryConsoleOrganisations creates an organisation by form (a
// USCC with a wrong check character comes back on its field, the values
// and never the phone kept), shows it with its phone masked, and edits it
// (the phone kept, a stale version refused); a viewer sees no buttons and
// is refused; another district gets 404.
func TestRegistryConsoleOrganisations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		f.withCodes(t)
		c := f.client(t)
		c.mustLogin("admin-410105")
		nf := c.get("/registry/organisations/new")
		wantStatus(t, nf, http.StatusOK)
		wantBody(t, nf, `id="organisation-form"`, "非公有制经济组织")
		tok := c.csrf(nf)

		good := "91110108551385082Q"
		badUSCC := good[:17] + "R"
		phone := "13700001234"
		form := url.Values{"csrf": {tok}, "kind": {"enterprise"}, "name": {"红专路便利店"}, "uscc": {badUSCC},
			"phone": {phone}, "employees": {"12"}, "grid_code": {"G410105001001"}, "source": {"own"}}
		bad := c.post("/registry/organisations", form)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantFieldError(t, bad, "o-uscc")
		wantBody(t, bad, `value="红专路便利店"`, `value="`+badUSCC+`"`)
		wantNoBody(t, bad, phone)

		form.Set("uscc", good)
		made := c.post("/registry/organisations", form)
		wantStatus(t, made, http.StatusOK)
		path := landedOn(t, made)
		wantBody(t, made, "已新增组织", "红专路便利店", good, seal.MaskPhone(phone), "企业", `id="organisation-edit"`)
		wantNoBody(t, made, phone)
		wantBody(t, c.get("/registry/organisations"), `href="`+path+`"`, `id="place-new"`)

		ef := c.get(path + "/edit")
		wantStatus(t, ef, http.StatusOK)
		wantBody(t, ef, `name="version" value="1"`, `value="`+good+`"`)
		wantNoBody(t, ef, phone)
		edit := url.Values{"csrf": {tok}, "version": {"1"}, "kind": {"social"}, "name": {"红专路志愿者协会"}, "uscc": {good},
			"grid_code": {"G410105001001"}, "source": {"own"}}
		upd := c.post(path, edit)
		wantStatus(t, upd, http.StatusOK)
		wantBody(t, upd, "组织已更新", "红专路志愿者协会", "社会组织", seal.MaskPhone(phone))
		stale := c.post(path, edit)
		wantStatus(t, stale, http.StatusConflict)

		viewer := f.client(t)
		viewer.mustLogin("viewer-410105")
		vp := viewer.get(path)
		wantStatus(t, vp, http.StatusOK)
		wantNoBody(t, vp, `id="organisation-edit"`, `id="verify-form"`)
		wantNoBody(t, viewer.get("/registry/organisations"), `id="place-new"`)
		wantStatus(t, viewer.post(path, url.Values{"csrf": {viewer.csrf(vp)}, "name": {"x"}}), http.StatusForbidden)
		wantStatus(t, viewer.post("/registry/organisations", url.Values{"csrf": {viewer.csrf(vp)}, "name": {"x"}}),
			http.StatusForbidden)

		zy := f.client(t)
		zp := zy.mustLogin("zy")
		wantStatus(t, zy.get(path), http.StatusNotFound)
		wantStatus(t, zy.post(path, url.Values{"csrf": {zy.csrf(zp)}, "name": {"x"}}), http.StatusNotFound)
	})
}

// TestRegistryConsoleComponents creates a component by form (an object
// code whose category digits do not match the category comes back on its
// field), shows it with its status named from the code table, and edits
// its status (a stale version refused); a viewer is refused, another
// district gets 404.
func TestRegistryConsoleComponents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		f.withCodes(t)
		c := f.client(t)
		c.mustLogin("admin-410105")
		nf := c.get("/registry/components/new")
		wantStatus(t, nf, http.StatusOK)
		wantBody(t, nf, `id="component-form"`, `<option value="damaged">损坏</option>`)
		tok := c.csrf(nf)

		form := url.Values{"csrf": {tok}, "name": {"路灯"}, "category_code": {"C010105"}, "object_code": {"4101050201000001"},
			"status": {"intact"}, "address": {"红专路口"}, "grid_code": {"G410105001001"}, "source": {"own"}}
		bad := c.post("/registry/components", form)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantFieldError(t, bad, "c-code")
		wantBody(t, bad, `value="红专路口"`)

		form.Set("object_code", "4101050105000001")
		made := c.post("/registry/components", form)
		wantStatus(t, made, http.StatusOK)
		path := landedOn(t, made)
		wantBody(t, made, "已新增部件", "4101050105000001", "C010105", "完好", `id="component-edit"`)
		wantBody(t, c.get("/registry/components"), `href="`+path+`"`)

		ef := c.get(path + "/edit")
		wantStatus(t, ef, http.StatusOK)
		wantBody(t, ef, `name="version" value="1"`, `<option value="intact" selected>`)
		form.Set("version", "1")
		form.Set("status", "damaged")
		upd := c.post(path, form)
		wantStatus(t, upd, http.StatusOK)
		wantBody(t, upd, "部件已更新", "损坏")
		wantStatus(t, c.post(path, form), http.StatusConflict)
		wantBody(t, c.get("/lang?l=en&next="+path), "Damaged", "Edit component")

		viewer := f.client(t)
		vp := viewer.mustLogin("viewer-410105")
		wantNoBody(t, viewer.get(path), `id="component-edit"`)
		wantStatus(t, viewer.post(path, url.Values{"csrf": {viewer.csrf(vp)}, "name": {"x"}}), http.StatusForbidden)

		zy := f.client(t)
		zy.mustLogin("zy")
		wantStatus(t, zy.get(path), http.StatusNotFound)
	})
}
