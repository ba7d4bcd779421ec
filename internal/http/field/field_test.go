package field

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// TestServing checks what a browser needs to install and run the app:
// types, the worker's scope header and version, a strict CSP, the icons.
func TestServing(t *testing.T) {
	h := New()
	tests := []struct {
		path, ctype string
		want        []string
	}{
		{"/field/", "text/html; charset=utf-8", []string{`<link rel="manifest" href="/field/manifest.webmanifest">`, `type="module"`}},
		{"/field/manifest.webmanifest", "application/manifest+json", []string{`"name": "社管通"`, `"scope": "/field/"`, `"512x512"`}},
		{"/field/sw.js", "text/javascript; charset=utf-8", []string{`"/field/js/outbox.js"`, `"/static/vendor/leaflet/leaflet.js"`}},
		{"/field/js/outbox.js", "text/javascript; charset=utf-8", []string{"Idempotency-Key"}},
		{"/field/app.css", "text/css; charset=utf-8", nil},
		{"/field/icon-192.png", "image/png", nil},
	}
	for _, tt := range tests {
		rec := get(t, h, tt.path)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != tt.ctype {
			t.Errorf("%s: got %d %q, want 200 %q", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.ctype)
		}
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q, want self only and nothing unsafe", tt.path, csp)
		}
		for _, w := range tt.want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s: body lacks %q", tt.path, w)
			}
		}
	}
	sw := get(t, h, "/field/sw.js")
	if sw.Header().Get("Service-Worker-Allowed") != "/field/" || sw.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("sw.js headers: %v", sw.Header())
	}
	if strings.Contains(sw.Body.String(), "__VERSION__") || !strings.Contains(sw.Body.String(), "gridgov-field-"+h.(*handler).version) {
		t.Errorf("sw.js is not stamped with the version")
	}
	for _, size := range iconSizes {
		img, err := png.Decode(bytes.NewReader(get(t, h, "/field/"+iconName(size)).Body.Bytes()))
		if err != nil || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("icon %d: %v %v", size, err, img)
		}
	}
	for _, p := range []string{"/field/nope.js", "/field/../go.mod", "/field/js/"} {
		if rec := get(t, h, p); rec.Code != 404 {
			t.Errorf("%s: got %d, want 404", p, rec.Code)
		}
	}
	if rec := get(t, h, "/field"); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/field/" {
		t.Errorf("/field: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/field/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: got %d, want 405", rec.Code)
	}
}

// TestNoAPICaching: the worker must never put API answers (people, ID
// numbers in query strings) into the Cache Storage.
func TestNoAPICaching(t *testing.T) {
	sw := get(t, New(), "/field/sw.js").Body.String()
	if !strings.Contains(sw, `url.pathname.startsWith("/api/")`) {
		t.Fatal("sw.js does not exclude /api/ from its cache")
	}
	_, rest, _ := strings.Cut(sw, "const SHELL = [")
	shell, _, _ := strings.Cut(rest, "];")
	if !strings.Contains(shell, `"/field/js/app.js"`) || strings.Contains(shell, "/api/") {
		t.Errorf("sw.js shell list: %s, want the app's files and no API URL", shell)
	}
}
