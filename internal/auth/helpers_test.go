package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// testPassword satisfies the mlps3 policy for every test user name.
const testPassword = "Huayuan-Road#88"

// env is a service on a fresh database with a small org tree:
// 郑州市 410100 → 金水区 410105 (→ street 410105001 → community 410105001001)
// and 中原区 410102.
type env struct {
	d   *db.DB
	svc *Service
	clk *clock.Fake
	sys context.Context
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	opts := DefaultOptions()
	// A cheap argon2 cost keeps the suite fast; the format and logic are the same.
	opts.Argon2Memory, opts.Argon2Time, opts.Argon2Threads = 1024, 1, 1
	e := &env{d: d, clk: clk, svc: NewService(d, audit.New(d, clk), clk, nil, opts),
		sys: actor.With(context.Background(), actor.SystemActor("test"))}
	units := []struct{ code, name, level, parent, path string }{
		{"410100", "郑州市", "city", "", "/410100/"},
		{"410105", "金水区", "district", "410100", "/410100/410105/"},
		{"410102", "中原区", "district", "410100", "/410100/410102/"},
		{"410105001", "经八路街道", "street", "410105", "/410100/410105/410105001/"},
		{"410105001001", "省委社区", "community", "410105001", "/410100/410105/410105001/410105001001/"},
	}
	for _, u := range units {
		var parent any
		if u.parent != "" {
			parent = u.parent
		}
		if _, err := d.Exec(context.Background(), `INSERT INTO org_units (code, name, level, kind, parent_code,
			path, created_at, updated_at) VALUES (?, ?, ?, 'territory', ?, ?, ?, ?)`,
			u.code, u.name, u.level, parent, u.path, clk.Now(), clk.Now()); err != nil {
			t.Fatalf("insert unit %s: %v", u.code, err)
		}
	}
	if err := e.svc.EnsureBuiltinRoles(context.Background()); err != nil {
		t.Fatalf("built-in roles: %v", err)
	}
	return e
}

// user creates an account as the system, with grants "role@scope".
func (e *env) user(t testing.TB, name, unit string, grants ...string) User {
	t.Helper()
	in := UserInput{Username: name, DisplayName: name, Password: testPassword, UnitCode: unit}
	for _, g := range grants {
		role, scope, _ := strings.Cut(g, "@")
		in.Grants = append(in.Grants, GrantInput{Role: role, ScopeCode: scope})
	}
	u, err := e.svc.CreateUser(e.sys, in)
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// as logs name in and returns a context carrying their actor.
func (e *env) as(t testing.TB, name string) context.Context {
	t.Helper()
	s, err := e.svc.Login(context.Background(), name, testPassword, KindAPI)
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	a, _, err := e.svc.Authenticate(context.Background(), s.Token, KindAPI)
	if err != nil {
		t.Fatalf("authenticate %s: %v", name, err)
	}
	return actor.With(context.Background(), a)
}

// count runs a count query.
func (e *env) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// audits counts audit rows of an action and result.
func (e *env) audits(t testing.TB, action, result string) int {
	t.Helper()
	return e.count(t, `SELECT count(*) FROM audit_log WHERE action = ? AND result = ?`, action, result)
}

// wantCode fails unless err carries code (and reason, when given).
func wantCode(t testing.TB, err error, code apperr.Code, reason string) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
	if reason != "" {
		if got := apperr.As(err).Reason; got != reason {
			t.Fatalf("got reason %q (%v), want %q", got, err, reason)
		}
	}
}

// wantField fails unless err is invalid input naming field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	wantCode(t, err, apperr.Invalid, "")
	if _, ok := apperr.As(err).Fields[field]; !ok {
		t.Fatalf("got fields %v, want field %q", apperr.As(err).Fields, field)
	}
}

func withIP(ip string) context.Context {
	return actor.WithMeta(context.Background(), actor.Meta{IP: ip, RequestID: "req-test"})
}
