package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

var householdURLRe = regexp.MustCompile(`href="/registry/households/(\d+)"`)

// withCodes loads the code tables (relations, group kinds …) and adds
// "clerk-410105", who maintains base data in 中原区… 二七区 410105 without
// registry.keygroup. It returns the system context.
func (f *registryFixture) withCodes(t testing.TB) context.Context {
	t.Helper()
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	if err := f.groups.EnsureCodeTables(sys); err != nil {
		t.Fatalf("code tables: %v", err)
	}
	if _, err := f.auth.CreateRole(sys, auth.RoleInput{Name: "registrar", Title: "registrar",
		Permissions: []string{"registry.read", "registry.write"}}); err != nil {
		t.Fatalf("role: %v", err)
	}
	if _, err := f.auth.CreateUser(sys, auth.UserInput{Username: "clerk-410105", DisplayName: "clerk", Password: testPassword,
		UnitCode: "410105", Grants: []auth.GrantInput{{Role: "registrar", ScopeCode: "410105"}}}); err != nil {
		t.Fatalf("clerk: %v", err)
	}
	return sys
}

// addPerson registers a person in 红专路一网格 and returns their id.
func (f *registryFixture) addPerson(t testing.TB, sys context.Context, idNumber, name string) int64 {
	t.Helper()
	p, err := f.reg.CreatePerson(sys, registry.PersonInput{IDNumber: idNumber, Name: name, GridCode: "G410105001001",
		Address: "红专路 1 号", PersonType: "registered", Source: registry.SourceOwn})
	if err != nil {
		t.Fatalf("person %s: %v", name, err)
	}
	return p.ID
}

