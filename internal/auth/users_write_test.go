package auth

import (
	"context"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		us := cityAndDistricts(t, e)
		district := e.as(t, "admin-410105")
		clerk := us["jinshui-clerk"].ID
		tests := []struct {
			name   string
			id     int64
			upd    UserUpdate
			code   apperr.Code
			field  string
			audits int
		}{
			{"rename", clerk, UserUpdate{DisplayName: ptr("  李网格  ")}, "", "", 1},
			{"same name again writes nothing", clerk, UserUpdate{DisplayName: ptr("李网格")}, "", "", 0},
			{"move within district", clerk, UserUpdate{UnitCode: ptr("410105001")}, "", "", 1},
			{"move out of district", clerk, UserUpdate{UnitCode: ptr("410102")}, apperr.Invalid, "unit_code", 0},
			{"unknown staff", clerk, UserUpdate{StaffID: ptr(int64(77))}, apperr.Invalid, "staff_id", 0},
			{"long name", clerk, UserUpdate{DisplayName: ptr(strings.Repeat("长", 65))}, apperr.Invalid, "display_name", 0},
			{"other district's user", us["zhongyuan-clerk"].ID, UserUpdate{DisplayName: ptr("x")}, apperr.NotFound, "", 0},
			{"disable self", us["admin-410105"].ID, UserUpdate{Disabled: ptr(true)}, apperr.Conflict, "", 0},
			{"disable clerk", clerk, UserUpdate{Disabled: ptr(true)}, "", "", 1},
			{"enable clerk", clerk, UserUpdate{Disabled: ptr(false)}, "", "", 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.audits(t, "user.update", "success")
				u, err := e.svc.UpdateUser(district, tt.id, tt.upd)
				switch {
				case tt.field != "":
					wantField(t, err, tt.field)
				default:
					wantCode(t, err, tt.code, "")
				}
				if got := e.audits(t, "user.update", "success") - before; got != tt.audits {
					t.Fatalf("got %d new user.update rows, want %d", got, tt.audits)
				}
				if err == nil && tt.upd.DisplayName != nil && u.DisplayName != "李网格" {
					t.Fatalf("got display name %q, want 李网格", u.DisplayName)
				}
			})
		}
	})
}

func TestTakeoverRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cityAndDistricts(t, e)
		// A city-wide administrator whose home unit lies in 金水区.
		boss := e.user(t, "city-boss", "410105", "admin@410100")
		district := e.as(t, "admin-410105")
		err := e.svc.SetPassword(district, boss.ID, "Another-Road#99")
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.UpdateUser(district, boss.ID, UserUpdate{Disabled: ptr(true)})
		wantCode(t, err, apperr.Forbidden, "")
		_, err = e.svc.User(district, boss.ID)
		if err != nil {
			t.Fatalf("got %v reading a user of the district, want success", err)
		}
		if _, err := e.svc.Login(context.Background(), "city-boss", testPassword, KindWeb); err != nil {
			t.Fatalf("got %v, want the old password to still work", err)
		}
	})
}

func TestGrants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		us := cityAndDistricts(t, e)
		district := e.as(t, "admin-410105")
		clerk := us["jinshui-clerk"].ID
		g, err := e.svc.AddGrant(district, clerk, GrantInput{Role: "viewer", ScopeCode: "410105001"})
		if err != nil || g.ID == 0 || g.ScopeName != "经八路街道" {
			t.Fatalf("got %+v, %v; want a viewer grant over the street", g, err)
		}
		_, err = e.svc.AddGrant(district, clerk, GrantInput{Role: "viewer", ScopeCode: "410105001"})
		wantCode(t, err, apperr.Conflict, "")
		_, err = e.svc.AddGrant(district, clerk, GrantInput{Role: "viewer", ScopeCode: "410102"})
		wantField(t, err, "scope_code")
		_, err = e.svc.AddGrant(district, clerk, GrantInput{Role: "nosuch", ScopeCode: "410105"})
		wantField(t, err, "role")
		_, err = e.svc.AddGrant(district, us["zhongyuan-clerk"].ID, GrantInput{Role: "viewer", ScopeCode: "410105"})
		wantCode(t, err, apperr.NotFound, "")
		// The new grant takes effect at the clerk's next request.
		ctx := e.as(t, "jinshui-clerk")
		if _, _, err := e.svc.Users(ctx, UserFilter{}); err != nil {
			t.Fatalf("got %v listing users with viewer, want success", err)
		}
		wantCode(t, e.svc.RemoveGrant(district, clerk, 999999), apperr.NotFound, "")
		wantCode(t, e.svc.RemoveGrant(district, us["admin-410102"].ID, 1), apperr.NotFound, "")
		if err := e.svc.RemoveGrant(district, clerk, g.ID); err != nil {
			t.Fatal(err)
		}
		u, _ := e.svc.User(district, clerk)
		if len(u.Grants) != 0 {
			t.Fatalf("got grants %+v after removal, want none", u.Grants)
		}
		if a, r := e.audits(t, "user.grant.add", "success"), e.audits(t, "user.grant.remove", "success"); a != 1 || r != 1 {
			t.Fatalf("got %d add and %d remove audits, want 1 and 1", a, r)
		}
	})
}

func TestChangeOwnPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.user(t, "clerk", "410105")
		ctx := e.as(t, "clerk")
		tests := []struct {
			name, old, new, field, reason string
		}{
			{"wrong old", "Not-The-Password#1", "Another-Road#99", "old_password", ""},
			{"same", testPassword, testPassword, "new_password", "password_reused"},
			{"too short", testPassword, "Abcdefgh1", "new_password", ReasonPasswordTooShort},
			{"contains name", testPassword, "my-Clerk-Road#99", "new_password", ReasonPasswordBlocklisted},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := e.svc.ChangeOwnPassword(ctx, tt.old, tt.new)
				wantField(t, err, tt.field)
				if got := apperr.As(err).Reason; got != tt.reason {
					t.Fatalf("got reason %q, want %q", got, tt.reason)
				}
			})
		}
		if err := e.svc.ChangeOwnPassword(ctx, testPassword, "Another-Road#99"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Login(context.Background(), "clerk", testPassword, KindWeb); !apperr.Is(err, apperr.Unauthenticated) {
			t.Fatalf("got %v with the old password, want unauthenticated", err)
		}
		if _, err := e.svc.Login(context.Background(), "clerk", "Another-Road#99", KindWeb); err != nil {
			t.Fatalf("got %v with the new password, want success", err)
		}
		if n := e.audits(t, "user.password", "success"); n != 1 {
			t.Fatalf("got %d user.password audits, want 1", n)
		}
		err := e.svc.ChangeOwnPassword(actor.With(context.Background(), actor.SystemActor("cli")), "a", "b")
		wantCode(t, err, apperr.Unauthenticated, "")
	})
}

func TestSetPasswordUnlocks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, "clerk", "410105")
		for i := 0; i < 5; i++ {
			_, _ = e.svc.Login(withIP("10.9.9.9"), "clerk", "Wrong-Password#1", KindWeb)
		}
		_, err := e.svc.Login(context.Background(), "clerk", testPassword, KindWeb)
		wantCode(t, err, apperr.Locked, ReasonAccountLocked)
		if err := e.svc.SetPassword(e.sys, u.ID, "Another-Road#99"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Login(context.Background(), "clerk", "Another-Road#99", KindWeb); err != nil {
			t.Fatalf("got %v after an administrator reset, want success", err)
		}
		wantField(t, e.svc.SetPassword(e.sys, u.ID, "short"), "password")
	})
}
