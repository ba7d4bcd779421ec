package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/apptest"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/clock"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
)

// testPassword satisfies the mlps3 policy.
const testPassword = "Kx7#mPq2vLw9"

// fixture is a running API over the wired app (internal/apptest) on a
// test database holding a city (410100) with two districts (410105 金水区,
// 410102 中原区), each with a street and two communities, and three
// administrators.
type fixture struct {
	t     testing.TB
	app   *app.App
	db    *db.DB
	clock *clock.Fake
	org   *org.Service
	auth  *auth.Service
	audit *audit.Log
	srv   *httptest.Server
	sys   context.Context
}

// fixtureOption adjusts the app a fixture is built on.
type fixtureOption func(*apptest.Options)

// withConfig changes the app's configuration (access limits, the export
// approval threshold …) before it is built.
func withConfig(change func(*config.Config)) fixtureOption {
	return func(o *apptest.Options) {
		prev := o.Config
		o.Config = func(c *config.Config) {
			if prev != nil {
				prev(c)
			}
			change(c)
		}
	}
}

func newFixture(t testing.TB, d *db.DB, opts ...fixtureOption) *fixture {
	t.Helper()
	var o apptest.Options
	for _, opt := range opts {
		opt(&o)
	}
	a := apptest.New(t, d, o)
	clk, ok := a.Clock.(*clock.Fake)
	if !ok {
		t.Fatalf("app clock is %T, want *clock.Fake", a.Clock)
	}
	f := &fixture{t: t, app: a, db: d, clock: clk, org: a.Org, audit: a.Audit, auth: a.Auth,
		sys: actor.With(context.Background(), actor.SystemActor("test"))}
	units := []org.UnitInput{{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory}}
	for _, dist := range []struct{ code, name string }{{"410105", "金水区"}, {"410102", "中原区"}} {
		units = append(units, org.UnitInput{Code: dist.code, Name: dist.name, Level: org.District, Kind: org.Territory, ParentCode: "410100"})
		street := dist.code + "001"
		units = append(units, org.UnitInput{Code: street, Name: dist.name + "一街道", Level: org.Street, Kind: org.Territory, ParentCode: dist.code})
		for i := 1; i <= 2; i++ {
			units = append(units, org.UnitInput{Code: fmt.Sprintf("%s%03d", street, i), Name: fmt.Sprintf("%s社区%d", dist.name, i),
				Level: org.Community, Kind: org.Territory, ParentCode: street})
		}
	}
	if _, err := f.org.ImportUnits(f.sys, units); err != nil {
		t.Fatalf("import units: %v", err)
	}
	for _, u := range []struct{ name, unit string }{{"admin", "410100"}, {"admin-410105", "410105"}, {"admin-410102", "410102"}} {
		f.createUser(u.name, u.unit, "admin")
	}
	f.srv = httptest.NewServer(httpx.Meta(httpx.Options{}, New(a)))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) createUser(name, unit, role string) auth.User {
	f.t.Helper()
	in := auth.UserInput{Username: name, DisplayName: name, Password: testPassword, UnitCode: unit}
	if role != "" {
		in.Grants = []auth.GrantInput{{Role: role, ScopeCode: unit}}
	}
	u, err := f.auth.CreateUser(f.sys, in)
	if err != nil {
		f.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// response is a decoded API response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorBody decodes an error response.
func (r response) errorBody(t testing.TB) httpx.ErrorDetail {
	t.Helper()
	var b httpx.ErrorBody
	r.json(t, &b)
	return b.Error
}

// do sends a request with an optional bearer token and JSON body (a string
// is sent as is, anything else marshalled).
func (f *fixture) do(method, path, token string, body any) response {
	f.t.Helper()
	return f.doHeader(method, path, token, body, nil)
}

// doHeader is do with extra request headers.
func (f *fixture) doHeader(method, path, token string, body any, header map[string]string) response {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				f.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// login returns a bearer token for username.
func (f *fixture) login(username string) string {
	f.t.Helper()
	res := f.do("POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": testPassword})
	if res.status != http.StatusOK {
		f.t.Fatalf("login %s: got %d %s, want 200", username, res.status, res.body)
	}
	var s struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		User      auth.User `json:"user"`
	}
	res.json(f.t, &s)
	if s.Token == "" || s.ExpiresAt.IsZero() || s.User.Username != username {
		f.t.Fatalf("login %s: got %s, want token, expires_at and the user", username, res.body)
	}
	return s.Token
}
