package auth

import (
	"context"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// BenchmarkAuthenticate measures turning a session token into an actor, which
// every authenticated request does, on each engine.
func BenchmarkAuthenticate(b *testing.B) {
	for _, engine := range dbtest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := newEnv(b, dbtest.Open(b, engine))
			e.user(b, "admin-410105", "410105", "admin@410105", "viewer@410100")
			s, err := e.svc.Login(context.Background(), "admin-410105", testPassword, KindWeb)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := e.svc.Authenticate(ctx, s.Token, KindWeb); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := e.svc.Authenticate(ctx, s.Token, KindWeb); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkLoginFailure compares a wrong password for a known name with any
// password for an unknown one, at the default argon2 cost: the two should
// take the same time, so response times do not reveal which names exist.
func BenchmarkLoginFailure(b *testing.B) {
	e := newEnv(b, dbtest.Open(b, db.SQLite))
	e.user(b, "known-user", "410105")
	opts := DefaultOptions()
	opts.MaxFailures, opts.MaxIPFailures = 1<<30, 1<<30 // measure the check, not the lock
	svc := NewService(e.d, e.svc.audit, e.clk, nil, opts)
	// The stored hash gets the default cost too, as in production.
	if err := svc.SetPassword(e.sys, 1, "Known-Road#2026"); err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"known-user", "unknown-user"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Login(context.Background(), name, "Wrong-Road#2026", KindWeb); err == nil {
					b.Fatal("login succeeded with a wrong password")
				}
			}
		})
	}
}
