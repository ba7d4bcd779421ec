package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestAPIKeysConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cit := f.app.Citizen

		c := f.client(t)
		home := c.mustLogin("admin")
		wantBody(t, home, `href="/apikeys"`)
		list := c.get("/apikeys")
		wantStatus(t, list, http.StatusOK)
		wantBody(t, list, "Open311 API 密钥", "尚未签发密钥")

		bad := c.post("/apikeys", url.Values{"csrf": {c.csrf(list)}, "name": {" "}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)

		made := c.post("/apikeys", url.Values{"csrf": {c.csrf(list)}, "name": {"市民热线 App"}})
		wantStatus(t, made, http.StatusOK)
		secret := regexp.MustCompile(`gg311_[0-9a-f]{40}`).FindString(made.body)
		if secret == "" {
			t.Fatalf("new key not shown: %s", excerpt(made.body))
		}
		wantBody(t, made, "此密钥不会再次显示", "市民热线 App")
		again := c.get("/apikeys")
		wantNoBody(t, again, secret)
		wantBody(t, again, "有效")
		if _, ok, _ := cit.CheckKey(t.Context(), secret); !ok {
			t.Fatal("issued key does not work")
		}
		revoked := c.post("/apikeys/1/revoke", url.Values{"csrf": {c.csrf(again)}})
		wantStatus(t, revoked, http.StatusOK)
		wantBody(t, revoked, "密钥已吊销", "已吊销")
		if _, ok, _ := cit.CheckKey(t.Context(), secret); ok {
			t.Fatal("revoked key still works")
		}

		// A user without apikey.manage sees neither the link nor the page.
		if _, err := f.auth.CreateUser(actor.With(t.Context(), actor.SystemActor("test")), auth.UserInput{
			Username: "clerk", DisplayName: "clerk", Password: testPassword, UnitCode: "410105"}); err != nil {
			t.Fatal(err)
		}
		other := f.client(t)
		wantNoBody(t, other.mustLogin("clerk"), `href="/apikeys"`)
		wantStatus(t, other.get("/apikeys"), http.StatusForbidden)
	})
}
