package auth

import (
	"context"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// cityAndDistricts creates the city administrator, one per district and a
// clerk in each district.
func cityAndDistricts(t *testing.T, e *env) map[string]User {
	t.Helper()
	return map[string]User{
		"admin":           e.user(t, "admin", "410100", "admin@410100"),
		"admin-410105":    e.user(t, "admin-410105", "410105", "admin@410105"),
		"admin-410102":    e.user(t, "admin-410102", "410102", "admin@410102"),
		"jinshui-clerk":   e.user(t, "jinshui-clerk", "410105001001"),
		"zhongyuan-clerk": e.user(t, "zhongyuan-clerk", "410102"),
	}
}

func names(us []User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username
	}
	return out
}

func TestUserScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		us := cityAndDistricts(t, e)
		district := e.as(t, "admin-410105")
		list, total, err := e.svc.Users(district, UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if got := names(list); total != 2 || len(got) != 2 || got[0] != "admin-410105" || got[1] != "jinshui-clerk" {
			t.Fatalf("got %v (total %d), want [admin-410105 jinshui-clerk] (2)", got, total)
		}
		if len(list[0].Grants) != 1 || list[0].Grants[0].Role != "admin" {
			t.Fatalf("got grants %+v, want admin@410105", list[0].Grants)
		}
		reads := []struct {
			user string
			code apperr.Code
		}{
			{"jinshui-clerk", ""},
			{"admin-410105", ""},
			{"zhongyuan-clerk", apperr.NotFound},
			{"admin", apperr.NotFound},
		}
		for _, r := range reads {
			t.Run("read "+r.user, func(t *testing.T) {
				u, err := e.svc.User(district, us[r.user].ID)
				if got := apperr.CodeOf(err); got != r.code {
					t.Fatalf("got %v, want code %q", err, r.code)
				}
				if err == nil && u.Username != r.user {
					t.Fatalf("got %s, want %s", u.Username, r.user)
				}
			})
		}
		_, err = e.svc.User(district, 999999)
		wantCode(t, err, apperr.NotFound, "")
		city := e.as(t, "admin")
		if _, total, _ := e.svc.Users(city, UserFilter{}); total != 5 {
			t.Fatalf("got %d users for the city admin, want 5", total)
		}
		clerk := e.as(t, "jinshui-clerk")
		_, _, err = e.svc.Users(clerk, UserFilter{})
		wantCode(t, err, apperr.Forbidden, "")
	})
}

func TestUsersFilter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cityAndDistricts(t, e)
		district := e.as(t, "admin-410105")
		city := e.as(t, "admin")
		tests := []struct {
			name  string
			ctx   context.Context
			f     UserFilter
			want  []string
			total int
			code  apperr.Code
		}{
			{"unit below scope", district, UserFilter{UnitCode: "410105001"}, []string{"jinshui-clerk"}, 1, ""},
			{"unit above scope", district, UserFilter{UnitCode: "410100"}, []string{"admin-410105", "jinshui-clerk"}, 2, ""},
			{"other district", district, UserFilter{UnitCode: "410102"}, nil, 0, apperr.NotFound},
			{"unknown unit", city, UserFilter{UnitCode: "999999"}, nil, 0, apperr.NotFound},
			{"search", city, UserFilter{Q: "CLERK"}, []string{"jinshui-clerk", "zhongyuan-clerk"}, 2, ""},
			{"search is literal", city, UserFilter{Q: "%"}, []string{}, 0, ""},
			{"page", city, UserFilter{Limit: 2, Offset: 1}, []string{"admin-410102", "admin-410105"}, 5, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, total, err := e.svc.Users(tt.ctx, tt.f)
				if got := apperr.CodeOf(err); got != tt.code {
					t.Fatalf("got %v, want code %q", err, tt.code)
				}
				if err != nil {
					return
				}
				got := names(list)
				if total != tt.total || len(got) != len(tt.want) {
					t.Fatalf("got %v (total %d), want %v (%d)", got, total, tt.want, tt.total)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Fatalf("got %v, want %v", got, tt.want)
					}
				}
			})
		}
	})
}

func TestCreateUserRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cityAndDistricts(t, e)
		if _, err := e.svc.CreateRole(e.sys, RoleInput{Name: "usermgr", Title: "账号管理",
			Permissions: []string{"user.read", "user.write"}}); err != nil {
			t.Fatal(err)
		}
		e.user(t, "hr-410105", "410105", "usermgr@410105")
		district, hr := e.as(t, "admin-410105"), e.as(t, "hr-410105")
		ok := func(f func(*UserInput)) UserInput {
			in := UserInput{Username: "newbie", Password: testPassword, UnitCode: "410105001"}
			f(&in)
			return in
		}
		staff := int64(424242)
		tests := []struct {
			name  string
			ctx   context.Context
			in    UserInput
			code  apperr.Code
			field string
		}{
			{"duplicate name", district, ok(func(in *UserInput) { in.Username = "jinshui-clerk" }), apperr.Conflict, ""},
			{"duplicate in other case", district, ok(func(in *UserInput) { in.Username = "Jinshui-Clerk" }), apperr.Conflict, ""},
			{"bad name", district, ok(func(in *UserInput) { in.Username = "张三" }), apperr.Invalid, "username"},
			{"weak password", district, ok(func(in *UserInput) { in.Password = "Abcdefgh1" }), apperr.Invalid, "password"},
			{"no unit", district, ok(func(in *UserInput) { in.UnitCode = "" }), apperr.Invalid, "unit_code"},
			{"unknown unit", district, ok(func(in *UserInput) { in.UnitCode = "999999" }), apperr.Invalid, "unit_code"},
			{"unit out of scope", district, ok(func(in *UserInput) { in.UnitCode = "410102" }), apperr.Invalid, "unit_code"},
			{"unknown staff", district, ok(func(in *UserInput) { in.StaffID = &staff }), apperr.Invalid, "staff_id"},
			{"unknown role", district, ok(func(in *UserInput) { in.Grants = []GrantInput{{"boss", "410105"}} }), apperr.Invalid, "grants[0].role"},
			{"scope out of scope", district, ok(func(in *UserInput) { in.Grants = []GrantInput{{"viewer", "410100"}} }), apperr.Invalid, "grants[0].scope_code"},
			{"escalation to admin", hr, ok(func(in *UserInput) { in.Grants = []GrantInput{{"admin", "410105"}} }), apperr.Forbidden, ""},
			{"escalation to viewer", hr, ok(func(in *UserInput) { in.Grants = []GrantInput{{"viewer", "410105001"}} }), apperr.Forbidden, ""},
			{"no user.write", e.as(t, "jinshui-clerk"), ok(func(*UserInput) {}), apperr.Forbidden, ""},
			{"no actor", context.Background(), ok(func(*UserInput) {}), apperr.Unauthenticated, ""},
		}
		users, audits := e.count(t, `SELECT count(*) FROM users`), e.count(t, `SELECT count(*) FROM audit_log`)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.CreateUser(tt.ctx, tt.in)
				if tt.field != "" {
					wantField(t, err, tt.field)
				} else {
					wantCode(t, err, tt.code, "")
				}
				if n := e.count(t, `SELECT count(*) FROM users`); n != users {
					t.Fatalf("got %d users, want %d", n, users)
				}
				if n := e.count(t, `SELECT count(*) FROM audit_log`); n != audits {
					t.Fatalf("got %d audit rows, want %d", n, audits)
				}
			})
		}
		u, err := e.svc.CreateUser(hr, ok(func(in *UserInput) { in.Grants = []GrantInput{{"usermgr", "410105001"}} }))
		if err != nil || len(u.Grants) != 1 || u.Grants[0].ScopeName != "经八路街道" {
			t.Fatalf("got %+v, %v; want newbie with usermgr over the street", u, err)
		}
	})
}

func TestCreateUserAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ctx := context.Background()
		users, audits := e.count(t, `SELECT count(*) FROM users`), e.count(t, `SELECT count(*) FROM audit_log`)
		// Make the grant insert fail after the user row was written.
		if _, err := d.Exec(ctx, `ALTER TABLE grants RENAME TO grants_away`); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.CreateUser(e.sys, UserInput{Username: "half", Password: testPassword, UnitCode: "410105",
			Grants: []GrantInput{{"viewer", "410105"}}})
		if _, rerr := d.Exec(ctx, `ALTER TABLE grants_away RENAME TO grants`); rerr != nil {
			t.Fatal(rerr)
		}
		wantCode(t, err, apperr.Internal, "")
		if n := e.count(t, `SELECT count(*) FROM users`); n != users {
			t.Fatalf("got %d users after a failed create, want %d", n, users)
		}
		if n := e.count(t, `SELECT count(*) FROM audit_log`); n != audits {
			t.Fatalf("got %d audit rows after a failed create, want %d", n, audits)
		}
		if _, err := e.svc.UserByName(ctx, "half"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("got %v, want not_found", err)
		}
	})
}

func TestCreateUserAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		u := e.user(t, "auditee", "410105", "viewer@410105")
		var who, object, detail string
		if err := d.QueryRow(context.Background(), `SELECT username, object_id, detail FROM audit_log
			WHERE action = 'user.create'`).Scan(&who, &object, &detail); err != nil {
			t.Fatal(err)
		}
		if who != "test" || object != "auditee" || detail != `{"grants":["viewer@410105"],"unit_code":"410105"}` {
			t.Fatalf("got %s %s %s, want test auditee with grants and unit", who, object, detail)
		}
		var hash string
		if err := d.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if ok, _ := verifyPassword(hash, testPassword); !ok {
			t.Fatalf("got stored hash %q not matching the password", hash)
		}
	})
}
