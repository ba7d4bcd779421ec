package main

import (
	"context"
	"errors"
	"fmt"
	"gridgov/internal/app"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"gridgov/internal/http/httpx"
	"gridgov/internal/http/server"
	"gridgov/internal/org"
	"gridgov/internal/seed"
)

// shutdownGrace is how long in-flight requests may run after a signal.
const shutdownGrace = 15 * time.Second

// runServe serves the console and the API until ctx is cancelled (SIGINT or
// SIGTERM), then drains in-flight requests.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, cfg := newFlags("serve", stderr)
	cfg.RegisterAddr(fs)
	demo := fs.Bool("demo", false, "seed the Zhengzhou demo first when the database holds no units")
	password := fs.String("password", "", "with --demo: password of the demo accounts (random and printed once when empty)")
	proxies := fs.String("trusted-proxies", os.Getenv("GRIDGOV_TRUSTED_PROXIES"),
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	trusted, err := httpx.ParsePrefixes(*proxies)
	if err != nil {
		fmt.Fprintf(stderr, "gridgov serve: --trusted-proxies: %v\n", err)
		return 2
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	defer a.Close()
	a.Log = loggerTo(stderr, cfg.LogLevel)
	if *demo {
		if err := seedIfEmpty(ctx, a, *password, stdout); err != nil {
			return fail(stderr, "serve --demo", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fail(stderr, "serve", err)
	}
	srv := newHTTPServer(a, trusted)
	// Background jobs (internal/app registerJobs); they stop after the
	// server, before the database closes.
	jctx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { a.Jobs.Start(jctx); close(jobsDone) }()
	defer func() { stopJobs(); <-jobsDone }()
	fmt.Fprintf(stdout, "gridgov %s serving on http://%s/ (database: %s)\n", version, ln.Addr(), a.DB.Where)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fail(stderr, "serve", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fail(stderr, "serve: shutdown", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fail(stderr, "serve", err)
	}
	return 0
}

// newHTTPServer returns the server with timeouts that keep slow or idle
// clients from holding connections open.
func newHTTPServer(a *app.App, trusted []netip.Prefix) *http.Server {
	return &http.Server{
		Handler:           server.New(a, server.Options{TrustedProxies: trusted}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
}

// seedIfEmpty loads the demo into an empty database; a database that
// already holds units is served as it is.
func seedIfEmpty(ctx context.Context, a *app.App, password string, stdout io.Writer) error {
	empty, err := seed.Empty(ctx, a.DB)
	if err != nil {
		return err
	}
	if !empty {
		fmt.Fprintln(stdout, "demo: the database already holds units; serving them as they are")
		return nil
	}
	fmt.Fprintln(stdout, "demo: seeding Zhengzhou (this takes a moment)…")
	res, err := seed.Demo(cliContext(ctx, "seed"), seed.Deps{DB: a.DB, Org: a.Org, Auth: a.Auth,
		Registry: a.Registry, Transfer: a.Transfer, Places: a.Places, Groups: a.Groups},
		seed.Options{Password: password})
	if err != nil {
		return err
	}
	grids, staff := 0, 0
	for _, n := range res.Grids {
		grids += n
	}
	for _, n := range res.Staff {
		staff += n
	}
	fmt.Fprintf(stdout, "demo: %d districts, %d streets, %d communities, %d departments, %d grids, %d staff, %d accounts\n",
		res.Units[org.District], res.Units[org.Street], res.Units[org.Community], res.Departments, grids, staff, len(res.Users))
	fmt.Fprintf(stdout, "demo: map: %d unit boundaries\n", res.UnitBoundaries)
	for _, u := range res.Unmatched {
		fmt.Fprintf(stdout, "demo: map: %s\n", u)
	}
	if res.Base != nil {
		fmt.Fprintf(stdout, "demo: base data: %s\n", baseCounts(res.Base))
	}
	fmt.Fprintln(stdout, "demo: accounts admin (city-wide) and admin-<district code> (e.g. admin-410105 for 金水区)")
	if res.Password != "" {
		fmt.Fprintf(stdout, "demo: generated password (shown only once): %s\n", res.Password)
	} else {
		fmt.Fprintln(stdout, "demo: password as given by --password")
	}
	return nil
}

// loggerTo returns a text logger writing to w at level.
func loggerTo(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
