// Package server assembles the HTTP handler of the binary: the JSON API,
// the health check and the console, behind the shared middleware.
package server

import (
	"context"
	"gridgov/internal/blob"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/http/api"
	"gridgov/internal/http/field"
	"gridgov/internal/http/httpx"
	"gridgov/internal/http/open311"
	"gridgov/internal/http/public"
	"gridgov/internal/http/web"
	"gridgov/internal/idem"
	"gridgov/internal/org"
)

// Deps are the services and settings the server needs.
type Deps struct {
	Org    *org.Service
	Auth   *auth.Service
	Audit  *audit.Log
	DB     *db.DB
	Logger *slog.Logger
	// Calendar answers working-time deadlines.
	Calendar *calendar.Service
	// Blobs stores attachments.
	Blobs *blob.Service
	// Cases runs the case loop.
	Cases *cases.Service
	// Registry keeps the base data (people, houses, organisations …).
	Registry *registry.Service
	// Places keeps houses, organisations, components and rosters.
	Places *places.Service
	// Groups keeps code tables, group memberships and visits.
	Groups *groups.Service
	// Geo serves boundaries, coverage, geofences and point → grid (the
	// /api/v1/geo routes); nil leaves them out.
	Geo *atlas.Service
	// SecureCookies marks cookies Secure (serve behind HTTPS).
	SecureCookies bool
	// MapTileURL and MapTileAttribution set the console map's base map
	// (empty URL: none).
	MapTileURL, MapTileAttribution string
	// Locator is the app's point → grid index, shared with the console
	// map's "what is here" (nil: the console builds its own).
	Locator web.GridLocator
	// Citizen is the public intake behind Open311 and the API keys (nil
	// leaves /open311/v2/ out).
	Citizen *citizen.Service
	// Idempotency keeps the answers replayed to retried writes (nil: one
	// is made on DB); the caller purges it.
	Idempotency *idem.Service
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
}

// New returns the handler for the whole site: /api/ → JSON API, /healthz →
// health check, everything else → the console.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	mux := http.NewServeMux()
	replay := d.Idempotency
	if replay == nil && d.DB != nil {
		replay = idem.New(d.DB, clock.System{})
	}
	mux.Handle("/api/", api.New(api.Deps{Org: d.Org, Auth: d.Auth, Audit: d.Audit, Logger: d.Logger,
		Calendar: d.Calendar, Cases: d.Cases, Blobs: d.Blobs, Registry: d.Registry, Places: d.Places,
		Groups: d.Groups, Geo: d.Geo, Idempotency: replay, Citizen: d.Citizen}))
	mux.Handle("GET /healthz", healthz(d.DB, d.Logger))
	if d.Citizen != nil {
		mux.Handle(open311.Prefix, open311.New(open311.Deps{Citizen: d.Citizen, Logger: d.Logger}))
		// The citizen portal (群众随手拍); see docs/portal.md.
		pd := public.Deps{Citizen: d.Citizen, Blobs: d.Blobs, DB: d.DB,
			Logger: d.Logger, SecureCookies: d.SecureCookies, MapTileURL: d.MapTileURL,
			MapTileAttribution: d.MapTileAttribution}
		if c, ok := territoryCentre(d.Geo); ok {
			pd.MapCenter, pd.MapZoom = c, 10
		}
		mux.Handle(public.Prefix, public.New(pd))
	}
	// 社管通, the field app (PWA); it calls the API above.
	fieldApp := field.New()
	mux.Handle("/field/", fieldApp)
	mux.Handle("/field", fieldApp)
	mux.Handle("/", web.New(web.Deps{Org: d.Org, Auth: d.Auth, Audit: d.Audit, Cases: d.Cases, Blobs: d.Blobs, Registry: d.Registry,
		Places: d.Places, Groups: d.Groups, SecureCookies: d.SecureCookies, Logger: d.Logger,
		MapTileURL: d.MapTileURL, MapTileAttribution: d.MapTileAttribution, Units: mapUnits(d.Geo), Locator: d.Locator, Geo: d.Geo, Citizen: d.Citizen}))
	var h http.Handler = mux
	h = httpx.WithErrorLogger(d.Logger, h)
	h = httpx.Recover(d.Logger, h)
	h = httpx.SecurityHeaders(h)
	h = httpx.AccessLog(d.Logger, h)
	h = httpx.Meta(httpx.Options{TrustedProxies: d.TrustedProxies}, h)
	return rejectTrace(h)
}

// healthz answers 200 when the database answers a query within two
// seconds, 503 otherwise, so a load balancer can take the node out.
func healthz(d *db.DB, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var one int
		if err := d.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
			log.Warn("health check: database unavailable", "err", err)
			httpx.WriteError(w, r, apperr.New(httpx.Unavailable, "database unavailable"))
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// rejectTrace refuses TRACE and CONNECT outright, whatever the route.
func rejectTrace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodTrace || r.Method == http.MethodConnect {
			w.Header().Set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}
