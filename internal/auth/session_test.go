package auth

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
)

func login(t *testing.T, e *env, name, kind string) Session {
	t.Helper()
	s, err := e.svc.Login(context.Background(), name, testPassword, kind)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	return s
}

func TestAuthenticateActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "street-admin", "410105001", "admin@410105001", "viewer@410105")
		s := login(t, e, "street-admin", KindWeb)
		a, got, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb)
		if err != nil {
			t.Fatal(err)
		}
		if a.Username != "street-admin" || a.UnitCode != "410105001" || a.SessionKind != KindWeb || a.UserID == 0 {
			t.Fatalf("got actor %+v, want street-admin of 410105001 on the web", a)
		}
		if len(a.Grants) != 2 || a.Grants[0].ScopePath != "/410100/410105/410105001/" ||
			a.Grants[1].ScopePath != "/410100/410105/" {
			t.Fatalf("got grants %+v, want admin over the street and viewer over the district", a.Grants)
		}
		checks := []struct {
			perm, path string
			want       bool
		}{
			{rbac.UserWrite, "/410100/410105/410105001/410105001001/", true},
			{rbac.UserWrite, "/410100/410105/", false},
			{rbac.OrgRead, "/410100/410105/", true},
			{rbac.OrgRead, "/410100/410102/", false},
		}
		for _, c := range checks {
			if got := rbac.Can(a, c.perm, c.path); got != c.want {
				t.Fatalf("got Can(%s, %s) = %v, want %v", c.perm, c.path, got, c.want)
			}
		}
		if got.CSRFToken != s.CSRFToken || !CheckCSRF(got, s.CSRFToken) || CheckCSRF(got, "forged") {
			t.Fatalf("got CSRF %q, want the login's %q accepted and a forged one refused", got.CSRFToken, s.CSRFToken)
		}
		if len(got.User.Grants) != 2 || got.User.Grants[0].ScopeName != "经八路街道" {
			t.Fatalf("got session user grants %+v, want 2 with unit names", got.User.Grants)
		}
	})
}

func TestAuthenticateRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		web := login(t, e, "clerk", KindWeb)
		api := login(t, e, "clerk", KindAPI)
		tests := []struct{ name, token, kind string }{
			{"empty", "", KindWeb},
			{"unknown", "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtYWJjZGVmZ2hpamtsbW5vcA", KindWeb},
			{"web token as api", web.Token, KindAPI},
			{"api token as web", api.Token, KindWeb},
			{"hash instead of token", hashToken(web.Token), KindWeb},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := e.svc.Authenticate(context.Background(), tt.token, tt.kind)
				wantCode(t, err, apperr.Unauthenticated, "")
			})
		}
		if _, s, err := e.svc.Authenticate(context.Background(), api.Token, ""); err != nil || s.CSRFToken != "" {
			t.Fatalf("got %v, CSRF %q for an api token with any kind, want success without CSRF", err, s.CSRFToken)
		}
	})
}

func TestIdleTimeout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		s := login(t, e, "clerk", KindWeb)
		e.clk.Advance(29 * time.Minute)
		if _, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb); err != nil {
			t.Fatalf("got %v at 29 min, want the session alive", err)
		}
		e.clk.Advance(29 * time.Minute) // 29 min after the last request: still alive
		if _, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb); err != nil {
			t.Fatalf("got %v 29 min after activity, want the session alive", err)
		}
		e.clk.Advance(31 * time.Minute)
		_, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb)
		wantCode(t, err, apperr.Unauthenticated, ReasonSessionExpired)
	})
}

func TestAbsoluteTimeout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		s := login(t, e, "clerk", KindAPI)
		for elapsed := 10 * time.Minute; elapsed <= 12*time.Hour; elapsed += 10 * time.Minute {
			e.clk.Advance(10 * time.Minute)
			if _, _, err := e.svc.Authenticate(context.Background(), s.Token, KindAPI); err != nil {
				t.Fatalf("got %v at %v with steady activity, want the session alive", err, elapsed)
			}
		}
		e.clk.Advance(time.Minute) // 12 h 1 min after login
		_, _, err := e.svc.Authenticate(context.Background(), s.Token, KindAPI)
		wantCode(t, err, apperr.Unauthenticated, ReasonSessionExpired)
	})
}

