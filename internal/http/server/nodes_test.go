package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/apptest"
	"gridgov/internal/auth"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
	"gridgov/internal/registry/transfer"
	"gridgov/internal/seal"
)

const nodePassword = "Kx7#mPq2vLw9"

// node is one `gridgov serve` of a cluster: its app and its HTTP server.
type node struct {
	app *app.App
	srv *httptest.Server
}

// newNodes starts n servers, each with its own app and database handles,
// on one database, as n processes behind a load balancer would run.
func newNodes(t *testing.T, engine db.Dialect, n int) []node {
	t.Helper()
	clk := clock.NewFake(apptest.Start)
	var nodes []node
	for _, d := range dbtest.OpenShared(t, engine, n) {
		a := apptest.New(t, d, apptest.Options{Clock: clk})
		srv := httptest.NewServer(New(a, Options{}))
		t.Cleanup(srv.Close)
		nodes = append(nodes, node{app: a, srv: srv})
	}
	return nodes
}

// send makes one request to a node without following redirects.
func (n node) send(t *testing.T, method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	t.Helper()
	return request(t, method, n.srv.URL+path, body, header)
}

func cookieOf(res *http.Response, name string) string {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// hiddenCSRF reads a form's CSRF token (hex on the login form, base64url
// for a session).
var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// TestAnyRequestOnAnyNode: two servers on one database answer each other's
// requests — an API token and a console session made on one work on the
// other, a CAPTCHA issued by one is answered at the other (once), and an
// import run on one is visible on the other.
func TestAnyRequestOnAnyNode(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			nodes := newNodes(t, engine, 2)
			one, two := nodes[0], nodes[1]
			sys := actor.With(context.Background(), actor.SystemActor("test"))
			orgtest.Build(t, sys, one.app.Org)
			if _, err := one.app.Auth.CreateUser(sys, auth.UserInput{Username: "jinshui", DisplayName: "金水区管理员",
				Password: nodePassword, UnitCode: "410105", Grants: []auth.GrantInput{{Role: "admin", ScopeCode: "410105"}}}); err != nil {
				t.Fatal(err)
			}

			t.Run("API token", func(t *testing.T) {
				b, _ := json.Marshal(map[string]string{"username": "jinshui", "password": nodePassword})
				res, body := one.send(t, "POST", "/api/v1/auth/login", bytes.NewReader(b), map[string]string{"Content-Type": "application/json"})
				if res.StatusCode != http.StatusOK {
					t.Fatalf("login on one: %d %s", res.StatusCode, body)
				}
				var s struct{ Token string }
				_ = json.Unmarshal([]byte(body), &s)
				res, body = two.send(t, "GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + s.Token})
				if res.StatusCode != http.StatusOK || !strings.Contains(body, `"jinshui"`) {
					t.Fatalf("token on two: %d %s, want 200 with the user", res.StatusCode, body)
				}
			})

			t.Run("console session and its CSRF token", func(t *testing.T) {
				res, body := one.send(t, "GET", "/login", nil, nil)
				csrf := hiddenCSRF.FindStringSubmatch(body)
				loginCookie := cookieOf(res, "gridgov_login_csrf")
				if csrf == nil || loginCookie == "" {
					t.Fatalf("login form on one: %d, no CSRF token", res.StatusCode)
				}
				form := url.Values{"username": {"jinshui"}, "password": {nodePassword}, "csrf": {csrf[1]}}
				res, _ = one.send(t, "POST", "/login", strings.NewReader(form.Encode()), map[string]string{
					"Content-Type": "application/x-www-form-urlencoded", "Cookie": "gridgov_login_csrf=" + loginCookie})
				session := cookieOf(res, "gridgov_session")
				if res.StatusCode != http.StatusSeeOther || session == "" {
					t.Fatalf("console login on one: %d, session %q", res.StatusCode, session)
				}
				res, body = two.send(t, "GET", "/org/410105", nil, map[string]string{"Cookie": "gridgov_session=" + session})
				if res.StatusCode != http.StatusOK || !strings.Contains(body, "金水区") {
					t.Fatalf("session on two: %d, want the unit page", res.StatusCode)
				}
				csrf = hiddenCSRF.FindStringSubmatch(body)
				if csrf == nil {
					t.Fatal("no CSRF token on two's page")
				}
				// The session's CSRF token, read on two, is good on one: the
				// logout form posts it.
				res, _ = one.send(t, "POST", "/logout", strings.NewReader(url.Values{"csrf": {csrf[1]}}.Encode()), map[string]string{
					"Content-Type": "application/x-www-form-urlencoded", "Cookie": "gridgov_session=" + session})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("logout on one with two's token: %d, want 303", res.StatusCode)
				}
				res, _ = two.send(t, "GET", "/org/410105", nil, map[string]string{"Cookie": "gridgov_session=" + session})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("session on two after logout on one: %d, want a redirect to login", res.StatusCode)
				}
			})

			t.Run("CAPTCHA", func(t *testing.T) {
				// The image is for people; the test knows the answer.
				for _, n := range nodes {
					n.app.Captcha.SetAnswerSource(func(string) string { return "4321" })
				}
				challenge := func() string {
					t.Helper()
					res, body := one.send(t, "GET", "/public/report", nil, nil)
					m := regexp.MustCompile(`name="captcha" value="([^"]+)"`).FindStringSubmatch(body)
					if res.StatusCode != http.StatusOK || m == nil {
						t.Fatalf("report form on one: %d, no challenge", res.StatusCode)
					}
					return m[1]
				}
				// A wrong answer uses a challenge up, so it gets one of its own.
				if err := two.app.Captcha.Check(context.Background(), challenge(), "1111"); err == nil {
					t.Fatal("a wrong answer at two was accepted")
				}
				token := challenge()
				if err := two.app.Captcha.Check(context.Background(), token, "4321"); err != nil {
					t.Fatalf("one's challenge answered at two: %v", err)
				}
				if err := one.app.Captcha.Check(context.Background(), token, "4321"); err == nil {
					t.Fatal("a challenge answered at two was accepted again at one")
				}
			})

			t.Run("import", func(t *testing.T) {
				b, _ := json.Marshal(map[string]string{"username": "jinshui", "password": nodePassword})
				_, body := two.send(t, "POST", "/api/v1/auth/login", bytes.NewReader(b), map[string]string{"Content-Type": "application/json"})
				var s struct{ Token string }
				_ = json.Unmarshal([]byte(body), &s)
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("unit_code", "410105")
				_ = mw.WriteField("source", "base")
				fw, _ := mw.CreateFormFile("file", "people.csv")
				_, _ = fw.Write([]byte("身份证号,姓名,网格编码\n" + seal.MakeIDNumber("41010519900307123") + ",节点一," + orgtest.GridJBL + "\n"))
				_ = mw.Close()
				res, body := one.send(t, "POST", "/api/v1/people/import", &buf, map[string]string{
					"Content-Type": mw.FormDataContentType(), "Authorization": "Bearer " + s.Token})
				if res.StatusCode != http.StatusCreated {
					t.Fatalf("import on one: %d %s", res.StatusCode, body)
				}
				var job transfer.ImportJob
				_ = json.Unmarshal([]byte(body), &job)
				res, body = two.send(t, "GET", "/api/v1/imports/"+itoa(job.ID), nil, map[string]string{"Authorization": "Bearer " + s.Token})
				if res.StatusCode != http.StatusOK || !strings.Contains(body, `"inserted":1`) {
					t.Fatalf("the import on two: %d %s", res.StatusCode, body)
				}
			})
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
