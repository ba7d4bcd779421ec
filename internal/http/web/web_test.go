package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestLogin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)

		p := c.get("/org/410105")
		if p.url.Path != "/login" || p.url.Query().Get("next") != "/org/410105" {
			t.Fatalf("anonymous GET /org/410105: landed on %s, want /login?next=/org/410105", p.url)
		}
		wantBody(t, p, "用户名", "密码")

		p = c.login("admin", "Wrong#Password99")
		wantStatus(t, p, http.StatusUnauthorized)
		wantBody(t, p, "用户名或密码错误")
		wantNoBody(t, p, "Wrong#Password99")

		p = c.login("nobody", testPassword)
		wantStatus(t, p, http.StatusUnauthorized)
		wantBody(t, p, "用户名或密码错误")

		p = c.mustLogin("admin")
		if p.url.Path != "/org/410100" {
			t.Errorf("after login: landed on %s, want /org/410100", p.url.Path)
		}
		wantBody(t, p, "郑州市", "金水区", "中原区", `href="/org/410105"`)
	})
}

func TestLoginNextAndCookie(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		cases := []struct{ next, want string }{
			{"/org/410105001", "/org/410105001"},
			{"//evil.example/x", "/"},
			{"https://evil.example/", "/"},
		}
		for _, tc := range cases {
			c := f.client(t)
			c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			token := c.csrf(c.get("/login?next=" + url.QueryEscape(tc.next)))
			p := c.post("/login", url.Values{"csrf": {token}, "username": {"admin"}, "password": {testPassword}, "next": {tc.next}})
			wantStatus(t, p, http.StatusSeeOther)
			if got := p.header.Get("Location"); got != tc.want {
				t.Errorf("next=%q: got Location %q, want %q", tc.next, got, tc.want)
			}
			var session *http.Cookie
			for _, ck := range (&http.Response{Header: p.header}).Cookies() {
				if ck.Name == "gridgov_session" {
					session = ck
				}
			}
			if session == nil || session.Value == "" {
				t.Fatalf("next=%q: no gridgov_session cookie set", tc.next)
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
				t.Errorf("session cookie: got HttpOnly=%v SameSite=%v Path=%q, want true Lax /", session.HttpOnly, session.SameSite, session.Path)
			}
		}
	})
}

func TestLoginRejectsMissingLoginToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		p := c.post("/login", url.Values{"username": {"admin"}, "password": {testPassword}})
		wantStatus(t, p, http.StatusForbidden)
	})
}

func TestLockout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		for i := 1; i <= 5; i++ {
			p := c.login("admin-410105", "Wrong#Password99")
			if p.status != http.StatusUnauthorized && p.status != http.StatusLocked {
				t.Fatalf("failure %d: got status %d, want 401 or 423", i, p.status)
			}
		}
		p := c.login("admin-410105", testPassword)
		wantStatus(t, p, http.StatusLocked)
		wantBody(t, p, "账号已锁定至 20", "北京时间")
		c.get("/lang?l=en&next=/login")
		p = c.login("admin-410105", testPassword)
		wantStatus(t, p, http.StatusLocked)
		wantBody(t, p, "locked until 20")
	})
}

func TestCSRF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin"))
		unit := url.Values{"kind": {"territory"}, "code": {"410105002"}, "name": {"花园路街道"}}
		cases := []struct {
			name    string
			form    url.Values
			headers []string
		}{
			{"no token", unit, nil},
			{"wrong token", withValue(unit, "csrf", strings.Repeat("0", len(token))), nil},
			{"foreign origin", withValue(unit, "csrf", token), []string{"Origin", "https://evil.example"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := c.post("/org/410105/units", tc.form, tc.headers...)
				wantStatus(t, p, http.StatusForbidden)
				ctx := actor.With(context.Background(), actor.SystemActor("test"))
				if _, err := f.org.Unit(ctx, "410105002"); !apperr.Is(err, apperr.NotFound) {
					t.Errorf("unit after a refused POST: got err %v, want not_found", err)
				}
			})
		}
		// The same form with the token and our own origin goes through.
		p := c.post("/org/410105/units", withValue(unit, "csrf", token), "Origin", f.srv.URL)
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "花园路街道")
	})
}

