package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one schema step, numbered by its file name prefix.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		body, err := fs.ReadFile(migrationFS, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns the names of those it applied. It refuses, with
// a *SchemaTooNewError and before changing anything, a database migrated
// by a newer gridgov: this binary's code would run on tables it does not
// know.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations(d.Dialect)
	if err != nil {
		return nil, err
	}
	if _, err := d.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []string
	err = d.WithTx(ctx, func(ctx context.Context) error {
		if d.Dialect == Postgres {
			// One migrator at a time across processes.
			if _, err := d.Exec(ctx, `SELECT pg_advisory_xact_lock(7262011)`); err != nil {
				return err
			}
		}
		done := map[int]bool{}
		rows, err := d.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return err
			}
			done[v] = true
		}
		rows.Close()
		if err := checkNotNewer(done, ms); err != nil {
			return err
		}
		for _, m := range ms {
			if done[m.Version] {
				continue
			}
			if _, err := d.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
			applied = append(applied, m.Name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// SchemaTooNewError is returned by Migrate when the database's schema is
// newer than the migrations this binary embeds.
type SchemaTooNewError struct {
	Database int // the highest version applied to the database
	Known    int // the highest version this binary embeds
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database schema is version %d, this gridgov knows up to %d: upgrade gridgov", e.Database, e.Known)
}

// SchemaVersion returns the highest embedded migration version of a dialect.
func SchemaVersion(d Dialect) (int, error) {
	ms, err := Migrations(d)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].Version, nil
}

// checkNotNewer fails when done holds a version above every known one.
func checkNotNewer(done map[int]bool, ms []Migration) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].Version
	}
	top := 0
	for v := range done {
		top = max(top, v)
	}
	if top > known {
		return &SchemaTooNewError{Database: top, Known: known}
	}
	return nil
}
