package httpx

import (
	"maps"
	"strings"
	"testing"
)

// fetchDirectives fall back to default-src when a policy leaves them out.
var fetchDirectives = []string{"script-src", "style-src", "img-src", "font-src", "connect-src", "media-src",
	"object-src", "worker-src", "manifest-src", "frame-src"}

// effective is what a policy allows: each directive's sources, with the
// fetch directives it leaves out filled in from default-src.
func effective(policy string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, sources, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = strings.TrimSpace(sources)
		}
	}
	if def, ok := out["default-src"]; ok {
		for _, f := range fetchDirectives {
			if _, set := out[f]; !set {
				out[f] = def
			}
		}
	}
	return out
}

// TestCSP checks that each policy allows exactly what the header its place
// used to write by hand allowed, and the builder's With and Allow.
func TestCSP(t *testing.T) {
	tests := []struct {
		name string
		got  CSP
		want string // the header as each place wrote it before the builder
	}{
		{"default", DefaultCSP(), "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
			"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
			"form-action 'self'; frame-ancestors 'none'"},
		{"console", ConsoleCSP(), "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
			"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"},
		{"console with tiles", ConsoleCSP().Allow("img-src", "https://*.tile.example"), "default-src 'self'; " +
			"img-src 'self' data: https://*.tile.example; style-src 'self'; script-src 'self'; frame-ancestors 'none'; " +
			"form-action 'self'; base-uri 'none'; object-src 'none'"},
		{"field", FieldCSP(), "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
			"media-src 'self' blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; " +
			"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
		{"attachment", AttachmentCSP(), "default-src 'none'; sandbox"},
	}
	for _, tt := range tests {
		if got, want := effective(tt.got.String()), effective(tt.want); !maps.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, want)
		}
	}
	if got, want := AttachmentCSP().With("frame-ancestors", None).String(), "default-src 'none'; sandbox; frame-ancestors 'none'"; got != want {
		t.Errorf("With adds a directive at the end: got %s, want %s", got, want)
	}
	base := ConsoleCSP()
	_ = base.Allow("img-src", "https://x")
	if base.String() != ConsoleCSP().String() {
		t.Errorf("Allow changed the policy it was called on: %s", base)
	}
}
