package auth

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestLoginOK(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "admin-410105", "410105", "admin@410105")
		for _, kind := range []string{KindWeb, KindAPI} {
			t.Run(kind, func(t *testing.T) {
				s, err := e.svc.Login(withIP("10.0.0.1"), " Admin-410105 ", testPassword, kind)
				if err != nil {
					t.Fatalf("got %v, want a session", err)
				}
				if len(s.Token) != 43 || s.Kind != kind || s.User.Username != "admin-410105" {
					t.Fatalf("got token len %d, kind %q, user %q; want 43, %q, admin-410105",
						len(s.Token), s.Kind, s.User.Username, kind)
				}
				if (s.CSRFToken != "") != (kind == KindWeb) {
					t.Fatalf("got CSRF token %q for kind %s, want one only for web", s.CSRFToken, kind)
				}
				if want := e.clk.Now().Add(12 * time.Hour); !s.ExpiresAt.Equal(want) {
					t.Fatalf("got expiry %v, want %v", s.ExpiresAt, want)
				}
				if n := e.count(t, `SELECT count(*) FROM sessions WHERE token_hash = ?`, s.Token); n != 0 {
					t.Fatalf("got %d sessions stored under the raw token, want 0 (only its hash)", n)
				}
				if n := e.count(t, `SELECT count(*) FROM sessions WHERE token_hash = ?`, hashToken(s.Token)); n != 1 {
					t.Fatalf("got %d sessions under the token hash, want 1", n)
				}
			})
		}
		if got := e.audits(t, "auth.login", "success"); got != 2 {
			t.Fatalf("got %d successful login audits, want 2", got)
		}
		var ip, role string
		if err := d.QueryRow(context.Background(), `SELECT ip, role FROM audit_log WHERE action = 'auth.login'
			ORDER BY seq DESC LIMIT 1`).Scan(&ip, &role); err != nil {
			t.Fatal(err)
		}
		if ip != "10.0.0.1" || role != "admin" {
			t.Fatalf("got audit ip %q role %q, want 10.0.0.1 admin", ip, role)
		}
		_, err := e.svc.Login(context.Background(), "admin-410105", testPassword, "cookie")
		wantField(t, err, "kind")
	})
}

func TestLockout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "wangwu", "410105")
		for _, tt := range []struct{ name, user string }{{"known user", "wangwu"}, {"unknown user", "nobody"}} {
			t.Run(tt.name, func(t *testing.T) {
				ctx := withIP("10.1.1." + fmt.Sprint(len(tt.user)))
				for i := 1; i <= 4; i++ {
					_, err := e.svc.Login(ctx, tt.user, "Wrong-Password#1", KindWeb)
					wantCode(t, err, apperr.Unauthenticated, "")
				}
				_, err := e.svc.Login(ctx, tt.user, "Wrong-Password#1", KindWeb)
				wantCode(t, err, apperr.Locked, ReasonAccountLocked)
				end := e.clk.Now().Add(30 * time.Minute).In(time.FixedZone("", 8*3600)).Format("2006-01-02 15:04:05 +08:00")
				if !strings.Contains(err.Error(), end) {
					t.Fatalf("got %q, want the lock's end %s in China time", err, end)
				}
				_, err = e.svc.Login(ctx, tt.user, testPassword, KindWeb)
				wantCode(t, err, apperr.Locked, ReasonAccountLocked)
				e.clk.Advance(29 * time.Minute)
				_, err = e.svc.Login(ctx, tt.user, testPassword, KindWeb)
				wantCode(t, err, apperr.Locked, ReasonAccountLocked)
				e.clk.Advance(time.Minute + time.Second)
				_, err = e.svc.Login(ctx, tt.user, testPassword, KindWeb)
				if tt.user == "wangwu" && err != nil {
					t.Fatalf("got %v after the lock ended, want success", err)
				}
				if tt.user == "nobody" {
					wantCode(t, err, apperr.Unauthenticated, "")
				}
			})
		}
		if got := e.audits(t, "auth.lockout", "success"); got != 2 {
			t.Fatalf("got %d auth.lockout rows, want 2", got)
		}
		// 5 wrong + 2 refused while locked per name, and the unknown name's last try.
		if got := e.audits(t, "auth.login", "failure"); got != 15 {
			t.Fatalf("got %d failed auth.login rows, want 15", got)
		}
		if got := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'auth.lockout' AND username = 'wangwu'
			AND unit_code = '410105' AND ip <> ''`); got != 1 {
			t.Fatalf("got %d lockout rows naming wangwu, his unit and the address, want 1", got)
		}
		if res, err := e.svc.audit.Verify(context.Background()); err != nil || !res.OK {
			t.Fatalf("got audit verification %+v, %v; want an intact chain", res, err)
		}
	})
}

func TestSuccessClearsFailures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "zhaoliu", "410105")
		ctx := withIP("10.2.2.2")
		for i := 0; i < 4; i++ {
			_, _ = e.svc.Login(ctx, "zhaoliu", "Wrong-Password#1", KindWeb)
		}
		if _, err := e.svc.Login(ctx, "zhaoliu", testPassword, KindWeb); err != nil {
			t.Fatalf("got %v, want success on the 5th try", err)
		}
		for i := 0; i < 4; i++ {
			_, err := e.svc.Login(ctx, "zhaoliu", "Wrong-Password#1", KindWeb)
			wantCode(t, err, apperr.Unauthenticated, "")
		}
	})
}

func TestFailuresOutsideWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "sunqi", "410105")
		ctx := withIP("10.3.3.3")
		for i := 0; i < 4; i++ {
			_, _ = e.svc.Login(ctx, "sunqi", "Wrong-Password#1", KindWeb)
		}
		e.clk.Advance(15*time.Minute + time.Second)
		_, err := e.svc.Login(ctx, "sunqi", "Wrong-Password#1", KindWeb)
		wantCode(t, err, apperr.Unauthenticated, "")
	})
}

func TestIPLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "zhouba", "410105")
		ctx := withIP("192.0.2.7")
		// Twenty failures spread over names, so no single name locks.
		for i := 0; i < 20; i++ {
			_, err := e.svc.Login(ctx, fmt.Sprintf("guess%02d", i), "Wrong-Password#1", KindWeb)
			wantCode(t, err, apperr.Unauthenticated, "")
		}
		_, err := e.svc.Login(ctx, "zhouba", testPassword, KindWeb)
		wantCode(t, err, apperr.TooManyRequests, ReasonRateLimited)
		if _, err := e.svc.Login(withIP("192.0.2.8"), "zhouba", testPassword, KindWeb); err != nil {
			t.Fatalf("got %v from another address, want success", err)
		}
		e.clk.Advance(15*time.Minute + time.Second)
		if _, err := e.svc.Login(ctx, "zhouba", testPassword, KindWeb); err != nil {
			t.Fatalf("got %v after the window, want success", err)
		}
		if got := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND result = 'failure'
			AND detail LIKE '%rate_limited%'`); got != 1 {
			t.Fatalf("got %d rate-limited audit rows, want 1", got)
		}
	})
}

func TestDisabledLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, "wujiu", "410105")
		off := true
		if _, err := e.svc.UpdateUser(e.sys, u.ID, UserUpdate{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		_, errDisabled := e.svc.Login(context.Background(), "wujiu", testPassword, KindWeb)
		wantCode(t, errDisabled, apperr.Unauthenticated, "")
		_, errWrong := e.svc.Login(context.Background(), "nobody", testPassword, KindWeb)
		if errDisabled.Error() != errWrong.Error() {
			t.Fatalf("got %q for a disabled account and %q for an unknown one, want the same", errDisabled, errWrong)
		}
	})
}

func TestLoginUpgradesHash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, "oldtimer", "410105")
		stored := func() string {
			var h string
			if err := d.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		before := stored()
		opts := e.svc.opts
		opts.Argon2Memory = 2048
		stronger := NewService(d, e.svc.audit, e.clk, nil, opts)
		if _, err := e.svc.Login(context.Background(), "oldtimer", testPassword, KindWeb); err != nil {
			t.Fatal(err)
		}
		if got := stored(); got != before {
			t.Fatalf("got hash changed to %q by a login at the same cost, want it kept", got)
		}
		if _, err := stronger.Login(context.Background(), "oldtimer", testPassword, KindWeb); err != nil {
			t.Fatal(err)
		}
		after := stored()
		if !strings.HasPrefix(after, "$argon2id$v=19$m=2048,t=1,p=1$") {
			t.Fatalf("got hash %q after a login with m=2048, want it upgraded", after)
		}
		if _, err := stronger.Login(context.Background(), "oldtimer", testPassword, KindWeb); err != nil {
			t.Fatalf("got %v with the upgraded hash, want success", err)
		}
	})
}

func TestRelockAfterLockEnds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "qianshi", "410105")
		// A lock shorter than the window, so the old failures are still in it.
		opts := e.svc.opts
		opts.LockFor = 5 * time.Minute
		svc := NewService(d, e.svc.audit, e.clk, nil, opts)
		ctx := withIP("10.4.4.4")
		fail := func() error {
			_, err := svc.Login(ctx, "qianshi", "Wrong-Password#1", KindWeb)
			return err
		}
		for i := 0; i < 5; i++ {
			_ = fail()
		}
		wantCode(t, fail(), apperr.Locked, ReasonAccountLocked)
		e.clk.Advance(5 * time.Minute)
		// The failures that caused the lock do not count again.
		for i := 1; i <= 4; i++ {
			wantCode(t, fail(), apperr.Unauthenticated, "")
		}
		wantCode(t, fail(), apperr.Locked, ReasonAccountLocked)
		if got := e.audits(t, "auth.lockout", "success"); got != 2 {
			t.Fatalf("got %d lockouts, want 2", got)
		}
	})
}
