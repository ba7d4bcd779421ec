package db

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// maxGroup bounds how many calls share one transaction, which bounds the
// wait of the first of them.
const maxGroup = 64

// groupCall is one WithGroupTx call waiting for its turn.
type groupCall struct {
	ctx  context.Context
	fn   func(ctx context.Context) error
	err  error
	done chan struct{} // closed when err is final
	lead chan struct{} // signalled when this call is to lead the next batch
}

// committer gathers the WithGroupTx calls of the SQLite writer. SQLite has
// one writer, so concurrent write transactions queue anyway; group commit
// lets the calls that queued while one transaction ran share the next one,
// each inside its own savepoint, paying for one commit (and one write of
// each page they touch in common) instead of one each.
type committer struct {
	mu    sync.Mutex
	queue []*groupCall
	busy  bool // a leader is running batches
	// running is the size of the batch being run.
	running int
	// batches counts the transactions run for groups of two or more.
	batches atomic.Int64
	// calls counts the calls run in those transactions.
	calls atomic.Int64
	// sp are the savepoint statements, prepared on the writer pool.
	sp [len(spSQL)]*sql.Stmt
}

// WithGroupTx is WithTx for short, independent write transactions that
// arrive concurrently (cases filed from many phones at once). On SQLite,
// calls that arrive while another transaction is running are run together
// in the next transaction, each in its own savepoint: a call that fails is
// rolled back alone and gets its own error, the others commit. A call
// returns only after its work is committed (or has failed), exactly as with
// WithTx. A call alone waits for nobody. On PostgreSQL, which runs write
// transactions in parallel, and inside a transaction, it is WithTx.
//
// fn may be run a second time, alone, when a batch it belonged to failed as
// a whole; like any transaction body it must only have effects through the
// transaction and through variables it sets afresh on every run.
func (d *DB) WithGroupTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.group == nil || InTx(ctx) {
		return d.WithTx(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &groupCall{ctx: ctx, fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	g := d.group
	g.mu.Lock()
	g.queue = append(g.queue, c)
	if g.busy {
		g.mu.Unlock()
		select {
		case <-c.done:
			return c.err
		case <-c.lead:
		}
	} else {
		g.busy = true
		g.mu.Unlock()
	}
	d.leadBatch()
	<-c.done
	return c.err
}

// safeFn runs the call's fn, turning a panic into the call's error: the
// leader runs other callers' functions, and a panic there must neither
// reach the wrong caller nor leave the queue without a leader.
func (c *groupCall) safeFn(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in transaction: %v\n%s", r, debug.Stack())
		}
	}()
	return c.fn(ctx)
}

// leadBatch runs the queued calls (up to maxGroup) as one transaction, then
// hands the lead to the first call still queued, or ends the lead.
func (d *DB) leadBatch() {
	g := d.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := append([]*groupCall(nil), g.queue[:n]...)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.running = n
	g.mu.Unlock()

	d.runBatch(batch)

	g.mu.Lock()
	g.running = 0
	if len(g.queue) == 0 {
		g.busy = false
		g.mu.Unlock()
		return
	}
	next := g.queue[0]
	g.mu.Unlock()
	next.lead <- struct{}{}
}

// runBatch runs batch in one transaction and settles every call in it.
func (d *DB) runBatch(batch []*groupCall) {
	if len(batch) == 1 {
		c := batch[0]
		c.err = d.WithTx(c.ctx, c.safeFn)
		close(c.done)
		return
	}
	d.group.batches.Add(1)
	d.group.calls.Add(int64(len(batch)))
	if err := d.tryBatch(batch); err != nil {
		// The batch as a whole failed (begin, savepoint or commit): none of
		// it is written. Each call not settled yet runs again on its own.
		for _, c := range batch {
			select {
			case <-c.done:
			default:
				c.err = d.WithTx(c.ctx, c.safeFn)
				close(c.done)
			}
		}
	}
}

// tryBatch runs the calls of batch in one transaction, each in a savepoint.
// Calls whose fn fails are rolled back to their savepoint and settled with
// their error at once; the others are settled after the commit. An error
// means the transaction was rolled back and the unsettled calls must run
// again.
func (d *DB) tryBatch(batch []*groupCall) (err error) {
	// The batch must not die with one caller's context: SQLite rolls back
	// the whole transaction when a statement is interrupted.
	tx, err := d.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if d.writeStmts != nil {
		defer d.writeStmts.preparePending(context.Background())
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	var ok []*groupCall
	for _, c := range batch {
		if e := c.ctx.Err(); e != nil {
			c.err = e
			close(c.done)
			continue
		}
		if err := d.group.exec(tx, spSet); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		ctx := context.WithValue(context.WithoutCancel(c.ctx), txKey{}, tx)
		if e := c.safeFn(ctx); e != nil {
			if err := d.group.exec(tx, spRollback); err != nil {
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
			if err := d.group.exec(tx, spRelease); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
			c.err = e
			close(c.done)
			continue
		}
		if err := d.group.exec(tx, spRelease); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		ok = append(ok, c)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	for _, c := range ok {
		close(c.done)
	}
	return nil
}

// GroupStats returns how many transactions ran groups of two or more
// WithGroupTx calls, and how many calls they ran.
func (d *DB) GroupStats() (batches, calls int64) {
	if d.group == nil {
		return 0, 0
	}
	return d.group.batches.Load(), d.group.calls.Load()
}

// The savepoint statements of a call in a batch.
const (
	spSet = iota
	spRelease
	spRollback
)

var spSQL = [...]string{"SAVEPOINT group_call", "RELEASE SAVEPOINT group_call", "ROLLBACK TO SAVEPOINT group_call"}

// exec runs savepoint statement k in tx, prepared once on the writer's
// connection (which is the transaction's).
func (g *committer) exec(tx *sql.Tx, k int) error {
	_, err := tx.Stmt(g.sp[k]).Exec()
	return err
}

// groupOf returns the committer of a SQLite writer; PostgreSQL needs none.
func groupOf(w *sql.DB) (*committer, error) {
	g := &committer{}
	for k, q := range spSQL {
		s, err := w.Prepare(q)
		if err != nil {
			g.close()
			return nil, err
		}
		g.sp[k] = s
	}
	return g, nil
}

// close closes the prepared statements.
func (g *committer) close() {
	for _, s := range g.sp {
		if s != nil {
			s.Close()
		}
	}
}
