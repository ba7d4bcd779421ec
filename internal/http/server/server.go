// Package server assembles the HTTP handler of the binary: the JSON API,
// the health check and the console, behind the shared middleware.
package server

import (
	"context"
	"gridgov/internal/app"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/http/api"
	"gridgov/internal/http/field"
	"gridgov/internal/http/httpx"
	"gridgov/internal/http/open311"
	"gridgov/internal/http/public"
	"gridgov/internal/http/web"
)

// Options are the settings of the HTTP front that are not the app's.
type Options struct {
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
}

// New returns the handler for the whole site: /api/ → JSON API, /healthz →
// health check, everything else → the console.
func New(a *app.App, opts Options) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(a))
	mux.Handle("GET /healthz", healthz(a.DB, a.Log))
	mux.Handle(open311.Prefix, open311.New(a, open311.Options{}))
	// The citizen portal (群众随手拍); see docs/portal.md.
	var po public.Options
	if c, ok := territoryCentre(a.Geo); ok {
		po.MapCenter, po.MapZoom = c, 10
	}
	mux.Handle(public.Prefix, public.New(a, po))
	// 社管通, the field app (PWA); it calls the API above.
	fieldApp := field.New()
	mux.Handle("/field/", fieldApp)
	mux.Handle("/field", fieldApp)
	mux.Handle("/", web.New(a))
	var h http.Handler = mux
	h = httpx.WithErrorLogger(a.Log, h)
	h = httpx.Recover(a.Log, h)
	h = httpx.SecurityHeaders(h)
	h = httpx.AccessLog(a.Log, h)
	h = httpx.Meta(httpx.Options{TrustedProxies: opts.TrustedProxies}, h)
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
