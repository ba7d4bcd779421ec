package secrets_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/secrets"
)

// TestSharedSecret: processes on one database asking for the same secret
// at once all get the same bytes, made once; another name is another secret.
func TestSharedSecret(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			handles := dbtest.OpenShared(t, engine, 4)
			got := make([][]byte, len(handles))
			errs := make([]error, len(handles))
			var wg sync.WaitGroup
			for i, d := range handles {
				wg.Add(1)
				go func(i int, d *db.DB) {
					defer wg.Done()
					got[i], errs[i] = secrets.New(d, clock.System{}).Get(context.Background(), "captcha", 32)
				}(i, d)
			}
			wg.Wait()
			for i := range got {
				if errs[i] != nil {
					t.Fatalf("process %d: %v", i, errs[i])
				}
				if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
					t.Fatalf("process %d got %x, process 0 %x: want the same 32 bytes", i, got[i], got[0])
				}
			}
			other, err := secrets.New(handles[0], clock.System{}).Get(context.Background(), "signing", 32)
			if err != nil || bytes.Equal(other, got[0]) {
				t.Fatalf("another secret: %x %v, want other bytes", other, err)
			}
			again, err := secrets.New(handles[1], clock.System{}).Get(context.Background(), "captcha", 32)
			if err != nil || !bytes.Equal(again, got[0]) {
				t.Fatalf("asked again: %x %v, want the first", again, err)
			}
		})
	}
}
