// Package field serves 社管通, the grid workers' offline-capable field app,
// at /field/: an installable PWA (manifest, icons, service worker) made of
// plain ES modules embedded in the binary, with no build step. The app talks
// to the JSON API under /api/v1 only; this package serves static files.
package field

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"gridgov/internal/http/httpx"
	"gridgov/internal/i18n"
)

// Prefix is where the field app is mounted.
const Prefix = "/field/"

//go:embed static
var staticFS embed.FS

// shellAssets are the console's vendored files the app uses; the service
// worker caches them with the app shell.
var shellAssets = []string{"/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css"}

// handler serves the embedded app.
type handler struct {
	files   map[string][]byte // path below /field/ → content
	version string
	mod     time.Time
}

// New returns the handler for /field/ (it expects the full path, with the
// prefix). Every file is read and the service worker is stamped with a
// version (a hash of all the files) once here, so a new binary with a
// changed app gets a new cache name and the old cache is dropped.
func New() http.Handler {
	h := &handler{files: map[string][]byte{}, mod: time.Now()}
	sum := sha256.New()
	var names []string
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		h.files[name] = b
		names = append(names, name)
		return nil
	})
	// The app's messages come from the one catalogue; the module is part
	// of the app (and of its version), like the files.
	msgs, err := i18n.JSModule("field")
	if err != nil {
		panic(err) // the catalogue is embedded: a broken one is a build error, caught by the tests
	}
	h.files["js/messages.js"] = msgs
	names = append(names, "js/messages.js")
	sort.Strings(names)
	for _, n := range names {
		sum.Write([]byte(n))
		sum.Write(h.files[n])
	}
	for _, size := range iconSizes {
		png := Icon(size)
		name := iconName(size)
		h.files[name] = png
		names = append(names, name)
	}
	h.version = hex.EncodeToString(sum.Sum(nil))[:12]
	h.files["sw.js"] = h.serviceWorker(names)
	return h
}

// serviceWorker stamps the worker template with the cache version and the
// list of shell files to precache.
func (h *handler) serviceWorker(names []string) []byte {
	shell := []string{Prefix}
	for _, n := range names {
		if n == "sw.js" || n == "index.html" {
			continue
		}
		shell = append(shell, Prefix+n)
	}
	shell = append(shell, shellAssets...)
	var list bytes.Buffer
	for i, s := range shell {
		if i > 0 {
			list.WriteString(",\n  ")
		}
		list.WriteString(`"` + s + `"`)
	}
	b := h.files["sw.js"]
	b = bytes.ReplaceAll(b, []byte("__VERSION__"), []byte(h.version))
	return bytes.ReplaceAll(b, []byte(`"__SHELL__"`), list.Bytes())
}

// ServeHTTP answers GET and HEAD for the app's files; "/field" redirects
// to "/field/", which is the app's page.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == "/field" {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	if name == "" {
		name = "index.html"
	}
	b, ok := h.files[name]
	if !ok || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	httpx.FieldCSP().Set(hd)
	// The global header denies the camera and microphone to pages; the
	// field app records photos, voice and video and needs the location.
	hd.Set("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(self), payment=()")
	hd.Set("Content-Type", contentType(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	// Always revalidate (the ETag is the app version): the service worker
	// is what keeps the app offline, not the HTTP cache, and a stale sw.js
	// would keep phones on an old app.
	hd.Set("Cache-Control", "no-cache")
	if name == "sw.js" {
		hd.Set("Service-Worker-Allowed", Prefix)
	}
	hd.Set("ETag", `"`+h.version+`"`)
	http.ServeContent(w, r, path.Base(name), h.mod, bytes.NewReader(b))
}

// contentType names the type of an app file by its extension.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".webmanifest":
		return "application/manifest+json"
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
