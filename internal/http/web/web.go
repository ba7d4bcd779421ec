// Package web serves the console: server-rendered pages in Chinese (default)
// and English for the organisation, accounts and the audit log.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"gridgov/internal/app"
	"gridgov/internal/http/httpx"
)

//go:embed templates/*.html
var content embed.FS

//go:embed static
var staticFS embed.FS

// server is the console: its services, the parsed templates per language
// and the time zone pages show times in.
type server struct {
	*app.App
	// locator answers point → grid for the map's "what is here".
	locator GridLocator
	// units draws unit outlines on the map (the atlas service).
	units UnitOutlines
	tmpl  map[string]map[string]*pageTemplate // lang → page → template
	cat   catalogues
	loc   *time.Location
}

// New returns the console handler over the app's services, to be mounted
// at "/"; pages never reach a store. It panics if the embedded templates or
// catalogues are broken, which a test catches.
func New(services *app.App) http.Handler {
	s := &server{App: services, locator: services.Locator, units: atlasUnits{services.Geo}, loc: shanghai()}
	cat, err := loadCatalogues()
	if err != nil {
		panic(err)
	}
	s.cat = cat
	if s.tmpl, err = parseTemplates(content, cat, s.loc); err != nil {
		panic(err)
	}
	return s.routes()
}

// shanghai returns Asia/Shanghai, which has had no daylight saving since
// 1991, so a fixed +08:00 zone is exact when tzdata is absent.
func shanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))

	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		b, _ := fs.ReadFile(staticFS, "static/favicon.svg")
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /lang", s.setLang)
	mux.Handle("POST /logout", s.page(s.logout))

	mux.Handle("GET /{$}", s.page(s.home))
	mux.Handle("GET /org/{code}", s.page(s.orgPage))
	mux.Handle("POST /org/{code}", s.page(s.updateUnit))
	mux.Handle("POST /org/{code}/delete", s.page(s.deleteUnit))
	mux.Handle("POST /org/{code}/units", s.page(s.createUnit))
	mux.Handle("POST /org/{code}/grids", s.page(s.createGrid))
	mux.Handle("POST /org/{code}/staff", s.page(s.createStaff))

	mux.Handle("GET /grids/{code}", s.page(s.gridPage))
	mux.Handle("POST /grids/{code}", s.page(s.updateGrid))
	mux.Handle("POST /grids/{code}/delete", s.page(s.deleteGrid))
	mux.Handle("GET /staff/{id}", s.page(s.staffPage))
	mux.Handle("POST /staff/{id}", s.page(s.updateStaff))

	mux.Handle("GET /users", s.page(s.usersPage))
	mux.Handle("GET /users/new", s.page(s.newUserForm))
	mux.Handle("POST /users", s.page(s.createUser))
	mux.Handle("GET /users/{id}", s.page(s.userPage))
	mux.Handle("POST /users/{id}/grants", s.page(s.addGrant))
	mux.Handle("POST /users/{id}/grants/{gid}/delete", s.page(s.removeGrant))
	mux.Handle("POST /users/{id}/state", s.page(s.setUserState))
	mux.Handle("POST /users/{id}/password", s.page(s.resetPassword))

	mux.Handle("GET /roles", s.page(s.rolesPage))
	mux.Handle("GET /roles/new", s.page(s.newRoleForm))
	mux.Handle("POST /roles", s.page(s.createRole))
	mux.Handle("GET /roles/{name}", s.page(s.rolePage))
	mux.Handle("POST /roles/{name}", s.page(s.updateRole))
	mux.Handle("POST /roles/{name}/delete", s.page(s.deleteRole))

	mux.Handle("GET /audit", s.page(s.auditPage))
	mux.Handle("POST /audit/verify", s.page(s.verifyAudit))

	s.caseRoutes(mux)
	s.mapRoutes(mux)
	s.meetingRoutes(mux)
	if s.Registry != nil {
		s.registryRoutes(mux)
		s.securityRoutes(mux)
	}

	if s.Jobs != nil {
		s.jobRoutes(mux)
	}
	if s.Citizen != nil {
		s.apikeyRoutes(mux)
		s.moderationRoutes(mux)
	}

	mux.Handle("GET /me/password", s.page(s.passwordForm))
	mux.Handle("POST /me/password", s.page(s.changePassword))

	mux.Handle("/", s.page(func(http.ResponseWriter, *http.Request) error { return errNotFound() }))
	return s.withMeta(securityHeaders(limitBody(mux)))
}

// maxBody bounds a form post; the largest is a grid with its boundary.
// maxUploadBody bounds a multipart post carrying photos of a case step.
const (
	maxBody       = 4 << 20
	maxUploadBody = 64 << 20
)

// limitBody stops a client from making the server read an endless body.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := int64(maxBody)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = maxUploadBody
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}

// cacheStatic lets browsers keep the embedded assets for a day (they change
// only with a new binary) and lists no directories.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders keeps pages out of frames and other origins' scripts out
// of pages: everything the console needs is served from itself.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		httpx.ConsoleCSP().Set(hd)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		// Not no-referrer: under it browsers send "Origin: null" with form
		// posts, and the CSRF origin check would refuse every form.
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
