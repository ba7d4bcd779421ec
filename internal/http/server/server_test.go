package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gridgov/internal/apptest"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func newServer(t *testing.T, d *db.DB) *httptest.Server {
	t.Helper()
	a := apptest.New(t, d, apptest.Options{Clock: clock.System{}})
	srv := httptest.NewServer(New(a, Options{}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, method, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	return request(t, method, url, nil, header)
}

// request sends one request with an optional body, without following
// redirects, and returns the response and its body.
func request(t *testing.T, method, url string, body io.Reader, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestRouting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newServer(t, d)
		tests := []struct {
			name, method, path string
			wantStatus         int
			wantBody           string
		}{
			{"health", "GET", "/healthz", 200, `{"status":"ok"}`},
			{"openapi", "GET", "/api/v1/openapi.json", 200, `"openapi": "3.0.3"`},
			{"api needs a token", "GET", "/api/v1/org/units/410100", 401, `"code":"unauthenticated"`},
			{"unknown api path is JSON", "GET", "/api/v2/anything", 404, `"code":"not_found"`},
			{"trace refused", "TRACE", "/", 405, ""},
			{"no debug endpoints", "GET", "/debug/pprof/", 0, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, body := get(t, tt.method, srv.URL+tt.path, nil)
				if tt.wantStatus == 0 {
					if res.StatusCode == 200 && strings.Contains(body, "pprof") {
						t.Errorf("got a debug page: %d", res.StatusCode)
					}
					return
				}
				if res.StatusCode != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
					t.Errorf("got %d %q, want %d containing %q", res.StatusCode, body, tt.wantStatus, tt.wantBody)
				}
			})
		}
	})
}

func TestConsoleIsMounted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newServer(t, d)
		res, body := get(t, "GET", srv.URL+"/login", nil)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET /login: got %d %s %.80q, want the console's HTML login page", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
	})
}

func TestMiddleware(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newServer(t, d)
		res, _ := get(t, "GET", srv.URL+"/healthz", map[string]string{"X-Request-ID": "trace-42"})
		if got := res.Header.Get("X-Request-ID"); got != "trace-42" {
			t.Errorf("X-Request-ID: got %q, want the caller's trace-42", got)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "no-referrer"} {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s: got %q, want %q", k, got, v)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("CSP: got %q", csp)
		}
		res, body := get(t, "GET", srv.URL+"/api/v1/me", nil)
		var e struct {
			Error struct {
				RequestID string `json:"request_id"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.RequestID != res.Header.Get("X-Request-ID") {
			t.Errorf("error request_id: got %q (header %q)", body, res.Header.Get("X-Request-ID"))
		}
	})
}

func TestHealthzDatabaseDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		srv := newServer(t, d)
		d.Close()
		res, body := get(t, "GET", srv.URL+"/healthz", nil)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"code":"unavailable"`) {
			t.Errorf("got %d %s, want 503 unavailable", res.StatusCode, body)
		}
	})
}
