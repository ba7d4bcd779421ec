package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGroupCommitSharesTransactions queues calls while the writer is busy
// and checks that they ran in few transactions, that a failing call was
// rolled back alone, and that a call whose context ended did nothing.
func TestGroupCommitSharesTransactions(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, `CREATE TABLE grp (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const n = 60
	boom := errors.New("boom")
	release := make(chan struct{})
	holding := make(chan struct{})
	go func() {
		_ = d.WithTx(ctx, func(ctx context.Context) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	cancelled, cancel := context.WithCancel(ctx)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ctx
			if i == 13 {
				c = cancelled
			}
			errs[i] = d.WithGroupTx(c, func(ctx context.Context) error {
				key := fmt.Sprint(i)
				if i == 41 {
					key = "7" // duplicate of call 7's key: fails alone
				}
				if _, err := d.Exec(ctx, `INSERT INTO grp (k, n) VALUES (?, ?)`, key, i); err != nil {
					return err
				}
				if i%10 == 5 {
					return boom // after writing: must be rolled back
				}
				if i == 22 {
					panic("bug") // after writing: rolled back, an error for this call only
				}
				return nil
			})
		}()
	}
	for {
		d.group.mu.Lock()
		q := len(d.group.queue) + d.group.running
		d.group.mu.Unlock()
		if q == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(release)
	wg.Wait()
	want := 0
	for i, err := range errs {
		switch {
		case i%10 == 5:
			if !errors.Is(err, boom) {
				t.Errorf("call %d: got %v, want boom", i, err)
			}
		case i == 13:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("call 13: got %v, want canceled", err)
			}
		case i == 22:
			if err == nil || !strings.Contains(err.Error(), "panic in transaction: bug") {
				t.Errorf("call 22: got %v, want the panic as its error", err)
			}
		case i == 41:
			if !IsUniqueViolation(err) {
				t.Errorf("call 41: got %v, want a unique violation", err)
			}
		default:
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
			want++
		}
	}
	var got int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM grp`).Scan(&got); err != nil || got != want {
		t.Fatalf("%d rows (%v), want %d", got, err, want)
	}
	var bad int
	if err := d.QueryRow(ctx, `SELECT count(*) FROM grp WHERE n % 10 = 5 OR n IN (13, 22, 41)`).Scan(&bad); err != nil || bad != 0 {
		t.Fatalf("%d rows of failed calls kept (%v)", bad, err)
	}
	if b := d.group.batches.Load(); b < 1 || b > 1 {
		t.Fatalf("%d shared transactions for %d queued calls, want 1 (the first call leads alone)", b, n)
	}
	// Alone, a call runs at once in its own transaction.
	if err := d.WithGroupTx(ctx, func(ctx context.Context) error {
		_, err := d.Exec(ctx, `INSERT INTO grp (k, n) VALUES ('alone', 0)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