func withValue(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}

func TestCreateForms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin-410105"))
		cases := []struct {
			name, path string
			form       url.Values
			status     int
			want       []string
		}{
			{"street", "/org/410105/units", url.Values{"kind": {"territory"}, "code": {"410105002"}, "name": {"花园路街道"}},
				http.StatusOK, []string{"已创建单位", `href="/org/410105002"`, "花园路街道"}},
			{"department", "/org/410105/units", url.Values{"kind": {"department"}, "code": {"410105D01"}, "name": {"金水区民政局"}},
				http.StatusOK, []string{"已创建单位", "金水区民政局"}},
			{"unit without name", "/org/410105/units", url.Values{"kind": {"territory"}, "code": {"410105003"}},
				http.StatusUnprocessableEntity, []string{"请检查标出的字段", `class="ferr"`, `value="410105003"`}},
			{"duplicate code", "/org/410105/units", url.Values{"kind": {"territory"}, "code": {"410105001"}, "name": {"重复街道"}},
				http.StatusConflict, []string{"与现有数据冲突"}},
			{"bad sort", "/org/410105/units", url.Values{"kind": {"territory"}, "code": {"410105004"}, "name": {"x"}, "sort": {"abc"}},
				http.StatusUnprocessableEntity, []string{"须为整数"}},
			{"grid", "/org/410105001001/grids", url.Values{"code": {"G410105001001"}, "name": {"红专路一网格"}, "level": {"3"}},
				http.StatusOK, []string{"已创建网格", "G410105001001", "红专路一网格"}},
			{"grid with broken boundary", "/org/410105001001/grids", url.Values{"code": {"G2"}, "name": {"x"}, "level": {"3"}, "boundary": {"{not json"}},
				http.StatusUnprocessableEntity, []string{"不是有效的 JSON"}},
			{"staff", "/org/410105001001/staff", url.Values{"name": {"张伟"}, "phone": {"13812345678"}, "position": {"网格员"}, "team": {"grid_leader"}, "grid_codes": {"G410105001001"}},
				http.StatusOK, []string{"已添加人员", "张伟", "网格长"}},
			{"unit in another district", "/org/410102/units", url.Values{"kind": {"territory"}, "code": {"410102009"}, "name": {"越界街道"}},
				http.StatusNotFound, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := c.post(tc.path, withValue(tc.form, "csrf", token))
				wantStatus(t, p, tc.status)
				wantBody(t, p, tc.want...)
			})
		}
		// The failed and refused forms wrote nothing.
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		for _, code := range []string{"410105003", "410105004", "410102009"} {
			if _, err := f.org.Unit(ctx, code); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("unit %s after a failed form: got err %v, want not_found", code, err)
			}
		}
		p := c.get("/org/410105001001?tab=staff")
		wantBody(t, p, "张伟", "G410105001001")
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		home := c.mustLogin("admin-410105")
		if home.url.Path != "/org/410105" {
			t.Errorf("district admin home: got %s, want /org/410105", home.url.Path)
		}
		cases := []struct {
			path   string
			status int
		}{
			{"/org/410105", http.StatusOK},
			{"/org/410105001", http.StatusOK},
			{"/org/410105001002", http.StatusOK},
			{"/org/410102", http.StatusNotFound},
			{"/org/410102001", http.StatusNotFound},
			{"/org/410100", http.StatusNotFound},
			{"/org/999999", http.StatusNotFound},
			{"/no/such/page", http.StatusNotFound},
		}
		for _, tc := range cases {
			t.Run(tc.path, func(t *testing.T) {
				p := c.get(tc.path)
				wantStatus(t, p, tc.status)
				if tc.status == http.StatusNotFound {
					wantNoBody(t, p, "中原区", "林山寨街道")
				}
			})
		}
		// Search and lists stay inside the district.
		p := c.get("/org/410105?q=街道")
		wantBody(t, p, "经八路街道")
		wantNoBody(t, p, "林山寨街道")
		p = c.get("/users")
		wantBody(t, p, "admin-410105")
		wantNoBody(t, p, `">admin</a></td>`)
	})
}

func TestLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		c.mustLogin("admin")
		p := c.get("/org/410105")
		wantBody(t, p, `<html lang="zh-CN">`, "组织架构", "乡镇（街道）")
		p = c.get("/lang?l=en&next=" + url.QueryEscape("/org/410105"))
		if p.url.Path != "/org/410105" {
			t.Errorf("after /lang: landed on %s, want /org/410105", p.url.Path)
		}
		wantBody(t, p, `<html lang="en">`, "Organisation", "Streets", "Audit log", "金水区")
		wantNoBody(t, p, "组织架构")
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			p = c.get("/lang?l=zh-CN&next=" + url.QueryEscape(next))
			if p.url.Host != strings.TrimPrefix(f.srv.URL, "http://") || p.url.Path != "/org/410100" {
				t.Errorf("next=%q: landed on %s, want this site's home", next, p.url)
			}
		}
	})
}

func TestEditAndDeleteUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin-410105"))
		cases := []struct {
			name, path string
			form       url.Values
			status     int
			landOn     string
			want       []string
		}{
			{"rename", "/org/410105001001", url.Values{"name": {"红专路社区居委会"}, "sort": {"3"}},
				http.StatusOK, "/org/410105001001", []string{"已保存单位信息", "<h1>红专路社区居委会</h1>"}},
			{"empty name", "/org/410105001001", url.Values{"name": {""}},
				http.StatusUnprocessableEntity, "/org/410105001001", []string{"请检查标出的字段", "<details class=\"form-box edit-box\" open>"}},
			{"delete a unit with children", "/org/410105001/delete", nil,
				http.StatusConflict, "/org/410105001/delete", []string{"与现有数据冲突"}},
			{"delete an empty unit", "/org/410105001002/delete", nil,
				http.StatusOK, "/org/410105001", []string{"已删除单位"}},
			{"rename another district's unit", "/org/410102", url.Values{"name": {"改名"}},
				http.StatusNotFound, "/org/410102", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := c.post(tc.path, withValue(tc.form, "csrf", token))
				wantStatus(t, p, tc.status)
				if p.url.Path != tc.landOn {
					t.Errorf("landed on %s, want %s", p.url.Path, tc.landOn)
				}
				wantBody(t, p, tc.want...)
			})
		}
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := f.org.Unit(ctx, "410105001002"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleted unit: got err %v, want not_found", err)
		}
		if u, err := f.org.Unit(ctx, "410102"); err != nil || u.Name != "中原区" {
			t.Errorf("another district's unit: got %q (err %v), want 中原区 unchanged", u.Name, err)
		}
	})
}

func TestTooManyAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		// Unknown names, so that no account lock comes first: the limit is
		// the one on the client's address (20 failures in 15 minutes).
		var p page
		for i := 0; i < 25 && p.status != http.StatusTooManyRequests; i++ {
			p = c.login("ghost"+fmtInt(int64(i)), "Wrong#Password99")
		}
		wantStatus(t, p, http.StatusTooManyRequests)
		wantBody(t, p, "尝试次数过多")
		// The address stays refused, even with the right password.
		p = c.login("admin", testPassword)
		wantStatus(t, p, http.StatusTooManyRequests)
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		c.mustLogin("admin")
		f.clock.Advance(29 * time.Minute)
		wantStatus(t, c.get("/org/410105"), http.StatusOK)
		f.clock.Advance(31 * time.Minute)
		p := c.get("/org/410105")
		if p.url.Path != "/login" || p.url.Query().Get("next") != "/org/410105" {
			t.Fatalf("after 31 idle minutes: landed on %s, want /login?next=/org/410105", p.url)
		}
		wantBody(t, p, "会话已超时")
	})
}
