package db_test

import (
	"context"
	"errors"
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
