// Package db opens the embedded SQLite file or a PostgreSQL server behind one
// small API: the same SQL (with ? placeholders) runs on both, transactions are
// carried in the context, and migrations are applied from embedded files.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// timeLayout is the fixed-width UTC text form used for times on SQLite, so
// that text order is time order.
const timeLayout = "2006-01-02 15:04:05.000000+00:00"

// DB is the application's database handle. On SQLite it keeps one writer
// connection and a read pool; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// Prepared-statement caches of the SQLite pools (nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
	// group gathers WithGroupTx calls on SQLite (nil on PostgreSQL).
	group *committer
	// Where is a printable description of the database (file path or host/db),
	// never containing a password.
	Where string
}

// Querier is what stores run statements on: the pool or a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open connects to url: "postgres://…" or "postgresql://…" selects
// PostgreSQL; "sqlite:PATH" or an empty url selects the SQLite file
// gridgov.db inside dataDir (created if missing).
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	path := strings.TrimPrefix(url, "sqlite:")
	if path == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(dataDir, "gridgov.db")
	}
	return openSQLite(ctx, path)
}

// openSQLite opens the writer and the read pool. WAL with synchronous=NORMAL
// is durable across application crashes and syncs at checkpoints; the
// larger autocheckpoint (8000 pages, about 32 MiB of WAL) makes those syncs
// rarer on write-heavy days, and each connection caches up to 16 MiB of pages.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=wal_autocheckpoint(8000)&_pragma=cache_size(-16000)&_pragma=temp_store(MEMORY)"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	// Keep every read connection: the default of two idle ones would close
	// and reopen the others under load, and opening one reads the schema.
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(0)
	g, err := groupOf(w)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{Dialect: SQLite, write: w, read: r, Where: path,
		writeStmts: newStmtCache(w), readStmts: newStmtCache(r), group: g}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	p, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(16)
	p.SetMaxIdleConns(8)
	p.SetConnMaxLifetime(time.Hour)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: p, read: p, Where: redact(url)}, nil
}

// redact drops the password from a connection URL for printing.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		userinfo = userinfo[:i] + ":***"
	}
	return url[:scheme+3] + userinfo + url[at:]
}

// Close closes all connections.
func (d *DB) Close() error {
	if d.writeStmts != nil {
		d.writeStmts.close()
		d.readStmts.close()
	}
	if d.group != nil {
		d.group.close()
	}
	err := d.write.Close()
	if d.read != d.write {
		if e := d.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

type txKey struct{}

// WithTx runs fn in a transaction carried by the context passed to fn; the
// statements of stores called with that context join it. A nested WithTx
// joins the outer transaction. The transaction commits when fn returns nil
// and rolls back otherwise, so a failed call leaves nothing half-written.
func (d *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if d.writeStmts != nil {
		// Statements first met in this transaction are prepared once the
		// writer's connection is free again: this runs after the commit or
		// the rollback below (deferred calls run last-in first-out).
		defer d.writeStmts.preparePending(context.WithoutCancel(ctx))
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*sql.Tx)
	return ok
}

func (d *DB) conn(ctx context.Context, write bool) Querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return tx
	}
	if write {
		return d.write
	}
	return d.read
}

// Exec runs a statement, inside the context's transaction if there is one.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := d.prepared(ctx, query, true, len(args)); s != nil {
		return s.ExecContext(ctx, d.args(args)...)
	}
	return d.conn(ctx, true).ExecContext(ctx, d.Rebind(query), d.args(args)...)
}

// Query runs a query on the context's transaction or the read pool.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := d.prepared(ctx, query, !isRead(query), len(args)); s != nil {
		return s.QueryContext(ctx, d.args(args)...)
	}
	return d.conn(ctx, !isRead(query)).QueryContext(ctx, d.Rebind(query), d.args(args)...)
}

// QueryRow runs a single-row query on the context's transaction or the read pool.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := d.prepared(ctx, query, !isRead(query), len(args)); s != nil {
		return s.QueryRowContext(ctx, d.args(args)...)
	}
	return d.conn(ctx, !isRead(query)).QueryRowContext(ctx, d.Rebind(query), d.args(args)...)
}

// isRead reports whether a statement only reads, so it may go to the read
// pool; INSERT … RETURNING and friends go to the writer.
func isRead(q string) bool {
	q = strings.TrimSpace(q)
	if len(q) < 6 {
		return false
	}
	w := strings.ToUpper(q[:6])
	return w == "SELECT" || strings.HasPrefix(w, "WITH")
}
