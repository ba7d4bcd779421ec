// Package dbtest opens migrated databases for tests: a fresh SQLite file, and
// a fresh PostgreSQL database, copied from a migrated template, when a
// server is reachable. With CI=true an
// unreachable PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gridgov/internal/db"
)

// ServerURL is the PostgreSQL server tests use unless GRIDGOV_TEST_POSTGRES
// names another.
const ServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const testDatabase = "gridgov_test"

var (
	pgOnce sync.Once
	pgErr  error
)

func serverURL() string {
	if u := os.Getenv("GRIDGOV_TEST_POSTGRES"); u != "" {
		return u
	}
	return ServerURL
}

// ensureDatabase creates the shared test database once per process.
func ensureDatabase() error {
	pgOnce.Do(func() {
		conn, err := sql.Open("pgx", serverURL())
		if err != nil {
			pgErr = err
			return
		}
		defer conn.Close()
		if err := conn.Ping(); err != nil {
			pgErr = err
			return
		}
		var n int
		if err := conn.QueryRow(`SELECT count(*) FROM pg_database WHERE datname = $1`, testDatabase).Scan(&n); err != nil {
			pgErr = err
			return
		}
		if n == 0 {
			if _, err := conn.Exec(`CREATE DATABASE ` + testDatabase); err != nil && !strings.Contains(err.Error(), "already exists") {
				pgErr = err
			}
		}
	})
	return pgErr
}

func withDatabase(url, name string) string {
	// Replace the path component (the database name) of the URL.
	rest := url
	query := ""
	if i := strings.Index(rest, "?"); i >= 0 {
		rest, query = rest[:i], rest[i:]
	}
	if i := strings.LastIndex(rest, "/"); i > len("postgres://") {
		rest = rest[:i]
	}
	return rest + "/" + name + query
}

// Engines lists the engines available to this test run.
func Engines() []db.Dialect { return []db.Dialect{db.SQLite, db.Postgres} }

// Open returns a migrated database of the given dialect that is dropped
// when the test ends.
func Open(t testing.TB, d db.Dialect) *db.DB {
	t.Helper()
	return OpenShared(t, d, 1)[0]
}

// OpenShared returns n handles on one migrated database of the given
// dialect, each with its own pools, as n processes on one database would
// have (several `gridgov serve` behind a load balancer); the database is
// dropped when the test ends.
func OpenShared(t testing.TB, d db.Dialect, n int) []*db.DB {
	t.Helper()
	ctx := context.Background()
	var url string
	if d == db.SQLite {
		url = "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	} else {
		url = postgresSchema(t)
	}
	conns := make([]*db.DB, n)
	for i := range conns {
		conn, err := db.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		if _, err := conn.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		conns[i] = conn
	}
	return conns
}

// postgresSchema creates a fresh database for one test, a copy of the
// migrated template (CREATE DATABASE … TEMPLATE copies files, far cheaper
// than running every migration again), dropped when the test ends after
// the handles on it close, and returns its URL.
func postgresSchema(t testing.TB) string {
	t.Helper()
	if err := ensureDatabase(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL required in CI but unreachable at %s: %v", serverURL(), err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set GRIDGOV_TEST_POSTGRES to run the PostgreSQL variant", err)
	}
	tmpl, err := ensureTemplate()
	if err != nil {
		t.Fatalf("PostgreSQL test template: %v", err)
	}
	name := "gridgov_t_" + randomHex(8)
	admin, err := sql.Open("pgx", serverURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmpl); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	// Registered before the handles' cleanups, so it runs after them.
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	return withDatabase(serverURL(), name)
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

// ensureTemplate returns the name of the migrated template database of
// this build's migrations, making it once for every test process and run:
// its name carries a hash of the migrations, an advisory lock keeps two
// processes from building it at once, and it is built under another name
// and renamed only when complete. Without PostGIS it is a template all the
// same; with it, the extension is created there once.
func ensureTemplate() (string, error) {
	tmplOnce.Do(func() { tmplName, tmplErr = buildTemplate() })
	return tmplName, tmplErr
}

func buildTemplate() (string, error) {
	ms, err := db.Migrations(db.Postgres)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		h.Write([]byte(m.Name))
		h.Write([]byte{0})
		h.Write([]byte(m.SQL))
	}
	sum := h.Sum(nil)
	name := "gridgov_tmpl_" + hex.EncodeToString(sum[:8])
	ctx := context.Background()
	admin, err := sql.Open("pgx", serverURL())
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lock := int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lock); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, lock) //nolint:errcheck
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", err
	}
	if n == 1 {
		return name, nil
	}
	building := name + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDatabase(serverURL(), building), "")
	if err != nil {
		return "", err
	}
	_, _ = d.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`) // where the server has it
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return "", err
	}
	d.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
