package api

import (
	"net/http"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestAPIKeysAndModerationRoutes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cit := f.app.Citizen
		f.createUser("clerk", "410105001", "")
		admin, clerk := f.login("admin"), f.login("clerk")

		if res := f.do("POST", "/api/v1/apikeys", clerk, map[string]string{"name": "x"}); res.status != http.StatusForbidden {
			t.Fatalf("create without apikey.manage: %d %s", res.status, res.body)
		}
		if res := f.do("POST", "/api/v1/apikeys", admin, map[string]string{"name": " "}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("create without name: %d %s", res.status, res.body)
		}
		res := f.do("POST", "/api/v1/apikeys", admin, map[string]string{"name": "FixMyStreet"})
		if res.status != http.StatusCreated || res.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var k struct {
			ID     int64  `json:"id"`
			Prefix string `json:"prefix"`
			Key    string `json:"key"`
		}
		res.json(t, &k)
		if k.ID == 0 || !strings.HasPrefix(k.Key, k.Prefix) || len(k.Key) < 30 {
			t.Fatalf("created key %s", res.body)
		}
		res = f.do("GET", "/api/v1/apikeys", admin, nil)
		if res.status != http.StatusOK || strings.Contains(string(res.body), k.Key) || !strings.Contains(string(res.body), "FixMyStreet") {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		if res := f.do("DELETE", "/api/v1/apikeys/1", admin, nil); res.status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", res.status, res.body)
		}
		if _, ok, _ := cit.CheckKey(f.sys, k.Key); ok {
			t.Fatal("revoked key still valid")
		}
		if res := f.do("DELETE", "/api/v1/apikeys/77", admin, nil); res.status != http.StatusNotFound {
			t.Fatalf("revoke unknown: %d", res.status)
		}
		// Moderation of a case that is no citizen report.
		res = f.do("PUT", "/api/v1/cases/5/moderation", admin, map[string]any{"hide_text": true})
		if res.status != http.StatusNotFound {
			t.Fatalf("moderate unknown: %d %s", res.status, res.body)
		}
	})
}
