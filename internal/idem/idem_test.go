package idem

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestBeginFinishReplay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		s := New(d, clk)
		route, body := "POST /api/v1/cases/1/feedback", []byte(`{"note":"done"}`)
		hash := Fingerprint(route, body)
		if a, err := s.Begin(ctx, 7, "k", route, hash); a != nil || err != nil {
			t.Fatalf("first Begin: got %v %v, want to run", a, err)
		}
		// A retry while the first still runs waits (409).
		if _, err := s.Begin(ctx, 7, "k", route, hash); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("retry while running: got %v, want conflict", err)
		}
		want := Answer{Status: 200, ContentType: "application/json", Body: []byte(`{"id":1}`)}
		if err := s.Finish(ctx, 7, "k", want); err != nil {
			t.Fatal(err)
		}
		a, err := s.Begin(ctx, 7, "k", route, hash)
		if err != nil || a == nil || a.Status != 200 || string(a.Body) != `{"id":1}` || a.ContentType != want.ContentType {
			t.Fatalf("replay: got %+v %v, want the recorded answer", a, err)
		}
		_, err = s.Begin(ctx, 7, "k", route, Fingerprint(route, []byte(`{"note":"other"}`)))
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Fields["Idempotency-Key"] == "" {
			t.Fatalf("reused key: got %v, want 422 naming Idempotency-Key", err)
		}
		_, err = s.Begin(ctx, 7, "k", "POST /api/v1/cases/2/feedback", hash)
		if apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("key on another route: got %v, want 422", err)
		}
		// The same key of another user is another request.
		if a, err := s.Begin(ctx, 8, "k", route, hash); a != nil || err != nil {
			t.Fatalf("other user: got %v %v, want to run", a, err)
		}
		// A released key runs again.
		if err := s.Release(ctx, 8, "k"); err != nil {
			t.Fatal(err)
		}
		if a, err := s.Begin(ctx, 8, "k", route, hash); a != nil || err != nil {
			t.Fatalf("after release: got %v %v, want to run", a, err)
		}
		// A request that died mid-way is taken over after a while.
		clk.Advance(3 * time.Minute)
		if a, err := s.Begin(ctx, 8, "k", route, hash); a != nil || err != nil {
			t.Fatalf("stale run: got %v %v, want to run again", a, err)
		}
		if _, err := s.Begin(ctx, 9, "", route, hash); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("empty key: got %v, want 422", err)
		}
		clk.Advance(Retention + time.Minute)
		n, err := s.Purge(ctx)
		if err != nil || n != 2 {
			t.Errorf("purge: got %d %v, want 2", n, err)
		}
	})
}
