package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/citizen"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// TestCitizenModerationConsole: a moderator hides and redacts a citizen
// report's public text and hides its photos; an administrator reads the
// reporter's contact with a reason, audited; a user with case.moderate
// but not case.contact is refused the contact, and one with neither gets
// no link and no page.
func TestCitizenModerationConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		cit := f.app.Citizen
		// The report lands in the grid whose boundary holds its point.
		boundary := cell(113.675, 34.765, 0.01)
		if _, err := f.org.UpdateGrid(sys, "G410105001001", org.GridUpdate{Boundary: &boundary}); err != nil {
			t.Fatal(err)
		}
		la, ln := 34.77, 113.68
		rc, err := cit.Submit(context.Background(), citizen.ReportInput{Channel: "portal", CategoryCode: "E010101",
			Description: "张三家门口堆垃圾，电话13800001111", Lat: &la, Lng: &ln, Phone: "13912345678",
			Name: "李四", ClientKey: "ip:192.0.2.7"})
		if err != nil {
			t.Fatal(err)
		}
		page := "/cases/" + fmtInt(rc.CaseID)

		// The community administrator holds both permissions (admin).
		sq := f.client(t)
		sq.mustLogin("sq")
		cp := sq.get(page)
		wantBody(t, cp, `id="moderation-link"`)
		mp := sq.get(page + "/moderation")
		wantStatus(t, mp, http.StatusOK)
		wantBody(t, mp, `id="awaiting-verification"`, `id="moderation"`, `id="contact-form"`)
		wantNoBody(t, mp, "13912345678", "李四")

		saved := sq.post(page+"/moderation", url.Values{"csrf": {sq.csrf(mp)},
			"redacted_text": {"门口堆垃圾"}, "hide_media": {"1"}, "note": {"含个人信息"}})
		wantStatus(t, saved, http.StatusOK)
		wantBody(t, saved, `<dd class="case-desc" id="public-text">门口堆垃圾</dd>`, `id="photos-hidden"`)
		if q, _ := cit.ByToken(context.Background(), rc.Token); q.Description != "门口堆垃圾" {
			t.Fatalf("public text: got %q, want the redacted one", q.Description)
		}

		noReason := sq.post(page+"/contact", url.Values{"csrf": {sq.csrf(mp)}, "reason": {" "}})
		wantStatus(t, noReason, http.StatusUnprocessableEntity)
		wantNoBody(t, noReason, "13912345678")
		shown := sq.post(page+"/contact", url.Values{"csrf": {sq.csrf(mp)}, "reason": {"回访核实"}})
		wantStatus(t, shown, http.StatusOK)
		wantBody(t, shown, `id="contact-shown"`, "13912345678", "李四")
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'citizen.contact'
			AND object_id = ? AND detail LIKE ?`, fmtInt(rc.CaseID), "%回访核实%").Scan(&n); err != nil || n != 1 {
			t.Fatalf("contact audit entries: got %d (%v), want 1 with the reason", n, err)
		}

		// A moderator without case.contact: moderation yes, contact no.
		if _, err := f.auth.CreateRole(sys, auth.RoleInput{Name: "moderator", Title: "审核员",
			Permissions: []string{"case.read", "case.moderate"}}); err != nil {
			t.Fatal(err)
		}
		for name, role := range map[string]string{"mod": "moderator", "look": "viewer"} {
			if _, err := f.auth.CreateUser(sys, auth.UserInput{Username: name, DisplayName: name, Password: testPassword,
				UnitCode: "410105001001", Grants: []auth.GrantInput{{Role: role, ScopeCode: "410105001001"}}}); err != nil {
				t.Fatal(err)
			}
		}
		mod := f.client(t)
		mod.mustLogin("mod")
		mmp := mod.get(page + "/moderation")
		wantStatus(t, mmp, http.StatusOK)
		wantNoBody(t, mmp, `id="contact-form"`)
		refused := mod.post(page+"/contact", url.Values{"csrf": {mod.csrf(mmp)}, "reason": {"好奇"}})
		wantStatus(t, refused, http.StatusForbidden)
		wantNoBody(t, refused, "13912345678")

		look := f.client(t)
		look.mustLogin("look")
		wantNoBody(t, look.get(page), `id="moderation-link"`)
		wantStatus(t, look.get(page+"/moderation"), http.StatusForbidden)
		if strings.Contains(look.get(page).body, "13912345678") {
			t.Fatal("the case page shows the reporter's phone")
		}
	})
}
