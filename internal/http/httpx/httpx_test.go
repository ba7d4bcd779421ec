package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
)

type sample struct {
	Name  string   `json:"name"`
	Level int      `json:"level"`
	Tags  []string `json:"tags"`
	Inner struct {
		On bool `json:"on"`
	} `json:"inner"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantCode    apperr.Code
		wantField   string
		wantInMsg   string
	}{
		{"ok", "application/json", `{"name":"金水区","level":2}`, "", "", ""},
		{"ok with charset", "application/json; charset=utf-8", `{"name":"x"}`, "", "", ""},
		{"wrong content type", "text/plain", `{"name":"x"}`, UnsupportedMediaType, "", "application/json"},
		{"no content type", "", `{"name":"x"}`, UnsupportedMediaType, "", ""},
		{"form", "application/x-www-form-urlencoded", `name=x`, UnsupportedMediaType, "", ""},
		{"empty", "application/json", ``, apperr.BadRequest, "", "empty"},
		{"malformed", "application/json", `{"name":}`, apperr.BadRequest, "", "offset 9"},
		{"truncated", "application/json", `{"name":"x"`, apperr.BadRequest, "", "unexpected end"},
		{"trailing data", "application/json", `{"name":"x"} {"name":"y"}`, apperr.BadRequest, "", "after the JSON value"},
		{"unknown field", "application/json", `{"name":"x","owner_path":"/1/"}`, apperr.Invalid, "owner_path", "unknown"},
		{"wrong type", "application/json", `{"level":"two"}`, apperr.Invalid, "level", "integer"},
		{"wrong nested type", "application/json", `{"inner":{"on":"yes"}}`, apperr.Invalid, "inner.on", "true or false"},
		{"wrong array type", "application/json", `{"tags":"a"}`, apperr.Invalid, "tags", "array"},
		{"not an object", "application/json", `[1,2]`, apperr.BadRequest, "", "object"},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", MaxBody) + `"}`, TooLarge, "", "larger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/x", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			var v sample
			err := DecodeJSON(httptest.NewRecorder(), r, &v)
			if got := apperr.CodeOf(err); got != tt.wantCode {
				t.Fatalf("code: got %q (%v), want %q", got, err, tt.wantCode)
			}
			if err == nil {
				return
			}
			e := apperr.As(err)
			if tt.wantField != "" && e.Fields[tt.wantField] == "" {
				t.Errorf("fields: got %v, want the field %q named", e.Fields, tt.wantField)
			}
			msg := e.Message + " " + strings.Join(mapValues(e.Fields), " ")
			if !strings.Contains(msg, tt.wantInMsg) {
				t.Errorf("message: got %q, want it to contain %q", msg, tt.wantInMsg)
			}
		})
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantMsg    string
		wantLogged bool
	}{
		{"invalid", apperr.Field("name", "required"), 422, "name: required", false},
		{"not found is generic", apperr.NotFoundf("unit %s not found", "410199"), 404, "not found", false},
		{"locked", apperr.New(apperr.Locked, "account locked").WithReason("account_locked"), 423, "account locked", false},
		{"internal hides cause", apperr.Wrap(errors.New("pq: secret table"), "load unit"), 500, "internal error", true},
		{"plain error is internal", errors.New("boom"), 500, "internal error", true},
		{"unsupported media type", apperr.New(UnsupportedMediaType, "json please"), 415, "json please", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logBuf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logBuf, nil))
			h := WithErrorLogger(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				WriteError(w, r, tt.err)
			}))
			rec := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/x", nil)
			r = r.WithContext(actor.WithMeta(r.Context(), actor.Meta{RequestID: "req-1"}))
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type: got %q", ct)
			}
			var body ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if body.Error.Message != tt.wantMsg || body.Error.RequestID != "req-1" {
				t.Errorf("body: got %+v, want message %q and request id req-1", body.Error, tt.wantMsg)
			}
			if strings.Contains(rec.Body.String(), "secret table") {
				t.Errorf("body leaks the cause: %s", rec.Body.String())
			}
			if got := strings.Contains(logBuf.String(), "level=ERROR"); got != tt.wantLogged {
				t.Errorf("logged at error level: got %v, want %v (log %q)", got, tt.wantLogged, logBuf.String())
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	proxies, err := ParsePrefixes("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		remote  string
		xff     string
		trusted bool
		want    string
	}{
		{"peer only", "203.0.113.5:4000", "", true, "203.0.113.5"},
		{"untrusted peer ignores xff", "203.0.113.5:4000", "1.2.3.4", true, "203.0.113.5"},
		{"no proxies configured ignores xff", "127.0.0.1:4000", "1.2.3.4", false, "127.0.0.1"},
		{"trusted proxy", "127.0.0.1:4000", "1.2.3.4", true, "1.2.3.4"},
		{"forged left entry is ignored", "127.0.0.1:4000", "6.6.6.6, 1.2.3.4", true, "1.2.3.4"},
		{"chain of proxies", "127.0.0.1:4000", "1.2.3.4, 10.1.1.1", true, "1.2.3.4"},
		{"garbage xff stops", "127.0.0.1:4000", "1.2.3.4, nonsense", true, "127.0.0.1"},
		{"ipv6 peer", "[2001:db8::1]:443", "", true, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			var ps = proxies
			if !tt.trusted {
				ps = nil
			}
			if got := ClientIP(r, ps); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMetaRequestID(t *testing.T) {
	tests := []struct {
		name, in string
		keep     bool
	}{
		{"sane id kept", "abc-123_X.y", true},
		{"missing id generated", "", false},
		{"id with spaces replaced", "abc 123", false},
		{"log injection replaced", "a\nlevel=ERROR", false},
		{"too long replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen actor.Meta
			h := Meta(Options{}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = actor.MetaFrom(r.Context())
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "192.0.2.7:1234"
			r.Header.Set("User-Agent", "test-agent")
			if tt.in != "" {
				r.Header["X-Request-Id"] = []string{tt.in}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			echoed := rec.Header().Get("X-Request-ID")
			if echoed != seen.RequestID || echoed == "" {
				t.Fatalf("echoed %q, context %q: want the same non-empty id", echoed, seen.RequestID)
			}
			if got := echoed == tt.in; got != tt.keep {
				t.Errorf("kept caller's id: got %v, want %v (id %q)", got, tt.keep, echoed)
			}
			if seen.IP != "192.0.2.7" || seen.UserAgent != "test-agent" {
				t.Errorf("meta: got %+v", seen)
			}
		})
	}
}

func TestRecoverAndHeaders(t *testing.T) {
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	h := Meta(Options{}, SecurityHeaders(Recover(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("kaboom")
	}))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 {
		t.Fatalf("status: got %d, want 500", rec.Code)
	}
	var body ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != apperr.Internal || body.Error.RequestID == "" || strings.Contains(rec.Body.String(), "kaboom") {
		t.Errorf("body: got %s, want a generic internal error with a request id", rec.Body.String())
	}
	if !strings.Contains(logBuf.String(), "kaboom") || !strings.Contains(logBuf.String(), "goroutine") {
		t.Errorf("log: got %q, want the panic and its stack", logBuf.String())
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	csp := rec.Header().Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "http") {
		t.Errorf("CSP: got %q, want frame-ancestors 'none' and no third-party origin", csp)
	}
}

func TestAccessLogOmitsSecrets(t *testing.T) {
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	h := Meta(Options{}, AccessLog(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		NoteUser(r.Context(), "admin-410105")
		w.WriteHeader(http.StatusTeapot)
	})))
	r := httptest.NewRequest("GET", "/api/v1/users?q=13800138000&token=s3cret", nil)
	r.Header.Set("Authorization", "Bearer tok-abcdef")
	h.ServeHTTP(httptest.NewRecorder(), r)
	line := logBuf.String()
	for _, secret := range []string{"s3cret", "tok-abcdef", "13800138000"} {
		if strings.Contains(line, secret) {
			t.Errorf("access log contains %q: %s", secret, line)
		}
	}
	for _, want := range []string{"path=/api/v1/users", "status=418", "user=admin-410105", "request_id="} {
		if !strings.Contains(line, want) {
			t.Errorf("access log: got %q, want it to contain %q", line, want)
		}
	}
}
