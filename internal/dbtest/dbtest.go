// Package dbtest opens migrated databases for tests: a fresh SQLite file, and
// a fresh PostgreSQL schema when a server is reachable. With CI=true an
// unreachable PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
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

// postgresSchema creates a fresh schema in the test database, dropped when
// the test ends (after the handles on it close), and returns its URL.
func postgresSchema(t testing.TB) string {
	t.Helper()
	if err := ensureDatabase(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL required in CI but unreachable at %s: %v", serverURL(), err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set GRIDGOV_TEST_POSTGRES to run the PostgreSQL variant", err)
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", withDatabase(serverURL(), testDatabase))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	// Registered before the handles' cleanups, so it runs after them.
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	url := withDatabase(serverURL(), testDatabase)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
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
