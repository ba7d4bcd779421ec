package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

var ackFormRe = regexp.MustCompile(`action="(/security/alerts/\d+/ack)"`)

// TestSecurityAlertsConsole: a grid worker past the identifier-search
// limit gets 429 and raises an alert; the city auditor sees it on
// /security/alerts (linked from the menu), follows the link to the people
// affected (names and masked numbers only) and acknowledges it with a note.
func TestSecurityAlertsConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newRegistryFixture(t, d, func(c *config.Config) { c.LookupsPerHour = 1 })
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := f.auth.CreateRole(sys, auth.RoleInput{Name: "gridworker", Title: "网格员",
			Permissions: []string{registry.PermRead}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.CreateUser(sys, auth.UserInput{Username: "gw", DisplayName: "gw", Password: testPassword,
			UnitCode: "410105", Grants: []auth.GrantInput{{Role: "gridworker", ScopeCode: "410105"}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reg.CreatePerson(sys, registry.PersonInput{Name: "张三", IDNumber: regIDZhang, Phone: regPhoneZhang,
			GridCode: "G410105001001", Address: "红专路97号院5号楼2单元302室"}); err != nil {
			t.Fatal(err)
		}

		gw := f.client(t)
		home := gw.mustLogin("gw")
		wantNoBody(t, home, `href="/security/alerts"`)
		search := func() page {
			form := gw.get("/registry/people")
			return gw.post("/registry/people/search", url.Values{"csrf": {gw.csrf(form)}, "phone": {regPhoneZhang}})
		}
		first := search()
		wantStatus(t, first, http.StatusOK)
		// The list shows the age from the birth year (1990, masked as 1990-**-**).
		wantBody(t, first, "张三", `<td class="hide-sm">36</td>`)
		second := search()
		wantStatus(t, second, http.StatusTooManyRequests)
		wantBody(t, second, "Beijing time")
		wantStatus(t, gw.get("/security/alerts"), http.StatusForbidden)

		admin := f.client(t)
		wantBody(t, admin.mustLogin("admin"), `href="/security/alerts"`)
		alerts := admin.get("/security/alerts")
		wantStatus(t, alerts, http.StatusOK)
		wantBody(t, alerts, `id="security-alerts"`, "gw", "证件号/手机号查询过多", "/security/access?")
		m := ackFormRe.FindStringSubmatch(alerts.body)
		if m == nil {
			t.Fatalf("no ack form\n%s", excerpt(alerts.body))
		}
		zy := f.client(t)
		zy.mustLogin("zy")
		wantNoBody(t, zy.get("/security/alerts"), m[1])

		affected := admin.get("/security/access?user=gw")
		wantStatus(t, affected, http.StatusOK)
		wantBody(t, affected, `id="security-access"`, "张三", seal.MaskID(regIDZhang), "证件号/手机号查询命中")
		wantNoBody(t, affected, regIDZhang)
		wantStatus(t, admin.get("/security/access?user=gw&from=yesterday"), http.StatusUnprocessableEntity)

		bad := admin.post(m[1], url.Values{"csrf": {admin.csrf(alerts)}, "note": {" "}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		done := admin.post(m[1], url.Values{"csrf": {admin.csrf(alerts)}, "note": {"已核实"}})
		wantStatus(t, done, http.StatusOK)
		wantBody(t, done, "告警已确认处理", "暂无告警")
		wantBody(t, admin.get("/security/alerts?all=1"), "已处理", "已核实")
	})
}
