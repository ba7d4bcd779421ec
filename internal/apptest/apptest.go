// Package apptest gives a test the application wired exactly as the binary
// wires it (internal/app), on a database from internal/dbtest, with a fake
// clock, a fixed registry key, attachments in a temporary directory and
// cheap password hashing. Tests build on it instead of wiring services by
// hand.
package apptest

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"gridgov/internal/app"
	"gridgov/internal/auth"
	"gridgov/internal/blob"
	"gridgov/internal/clock"
	"gridgov/internal/config"
	"gridgov/internal/db"
)

// Start is the fake clock's default start: Thursday 26 November 2026,
// 09:00 UTC (17:00 in Zhengzhou), a working day.
var Start = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

// Options adjust the test app; the zero value is a fake clock at Start.
type Options struct {
	// Clock replaces the fake clock at Start (any clock.Clock).
	Clock clock.Clock
	// Config changes the configuration before the app is built (limits,
	// thresholds, secure cookies, map tiles …).
	Config func(*config.Config)
	// Key is the registry key (default: 32 bytes of 0x05).
	Key []byte
	// Blobs replaces the local attachment store in a temporary directory.
	Blobs blob.Store
	// BlobLimits replaces the attachment limits (blob.DefaultOptions()).
	BlobLimits *blob.Options
}

// New returns the app built on d and closed when the test ends.
func New(t testing.TB, d *db.DB, opts Options) *app.App {
	t.Helper()
	cfg := Config(t)
	if opts.Config != nil {
		opts.Config(cfg)
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.NewFake(Start)
	}
	key := opts.Key
	if key == nil {
		key = bytes.Repeat([]byte{5}, 32)
	}
	store := opts.Blobs
	if store == nil {
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		store = local
	}
	every := time.Duration(0)
	a, err := app.Build(context.Background(), cfg, app.Options{
		DB: d, Clock: clk, Blobs: store, BlobLimits: opts.BlobLimits, RegistryKey: key, LocatorInterval: &every,
		Logger: app.NewLogger(io.Discard, "error"),
		// Cheap argon2 parameters keep the suites fast; the hashing itself
		// is tested with the production parameters in internal/auth.
		Auth: func(o *auth.Options) { o.Argon2Memory, o.Argon2Time, o.Argon2Threads = 1024, 1, 1 },
	})
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// Config returns the configuration a test app starts from: the production
// defaults, with the data directory in a temporary directory.
func Config(t testing.TB) *config.Config {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	return cfg
}
