package db

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the cache: queries built from filters vary, and
// past this many distinct texts new ones simply run unprepared.
const maxCachedStatements = 512

// stmtCache keeps prepared statements of one SQLite pool by query text.
// SQLite spends much of a short query's time compiling it; pgx caches
// statements per connection on its own, so PostgreSQL needs no cache here.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	// pending are statements met inside transactions, prepared once the
	// writer's connection is free again (see prepared).
	pending map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the cached statement for q without preparing it; when it
// is missing, q is remembered for preparePending.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[q]; ok {
		return s
	}
	if len(c.m)+len(c.pending) < maxCachedStatements {
		c.pending[q] = true
	}
	return nil
}

// preparePending prepares the statements remembered by lookup.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.pending))
	for q := range c.pending {
		qs = append(qs, q)
	}
	c.pending = map[string]bool{}
	c.mu.Unlock()
	for _, q := range qs {
		c.get(ctx, q)
	}
}

// get returns the prepared statement for q, preparing it once; nil when the
// cache is full or q does not prepare (the caller then runs q directly and
// reports the error).
func (c *stmtCache) get(ctx context.Context, q string) *sql.Stmt {
	c.mu.Lock()
	s, ok := c.m[q]
	full := len(c.m) >= maxCachedStatements
	c.mu.Unlock()
	if ok {
		return s
	}
	if full {
		return nil
	}
	s, err := c.pool.PrepareContext(context.WithoutCancel(ctx), q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		s.Close()
		return prev
	}
	c.m[q] = s
	return s
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
}

// prepared returns a cached statement for q on SQLite when q has arguments
// (statements without arguments are DDL or multi-statement scripts), bound
// to the context's transaction when there is one; nil otherwise.
func (d *DB) prepared(ctx context.Context, q string, write bool, nargs int) *sql.Stmt {
	if d.Dialect != SQLite || nargs == 0 {
		return nil
	}
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		// Preparing needs a connection, and the writer's only connection is
		// the transaction's: a statement not cached yet runs unprepared and
		// is prepared after the transaction ends. A cached one was prepared
		// on that same connection, so the transaction reuses it.
		if s := d.writeStmts.lookup(q); s != nil {
			return tx.StmtContext(ctx, s)
		}
		return nil
	}
	if write {
		return d.writeStmts.get(ctx, q)
	}
	return d.readStmts.get(ctx, q)
}
