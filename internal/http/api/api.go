// Package api serves the JSON API under /api/v1/: thin handlers that decode
// and check the shape of a request, call a service as the authenticated
// actor, and write the result or the error.
package api

import (
	"context"
	"gridgov/internal/registry"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/blob"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/http/httpx"
	"gridgov/internal/idem"
	"gridgov/internal/org"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Deps are the services the API calls.
type Deps struct {
	Org    *org.Service
	Auth   *auth.Service
	Audit  *audit.Log
	Logger *slog.Logger
	// LoginRetryAfter is sent as Retry-After when an address has made too
	// many failed logins; it defaults to the lockout failure window.
	LoginRetryAfter time.Duration
	// Calendar answers deadlines and imports holiday calendars.
	Calendar *calendar.Service
	// Cases runs the case loop.
	Cases *cases.Service
	// Blobs stores and serves attachments.
	Blobs *blob.Service
	// Registry keeps the base data; nil leaves its routes out.
	Registry *registry.Service
	// Groups keeps code tables, group memberships and visits; nil leaves
	// their routes out.
	Groups *groups.Service
	// Places keeps houses, organisations, components and rosters; nil
	// leaves their routes out.
	Places *places.Service
	// Geo serves boundaries, coverage, geofences and point → grid; nil
	// leaves its routes out.
	Geo *atlas.Service
	// Idempotency keeps the answers of the writes the field app replays
	// (case transitions, visits, verifications) under their
	// Idempotency-Key; nil leaves those writes without replay.
	Idempotency *idem.Service
	// Citizen is the citizen intake: Open311 API keys and moderation of
	// citizen reports; nil makes those routes answer not_found.
	Citizen *citizen.Service
}

// handlerFunc is an API handler: it writes a response or returns an error
// for the caller to write.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one endpoint. Public routes need no bearer token.
type route struct {
	Method  string
	Path    string // below Prefix, in ServeMux pattern syntax
	Public  bool
	Handler handlerFunc
}

type api struct {
	Deps
}

// New returns the API handler, to be mounted at "/api/" (it expects the
// full path, with the prefix); any unknown path below /api/ is a JSON 404.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.LoginRetryAfter <= 0 {
		d.LoginRetryAfter = auth.DefaultOptions().FailureWindow
	}
	a := &api{Deps: d}
	mux := http.NewServeMux()
	allow := map[string][]string{}
	for _, rt := range a.routes() {
		mux.Handle(rt.Method+" "+Prefix+rt.Path, a.wrap(rt))
		allow[rt.Path] = append(allow[rt.Path], rt.Method)
	}
	for path, methods := range allow {
		// One fallback per other method (not one method-less pattern, which
		// would conflict with a sibling such as GET /people/{id} beside
		// POST /people/assign-grid).
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !slices.Contains(methods, m) {
				mux.Handle(m+" "+Prefix+path, methodNotAllowed(methods))
			}
		}
	}
	mux.Handle("/api/", handle(func(w http.ResponseWriter, r *http.Request) error {
		return apperr.New(apperr.NotFound, "not found")
	}))
	return mux
}

// routes lists every endpoint; the OpenAPI test checks the document against it.
func (a *api) routes() []route {
	var rs []route
	rs = append(rs, a.authRoutes()...)
	rs = append(rs, a.orgRoutes()...)
	rs = append(rs, a.gridRoutes()...)
	rs = append(rs, a.staffRoutes()...)
	rs = append(rs, a.userRoutes()...)
	rs = append(rs, a.roleRoutes()...)
	rs = append(rs, a.auditRoutes()...)
	rs = append(rs, a.calendarRoutes()...)
	rs = append(rs, a.casesRoutes()...)
	rs = append(rs, a.noticeRoutes()...)
	rs = append(rs, a.attachmentRoutes()...)
	rs = append(rs, a.uploadRoutes()...)
	if a.Registry != nil {
		rs = append(rs, a.peopleRoutes()...)
		rs = append(rs, a.groupRoutes()...)
		rs = append(rs, a.importRoutes()...)
		rs = append(rs, a.exportRoutes()...)
		rs = append(rs, a.securityRoutes()...)
	}
	if a.Places != nil {
		rs = append(rs, a.placeRoutes()...)
	}
	if a.Geo != nil {
		rs = append(rs, a.geoRoutes()...)
	}
	rs = append(rs, a.meetingRoutes()...)
	rs = append(rs, a.citizenRoutes()...)
	rs = append(rs, route{Method: "GET", Path: "/openapi.json", Public: true, Handler: serveOpenAPI})
	return rs
}

func handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}

// wrap authenticates non-public routes before calling the handler.
func (a *api) wrap(rt route) http.Handler {
	if rt.Public {
		return handle(rt.Handler)
	}
	h := rt.Handler
	if replayable(rt.Method, rt.Path) {
		h = a.idempotent(h)
	}
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		ctx, err := a.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(ctx))
	})
}

func methodNotAllowed(methods []string) http.Handler {
	sort.Strings(methods)
	allow := strings.Join(methods, ", ")
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", allow)
		return apperr.Newf(httpx.MethodNotAllowed, "method %s not allowed; use %s", r.Method, allow)
	})
}

type sessionKey struct{}

// authenticated is what the bearer middleware learned about a request.
type authenticated struct {
	token   string
	session auth.Session
}

// authenticate turns "Authorization: Bearer <token>" into an actor in the
// returned context.
func (a *api) authenticate(r *http.Request) (context.Context, error) {
	token, ok := bearerToken(r)
	if !ok {
		return nil, apperr.New(apperr.Unauthenticated, "authentication required: send Authorization: Bearer <token>")
	}
	act, sess, err := a.Auth.Authenticate(r.Context(), token, auth.KindAPI)
	if err != nil {
		return nil, err
	}
	httpx.NoteUser(r.Context(), act.Username)
	ctx := actor.With(r.Context(), act)
	return context.WithValue(ctx, sessionKey{}, authenticated{token: token, session: sess}), nil
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func sessionFrom(ctx context.Context) authenticated {
	s, _ := ctx.Value(sessionKey{}).(authenticated)
	return s
}

// list is the shape of every list response.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

func ok(w http.ResponseWriter, v any) error {
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func created(w http.ResponseWriter, v any) error {
	httpx.WriteJSON(w, http.StatusCreated, v)
	return nil
}

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}