// fieldBlock is the part of a page from the element with id to the end of
// its form field's <div>, where the field's error is shown.
func fieldBlock(t testing.TB, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element %s\n%s", id, excerpt(body))
	}
	rest := body[i:]
	if j := strings.Index(rest, "</div>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestRegistryConsoleHouseholds creates a household from a person's page
// (a bad kind comes back on its field), finds a second person by name and
// by ID-card number (never echoed), adds them with a relation (a bad one
// is refused on its field), shows the household page and removes them. A
// viewer sees no forms and is refused the actions; another district gets
// 404.
func TestRegistryConsoleHouseholds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d)
		sys := f.withCodes(t)
		zhang := f.addPerson(t, sys, regIDZhang, "张三")
		li := f.addPerson(t, sys, regIDLi, "李四")
		path := personURL(zhang)

		c := f.client(t)
		c.mustLogin("admin-410105")
		pp := c.get(path)
		wantStatus(t, pp, http.StatusOK)
		wantBody(t, pp, `id="household-form"`, "未登记户", `<option value="02" selected>02 户主</option>`)
		wantNoBody(t, pp, `id="member-search-form"`)
		tok := c.csrf(pp)

		bad := c.post(path+"/household", url.Values{"csrf": {tok}, "number": {"H001"}, "kind": {"tent"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		if !strings.Contains(fieldBlock(t, bad.body, "hh-kind"), `class="ferr"`) {
			t.Errorf("no error on the kind field\n%s", excerpt(bad.body))
		}
		wantBody(t, bad, `value="H001"`)
		if p, _ := f.reg.PersonByID(sys, zhang); p.HouseholdID != nil {
			t.Fatalf("a refused household was created")
		}

		ok := c.post(path+"/household", url.Values{"csrf": {tok}, "number": {"H001"}, "kind": {"family"}})
		wantStatus(t, ok, http.StatusOK)
		wantBody(t, ok, "已建户", "H001", `id="member-search-form"`, "户主")
		wantNoBody(t, ok, `id="household-form"`)
		m := householdURLRe.FindStringSubmatch(ok.body)
		if m == nil {
			t.Fatalf("no household link\n%s", excerpt(ok.body))
		}
		hhPath := "/registry/households/" + m[1]

		// A search needs a name or a number.
		empty := c.post(path+"/household/search", url.Values{"csrf": {tok}})
		wantStatus(t, empty, http.StatusUnprocessableEntity)
		if !strings.Contains(fieldBlock(t, empty.body, "ms-name"), `class="ferr"`) {
			t.Errorf("no error on the name field\n%s", excerpt(empty.body))
		}
		byName := c.post(path+"/household/search", url.Values{"csrf": {tok}, "name": {"李"}})
		wantStatus(t, byName, http.StatusOK)
		wantBody(t, byName, `id="member-candidates"`, "李四", seal.MaskID(regIDLi))
		byID := c.post(path+"/household/search", url.Values{"csrf": {tok}, "id_number": {regIDLi}})
		wantStatus(t, byID, http.StatusOK)
		wantBody(t, byID, "李四")
		wantNoBody(t, byID, regIDLi)
		if strings.Contains(byID.url.String(), regIDLi) {
			t.Errorf("the ID-card number is in the URL %s", byID.url)
		}
		none := c.post(path+"/household/search", url.Values{"csrf": {tok}, "name": {"王"}})
		wantBody(t, none, `id="member-none"`)

		badRel := c.post(path+"/household/members", url.Values{"csrf": {tok}, "person_id": {strconv.FormatInt(li, 10)},
			"relation": {"77x"}})
		wantStatus(t, badRel, http.StatusUnprocessableEntity)
		wantBody(t, badRel, `class="ferr"`)
		added := c.post(path+"/household/members", url.Values{"csrf": {tok}, "person_id": {strconv.FormatInt(li, 10)},
			"relation": {"10"}})
		wantStatus(t, added, http.StatusOK)
		wantBody(t, added, "已加入本户", "李四", "配偶")

		hh := c.get(hhPath)
		wantStatus(t, hh, http.StatusOK)
		wantBody(t, hh, "H001", "张三", "李四", "配偶", "家庭户", `class="tag small">户主`)

		viewer := f.client(t)
		viewer.mustLogin("viewer-410105")
		vp := viewer.get(path)
		wantStatus(t, vp, http.StatusOK)
		wantBody(t, vp, "李四")
		wantNoBody(t, vp, `id="member-search-form"`, "移出本户", `id="household-form"`)
		wantStatus(t, viewer.get(hhPath), http.StatusOK)
		vt := viewer.csrf(vp)
		wantStatus(t, viewer.post(path+"/household/search", url.Values{"csrf": {vt}, "name": {"李"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path+"/household/members", url.Values{"csrf": {vt}, "person_id": {strconv.FormatInt(li, 10)},
			"relation": {"10"}}), http.StatusForbidden)
		wantStatus(t, viewer.post(path+"/household/members/"+strconv.FormatInt(li, 10)+"/remove", url.Values{"csrf": {vt}}),
			http.StatusForbidden)
		wantStatus(t, viewer.post(personURL(li)+"/household", url.Values{"csrf": {vt}}), http.StatusForbidden)

		zy := f.client(t)
		zp := zy.mustLogin("zy")
		wantStatus(t, zy.get(hhPath), http.StatusNotFound)
		wantStatus(t, zy.post(path+"/household/members/"+strconv.FormatInt(li, 10)+"/remove",
			url.Values{"csrf": {zy.csrf(zp)}}), http.StatusNotFound)

		rm := c.post(path+"/household/members/"+strconv.FormatInt(li, 10)+"/remove", url.Values{"csrf": {tok}})
		wantStatus(t, rm, http.StatusOK)
		wantBody(t, rm, "已移出本户")
		if p, _ := f.reg.PersonByID(sys, li); p.HouseholdID != nil {
			t.Errorf("李四 is still in the household")
		}
		wantNoBody(t, c.get(hhPath), "李四")
		wantBody(t, c.get("/lang?l=en&next="+hhPath), "Family household", "Head of household")
	})
}

// personURL is the console page of person id.
func personURL(id int64) string { return "/registry/people/" + strconv.FormatInt(id, 10) }
