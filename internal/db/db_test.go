package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestMigrationTreesMatch(t *testing.T) {
	lite, err := db.Migrations(db.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := db.Migrations(db.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %q, postgres %q", i, lite[i].Name, pg[i].Name)
		}
	}
}

func TestRebind(t *testing.T) {
	d := &db.DB{Dialect: db.Postgres}
	got := d.Rebind(`SELECT '?', a FROM t WHERE b = ? AND c = ?`)
	want := `SELECT '?', a FROM t WHERE b = $1 AND c = $2`
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTxAndTimes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 8, 0, 0, 123000, time.FixedZone("CST", 8*3600))
		boom := errors.New("boom")
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := d.Exec(ctx, `INSERT INTO login_locks (username, locked_until) VALUES (?, ?)`, "a", now); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v, want boom", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM login_locks`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error {
			_, err := d.Exec(ctx, `INSERT INTO login_locks (username, locked_until) VALUES (?, ?)`, "b", now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.QueryRow(ctx, `SELECT locked_until FROM login_locks WHERE username = ?`, "b").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(now) {
			t.Errorf("time round trip: got %v, want %v", got, now)
		}
		var later int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM login_locks WHERE locked_until > ?`, now.Add(-time.Second)).Scan(&later); err != nil || later != 1 {
			t.Errorf("time comparison: got %d (%v), want 1", later, err)
		}
	})
}

// TestMigrateRefusesNewerSchema: Migrate on a database a newer gridgov has
// migrated fails with both versions and applies nothing.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		known, err := db.SchemaVersion(d.Dialect)
		if err != nil || known == 0 {
			t.Fatalf("schema version: %d %v", known, err)
		}
		if _, err := d.Exec(ctx, `DELETE FROM schema_migrations WHERE version = ?`, known); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'x')`, known+7); err != nil {
			t.Fatal(err)
		}
		_, err = d.Migrate(ctx)
		var tooNew *db.SchemaTooNewError
		if !errors.As(err, &tooNew) || tooNew.Database != known+7 || tooNew.Known != known {
			t.Fatalf("got %v, want a SchemaTooNewError %d > %d", err, known+7, known)
		}
		want := fmt.Sprintf("database schema is version %d, this gridgov knows up to %d: upgrade gridgov", known+7, known)
		if err.Error() != want {
			t.Errorf("message: got %q, want %q", err.Error(), want)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, known).Scan(&n); err != nil || n != 0 {
			t.Errorf("the missing migration %d was applied (%d, %v); a refused database must be left alone", known, n, err)
		}
	})
}
