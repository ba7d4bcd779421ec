package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
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
	"gridgov/internal/http/web"
	"gridgov/internal/org"
)

// testPassword satisfies the mlps3 policy and contains no login name.
const testPassword = "Zx9!kLm#Qw27pT"

// fixture is the console on a real database holding a small tree:
// 郑州市 410100 → 金水区 410105 (→ 经八路街道 410105001 → two communities)
// and 中原区 410102 (→ 林山寨街道 410102001), with a city administrator
// "admin" and a 金水区 administrator "admin-410105".
type fixture struct {
	// app is the application the console runs on, wired as the binary
	// wires it.
	app  *app.App
	db   *db.DB
	org  *org.Service
	auth *auth.Service
	log  *audit.Log
	srv  *httptest.Server
	// clock is the services' clock; tests move it to expire sessions.
	clock *clock.Fake
}

// newFixture builds the console over the whole app on d; configure, when
// given, changes the configuration first (limits, thresholds, map tiles).
func newFixture(t testing.TB, d *db.DB, configure ...func(*config.Config)) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Now())
	a := apptest.New(t, d, apptest.Options{Clock: clk, Config: func(c *config.Config) {
		for _, fn := range configure {
			fn(c)
		}
	}})
	f := &fixture{app: a, db: d, org: a.Org, auth: a.Auth, log: a.Audit, clock: clk}
	ctx := actor.With(context.Background(), actor.SystemActor("test"))
	units := []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
		{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
		{Code: "410102", Name: "中原区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, Kind: org.Territory, ParentCode: "410105"},
		{Code: "410102001", Name: "林山寨街道", Level: org.Street, Kind: org.Territory, ParentCode: "410102"},
		{Code: "410105001001", Name: "红专路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
		{Code: "410105001002", Name: "纬五路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
	}
	for _, u := range units {
		if _, err := f.org.CreateUnit(ctx, u); err != nil {
			t.Fatalf("create unit %s: %v", u.Code, err)
		}
	}
	f.createUser(t, "admin", "410100")
	f.createUser(t, "admin-410105", "410105")
	f.srv = httptest.NewServer(web.New(a))
	t.Cleanup(f.srv.Close)
	return f
}

// createUser creates an administrator over unit.
func (f *fixture) createUser(t testing.TB, name, unit string) auth.User {
	t.Helper()
	ctx := actor.With(context.Background(), actor.SystemActor("test"))
	u, err := f.auth.CreateUser(ctx, auth.UserInput{Username: name, DisplayName: name, Password: testPassword,
		UnitCode: unit, Grants: []auth.GrantInput{{Role: "admin", ScopeCode: unit}}})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// client is a browser without JavaScript: it keeps cookies and follows
// redirects.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (f *fixture) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.srv.URL, hc: &http.Client{Jar: jar}}
}

// page is a response with its body read.
type page struct {
	status int
	body   string
	url    *url.URL
	header http.Header
}

func (c *client) do(req *http.Request) page {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return page{status: resp.StatusCode, body: string(b), url: resp.Request.URL, header: resp.Header}
}

func (c *client) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form; headers are extra request headers such as Origin.
func (c *client) post(path string, form url.Values, headers ...string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the forms on a page.
func (c *client) csrf(p page) string {
	c.t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		c.t.Fatalf("no csrf field on %s", p.url)
	}
	return m[1]
}

// login logs in through the form and returns the page it lands on.
func (c *client) login(username, password string) page {
	c.t.Helper()
	form := c.get("/login")
	return c.post("/login", url.Values{"csrf": {c.csrf(form)}, "username": {username}, "password": {password}})
}

// mustLogin logs in and fails the test unless it worked.
func (c *client) mustLogin(username string) page {
	c.t.Helper()
	p := c.login(username, testPassword)
	if p.status != http.StatusOK || strings.HasPrefix(p.url.Path, "/login") {
		c.t.Fatalf("login %s: got %d at %s, want 200 past the login page", username, p.status, p.url)
	}
	return p
}

func wantStatus(t testing.TB, p page, want int) {
	t.Helper()
	if p.status != want {
		t.Fatalf("%s: got status %d, want %d\n%s", p.url, p.status, want, excerpt(p.body))
	}
}

func wantBody(t testing.TB, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Errorf("%s: body lacks %q\n%s", p.url, s, excerpt(p.body))
		}
	}
}

func wantNoBody(t testing.TB, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(p.body, s) {
			t.Errorf("%s: body has %q, want it absent", p.url, s)
		}
	}
}

// excerpt shortens a page body for a failure message: the main part.
func excerpt(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
