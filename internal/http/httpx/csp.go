package httpx

import (
	"net/http"
	"strings"
)

// CSP is a Content-Security-Policy: directives in order, each a name and
// its sources. Every response's policy is built here, from one of the
// policies below, so that what a page may load is decided in one file.
type CSP []Directive

// Directive is one directive of a policy, such as img-src 'self' data:.
type Directive struct {
	Name    string
	Sources []string
}

// Sources that need quoting in a policy.
const (
	Self   = "'self'"
	None   = "'none'"
	Inline = "'unsafe-inline'"
)

// String renders the policy as its header value.
func (c CSP) String() string {
	parts := make([]string, len(c))
	for i, d := range c {
		parts[i] = strings.TrimSpace(d.Name + " " + strings.Join(d.Sources, " "))
	}
	return strings.Join(parts, "; ")
}

// With returns a copy of the policy with directive name's sources replaced
// (or the directive added at the end).
func (c CSP) With(name string, sources ...string) CSP {
	out := make(CSP, len(c), len(c)+1)
	copy(out, c)
	for i, d := range out {
		if d.Name == name {
			out[i] = Directive{Name: name, Sources: sources}
			return out
		}
	}
	return append(out, Directive{Name: name, Sources: sources})
}

// Allow returns a copy of the policy with more sources for directive name.
func (c CSP) Allow(name string, sources ...string) CSP {
	for _, d := range c {
		if d.Name == name {
			return c.With(name, append(append([]string{}, d.Sources...), sources...)...)
		}
	}
	return c.With(name, sources...)
}

// Set puts the policy on a response.
func (c CSP) Set(h http.Header) { h.Set("Content-Security-Policy", c.String()) }

// DefaultCSP is the policy of every response (the API, the portal, files):
// only this origin (no CDNs); inline styles are allowed because htmx and
// the portal set style attributes, inline scripts are not.
func DefaultCSP() CSP {
	return CSP{
		{"default-src", []string{Self}},
		{"script-src", []string{Self}},
		{"style-src", []string{Self, Inline}},
		{"img-src", []string{Self, "data:", "blob:"}},
		{"font-src", []string{Self}},
		{"connect-src", []string{Self}},
		{"object-src", []string{None}},
		{"base-uri", []string{Self}},
		{"form-action", []string{Self}},
		{"frame-ancestors", []string{None}},
	}
}

// ConsoleCSP is the console's policy: the default without inline styles,
// blob: images or a base URI; a page that shows map tiles allows their
// host with Allow("img-src", host).
func ConsoleCSP() CSP {
	return DefaultCSP().With("style-src", Self).With("img-src", Self, "data:").With("base-uri", None)
}

// FieldCSP is the field app's policy. Styles are files too (no inline
// style attributes in the markup; Leaflet sets element.style through the
// CSSOM, which style-src does not govern). Photos and recordings the user
// just captured are shown from blob: URLs before they are uploaded; the
// service worker and the manifest come from this origin.
func FieldCSP() CSP {
	return DefaultCSP().With("style-src", Self).With("media-src", Self, "blob:").
		With("worker-src", Self).With("manifest-src", Self)
}

// AttachmentCSP is the policy of a served attachment: it may load nothing
// and runs sandboxed, so an uploaded HTML or SVG file cannot script.
func AttachmentCSP() CSP {
	return CSP{{"default-src", []string{None}}, {"sandbox", nil}}
}
