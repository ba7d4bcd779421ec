package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"gridgov/internal/config"
	"gridgov/internal/db"
)

// TestRefusesNewerSchema: a database migrated by a newer gridgov stops every
// command that opens it, with both versions named, and is left as it was.
func TestRefusesNewerSchema(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		if code, _, errs := cli("", append([]string{"migrate"}, flags...)...); code != 0 {
			t.Fatalf("migrate: got %d %q", code, errs)
		}
		known, err := db.SchemaVersion(db.SQLite)
		if err != nil {
			t.Fatal(err)
		}
		newer := known + 7
		d := openFlags(t, flags)
		if _, err := d.Exec(context.Background(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			newer, fmt.Sprintf("%04d_future", newer), "2030-01-01T00:00:00Z"); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("database schema is version %d, this gridgov knows up to %d: upgrade gridgov", newer, known)
		for _, args := range [][]string{{"migrate"}, {"apikey", "list"}, {"audit", "verify"}} {
			code, _, errs := cli("", append(args, flags...)...)
			if code == 0 || !strings.Contains(errs, want) {
				t.Errorf("%v: got %d %q, want a failure saying %q", args, code, errs, want)
			}
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM schema_migrations WHERE version > ?`, known).Scan(&n); err != nil || n != 1 {
			t.Errorf("versions above %d: got %d (%v), want the one future row untouched", known, n, err)
		}
	})
}

// openFlags opens the database the flags name, without migrating it.
func openFlags(t *testing.T, flags []string) *db.DB {
	t.Helper()
	cfg := &config.Config{}
	for i := 0; i+1 < len(flags); i += 2 {
		switch flags[i] {
		case "--data":
			cfg.DataDir = flags[i+1]
		case "--database-url":
			cfg.DatabaseURL = flags[i+1]
		}
	}
	d, err := db.Open(context.Background(), cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
