package api

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestRequestErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok := f.login("admin")
		tests := []struct {
			name, method, path, token, contentType, body string
			wantStatus                                   int
			wantCode, wantField                          string
		}{
			{"no token", "GET", "/api/v1/org/units/410100", "", "", "", 401, "unauthenticated", ""},
			{"bad token", "GET", "/api/v1/org/units/410100", "not-a-token", "", "", 401, "unauthenticated", ""},
			{"bad json", "POST", "/api/v1/org/units", tok, "application/json", `{"code":`, 400, "bad_request", ""},
			{"bad json syntax", "POST", "/api/v1/org/units", tok, "application/json", `{code:1}`, 400, "bad_request", ""},
			{"unknown field", "POST", "/api/v1/org/units", tok, "application/json",
				`{"code":"410105001003","name":"x","path":"/410100/"}`, 422, "invalid", "path"},
			{"wrong type", "POST", "/api/v1/org/units", tok, "application/json", `{"code":410105001003}`, 422, "invalid", "code"},
			{"wrong content type", "POST", "/api/v1/org/units", tok, "text/plain", `{"code":"x"}`, 415, "unsupported_media_type", ""},
			{"login without password", "POST", "/api/v1/auth/login", "", "application/json", `{"username":"admin"}`, 422, "invalid", "password"},
			{"login unknown field", "POST", "/api/v1/auth/login", "", "application/json",
				`{"username":"admin","password":"x","remember":true}`, 422, "invalid", "remember"},
			{"non-numeric staff id", "GET", "/api/v1/staff/abc", tok, "", "", 404, "not_found", ""},
			{"non-numeric user id", "GET", "/api/v1/users/1x", tok, "", "", 404, "not_found", ""},
			{"missing user", "GET", "/api/v1/users/999999", tok, "", "", 404, "not_found", ""},
			{"bad limit", "GET", "/api/v1/org/units?limit=many", tok, "", "", 422, "invalid", "limit"},
			{"bad level", "GET", "/api/v1/org/units?level=province", tok, "", "", 422, "invalid", "level"},
			{"bad grid level", "GET", "/api/v1/grids?level=4", tok, "", "", 422, "invalid", "level"},
			{"bad team", "GET", "/api/v1/staff?team=police", tok, "", "", 422, "invalid", "team"},
			{"bad audit date", "GET", "/api/v1/audit?from=yesterday", tok, "", "", 422, "invalid", "from"},
			{"unknown endpoint", "GET", "/api/v1/nothing/here", tok, "", "", 404, "not_found", ""},
			{"method not allowed", "PUT", "/api/v1/org/units", tok, "", "", 405, "method_not_allowed", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequest(tt.method, f.srv.URL+tt.path, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.contentType != "" {
					req.Header.Set("Content-Type", tt.contentType)
				}
				if tt.token != "" {
					req.Header.Set("Authorization", "Bearer "+tt.token)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				r := response{status: res.StatusCode, header: res.Header}
				r.body = readAll(t, res)
				if r.status != tt.wantStatus {
					t.Fatalf("status: got %d %s, want %d", r.status, r.body, tt.wantStatus)
				}
				e := r.errorBody(t)
				if string(e.Code) != tt.wantCode || e.Message == "" || e.RequestID == "" {
					t.Errorf("error: got %+v, want code %s with a message and request id", e, tt.wantCode)
				}
				if tt.wantField != "" && e.Fields[tt.wantField] == "" {
					t.Errorf("fields: got %v, want %q named", e.Fields, tt.wantField)
				}
				if tt.wantStatus == 401 && res.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("401 without WWW-Authenticate")
				}
				if tt.wantStatus == 405 && res.Header.Get("Allow") != "GET, POST" {
					t.Errorf("Allow: got %q, want %q", res.Header.Get("Allow"), "GET, POST")
				}
			})
		}
	})
}

func TestSessionEnds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		t.Run("idle timeout", func(t *testing.T) {
			tok := f.login("admin-410105")
			if r := f.do("GET", "/api/v1/me", tok, nil); r.status != 200 {
				t.Fatalf("me: got %d %s, want 200", r.status, r.body)
			}
			f.clock.Advance(31 * time.Minute)
			r := f.do("GET", "/api/v1/me", tok, nil)
			if r.status != 401 || r.errorBody(t).Reason != "session_expired" {
				t.Errorf("after 31 idle minutes: got %d %s, want 401 session_expired", r.status, r.body)
			}
		})
		t.Run("logout", func(t *testing.T) {
			tok := f.login("admin-410105")
			if r := f.do("POST", "/api/v1/auth/logout", tok, nil); r.status != 204 {
				t.Fatalf("logout: got %d %s, want 204", r.status, r.body)
			}
			if r := f.do("GET", "/api/v1/me", tok, nil); r.status != 401 {
				t.Errorf("after logout: got %d, want 401", r.status)
			}
		})
		t.Run("me", func(t *testing.T) {
			tok := f.login("admin-410105")
			var me meResponse
			r := f.do("GET", "/api/v1/me", tok, nil)
			r.json(t, &me)
			if me.User.Username != "admin-410105" || me.Kind != "api" || len(me.Grants) != 1 ||
				me.Grants[0].ScopeCode != "410105" || len(me.Grants[0].Permissions) == 0 {
				t.Errorf("me: got %s", r.body)
			}
		})
		t.Run("own password", func(t *testing.T) {
			tok := f.login("admin-410102")
			const next = "Ty5%nBv8cXz3"
			r := f.do("POST", "/api/v1/me/password", tok, map[string]string{"old_password": "wrong", "new_password": next})
			if r.status < 400 || r.status == 500 {
				t.Fatalf("wrong old password: got %d %s, want a 4xx", r.status, r.body)
			}
			r = f.do("POST", "/api/v1/me/password", tok, map[string]string{"old_password": testPassword, "new_password": next})
			if r.status != 204 {
				t.Fatalf("change: got %d %s, want 204", r.status, r.body)
			}
			r = f.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin-410102", "password": next})
			if r.status != 200 {
				t.Errorf("login with the new password: got %d %s, want 200", r.status, r.body)
			}
		})
	})
}

func TestLoginPerAddressLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var last response
		for i := 1; i <= 21; i++ {
			// Different names, so no account lockout gets in the way.
			last = f.do("POST", "/api/v1/auth/login", "", map[string]string{
				"username": fmt.Sprintf("nobody-%d", i), "password": "Wrong-Passw0rd!"})
			if i <= 20 && last.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: got %d %s, want 401", i, last.status, last.body)
			}
		}
		if last.status != http.StatusTooManyRequests {
			t.Fatalf("21st failure: got %d %s, want 429", last.status, last.body)
		}
		if ra := last.header.Get("Retry-After"); ra != "900" {
			t.Errorf("Retry-After: got %q, want 900", ra)
		}
	})
}

func readAll(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