func TestTouchOnlyWhenStale(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		s := login(t, e, "clerk", KindWeb)
		lastSeen := func() time.Time {
			var ts time.Time
			if err := d.QueryRow(context.Background(), `SELECT last_seen_at FROM sessions WHERE token_hash = ?`,
				hashToken(s.Token)).Scan(&ts); err != nil {
				t.Fatal(err)
			}
			return ts
		}
		start := e.clk.Now()
		steps := []struct {
			advance time.Duration
			want    time.Time
		}{
			{30 * time.Second, start},
			{29 * time.Second, start},
			{time.Second, start.Add(time.Minute)},
			{10 * time.Second, start.Add(time.Minute)},
		}
		for i, st := range steps {
			e.clk.Advance(st.advance)
			if _, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb); err != nil {
				t.Fatal(err)
			}
			if got := lastSeen(); !got.Equal(st.want) {
				t.Fatalf("step %d: got last_seen_at %v, want %v", i, got, st.want)
			}
		}
	})
}

func TestLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		s := login(t, e, "clerk", KindWeb)
		other := login(t, e, "clerk", KindWeb)
		if err := e.svc.Logout(context.Background(), s.Token); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb)
		wantCode(t, err, apperr.Unauthenticated, "")
		if _, _, err := e.svc.Authenticate(context.Background(), other.Token, KindWeb); err != nil {
			t.Fatalf("got %v for the other session, want it alive", err)
		}
		if err := e.svc.Logout(context.Background(), s.Token); err != nil {
			t.Fatalf("got %v logging out twice, want nil", err)
		}
		if got := e.audits(t, "auth.logout", "success"); got != 1 {
			t.Fatalf("got %d logout audits, want 1", got)
		}
	})
}

func TestSessionsEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		tests := []struct {
			name   string
			action func(e *env, id int64) error
		}{
			{"disabled", func(e *env, id int64) error {
				off := true
				_, err := e.svc.UpdateUser(e.sys, id, UserUpdate{Disabled: &off})
				return err
			}},
			{"password set", func(e *env, id int64) error {
				return e.svc.SetPassword(e.sys, id, "Another-Road#99")
			}},
		}
		e := newEnv(t, d)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				name := []string{"disabled-user", "reset-user"}[i]
				u := e.user(t, name, "410105")
				s := login(t, e, name, KindWeb)
				if err := tt.action(e, u.ID); err != nil {
					t.Fatal(err)
				}
				_, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb)
				wantCode(t, err, apperr.Unauthenticated, "")
				if n := e.count(t, `SELECT count(*) FROM sessions WHERE user_id = ?`, u.ID); n != 0 {
					t.Fatalf("got %d sessions left, want 0", n)
				}
			})
		}
	})
}

func TestDisabledUserSessionRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, "clerk", "410105")
		s := login(t, e, "clerk", KindWeb)
		// Disabled behind the service's back: the flag alone must stop the session.
		if _, err := d.Exec(context.Background(), `UPDATE users SET disabled = ? WHERE id = ?`, true, u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Authenticate(context.Background(), s.Token, KindWeb)
		wantCode(t, err, apperr.Unauthenticated, "")
	})
}

func TestDeadSessionsPurged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		e.user(t, "other", "410105")
		old := login(t, e, "clerk", KindWeb)
		e.clk.Advance(2 * time.Hour)
		_, _, err := e.svc.Authenticate(context.Background(), old.Token, KindWeb)
		wantCode(t, err, apperr.Unauthenticated, ReasonSessionExpired)
		login(t, e, "other", KindWeb)
		if n := e.count(t, `SELECT count(*) FROM sessions`); n != 2 {
			t.Fatalf("got %d sessions within a day of expiry, want 2", n)
		}
		e.clk.Advance(25 * time.Hour) // both earlier sessions now dead for over a day
		login(t, e, "other", KindWeb)
		if n := e.count(t, `SELECT count(*) FROM sessions`); n != 1 {
			t.Fatalf("got %d sessions a day after expiry, want 1 (the new one)", n)
		}
	})
}

func TestLoginRequiredFields(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, err := e.svc.Login(context.Background(), " ", "", KindWeb)
		wantField(t, err, "username")
		wantField(t, err, "password")
		if n := e.audits(t, "auth.login", "failure"); n != 0 {
			t.Fatalf("got %d failure audits for an empty form, want 0", n)
		}
	})
}
