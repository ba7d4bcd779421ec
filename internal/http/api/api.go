// Package api serves the JSON API under /api/v1/: thin handlers that decode
// and check the shape of a request, call a service as the authenticated
// actor, and write the result or the error.
package api

import (
	"context"
	"gridgov/internal/app"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
)

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

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

// api serves the JSON API over the services of the app.
type api struct {
	*app.App
	// loginRetryAfter is sent as Retry-After when an address has made too
	// many failed logins: the lockout failure window.
	loginRetryAfter time.Duration
}

// New returns the API handler over the app's services, to be mounted at
// "/api/" (it expects the full path, with the prefix); any unknown path
// below /api/ is a JSON 404.
func New(services *app.App) http.Handler {
	a := &api{App: services, loginRetryAfter: auth.DefaultOptions().FailureWindow}
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
	rs = append(rs, a.peopleRoutes()...)
	rs = append(rs, a.groupRoutes()...)
	rs = append(rs, a.importRoutes()...)
	rs = append(rs, a.exportRoutes()...)
	rs = append(rs, a.securityRoutes()...)
	rs = append(rs, a.placeRoutes()...)
	rs = append(rs, a.geoRoutes()...)
	rs = append(rs, a.meetingRoutes()...)
	rs = append(rs, a.citizenRoutes()...)
	rs = append(rs, a.jobRoutes()...)
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
