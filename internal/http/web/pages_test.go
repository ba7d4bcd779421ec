package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

func TestUsersPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin-410105"))

		p := c.get("/users/new")
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, `value="410105"`, `<option value="admin"`)

		bad := c.post("/users", url.Values{"csrf": {token}, "username": {"wangfang"}, "unit_code": {"410105001"},
			"password": {"short"}, "password2": {"short"}, "role": {"admin"}})
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantBody(t, bad, "至少 12 个字符", `value="wangfang"`)
		wantNoBody(t, bad, `value="short"`)

		p = c.post("/users", url.Values{"csrf": {token}, "username": {"wangfang"}, "display_name": {"王芳"},
			"unit_code": {"410105001"}, "password": {testPassword}, "password2": {testPassword}, "role": {"admin"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已创建用户", "wangfang", "王芳", "经八路街道")
		userPath := p.url.Path

		outside := c.post("/users", url.Values{"csrf": {token}, "username": {"lisi"}, "unit_code": {"410102"},
			"password": {testPassword}, "password2": {testPassword}})
		if outside.status == http.StatusOK {
			t.Errorf("creating a user in another district: got 200, want a refusal")
		}

		p = c.post(userPath+"/state", url.Values{"csrf": {token}, "disabled": {"1"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已停用该账号", "启用账号")
		if got := f.client(t).login("wangfang", testPassword); got.status != http.StatusUnauthorized {
			t.Errorf("login of a disabled account: got %d, want 401", got.status)
		}
		p = c.post(userPath+"/state", url.Values{"csrf": {token}, "disabled": {"0"}})
		wantBody(t, p, "已启用该账号")

		grantRe := regexp.MustCompile(`action="(/users/\d+/grants/\d+/delete)"`)
		m := grantRe.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("no grant remove form on %s", userPath)
		}
		p = c.post(m[1], url.Values{"csrf": {token}})
		wantBody(t, p, "已撤销授权", "尚未授予任何角色")
		p = c.post(userPath+"/grants", url.Values{"csrf": {token}, "role": {"admin"}, "scope_code": {"410105001001"}})
		wantBody(t, p, "已授予角色", "红专路社区")
		p = c.post(userPath+"/grants", url.Values{"csrf": {token}, "role": {"admin"}, "scope_code": {"410102"}})
		if p.status == http.StatusOK {
			t.Errorf("granting a scope in another district: got 200, want a refusal")
		}

		p = c.post(userPath+"/password", url.Values{"csrf": {token}, "password": {"Hb4%tYe8uNq3Zc"}, "password2": {"Hb4%tYe8uNq3Zc"}})
		wantBody(t, p, "已重置密码")
		f.client(t).mustLoginWith("wangfang", "Hb4%tYe8uNq3Zc")

		p = c.get("/users?q=wang")
		wantBody(t, p, "wangfang")
		wantNoBody(t, p, `">admin-410105</a></td>`)
	})
}

func (c *client) mustLoginWith(username, password string) {
	c.t.Helper()
	p := c.login(username, password)
	if p.status != http.StatusOK || p.url.Path == "/login" {
		c.t.Fatalf("login %s: got %d at %s, want 200 past the login page", username, p.status, p.url)
	}
}

func TestRolesPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin"))

		p := c.get("/roles")
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, `href="/roles/admin"`, "内置", "查看审计日志")
		p = c.get("/roles/admin")
		wantBody(t, p, "内置角色不可修改", "disabled")
		wantNoBody(t, p, `action="/roles/admin/delete"`)

		p = c.post("/roles", url.Values{"csrf": {token}, "name": {"inspector"}, "title": {"只读查看"}, "perm": {"org.read", "grid.read"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已保存角色", `value="org.read" checked`, `value="grid.read" checked`)
		wantNoBody(t, p, `value="org.write" checked`)

		p = c.post("/roles/inspector", url.Values{"csrf": {token}, "title": {"查看员"}, "perm": {"org.read", "staff.read"}})
		wantBody(t, p, "已保存角色", "查看员", `value="staff.read" checked`)
		wantNoBody(t, p, `value="grid.read" checked`)

		p = c.post("/roles", url.Values{"csrf": {token}, "name": {"bad"}, "perm": {"no.such"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)

		p = c.post("/roles/admin", url.Values{"csrf": {token}, "title": {"x"}, "perm": {"org.read"}})
		if p.status == http.StatusOK {
			t.Errorf("changing the built-in admin role: got 200, want a refusal")
		}

		p = c.post("/roles/inspector/delete", url.Values{"csrf": {token}})
		wantBody(t, p, "已删除角色")
		wantNoBody(t, p, `href="/roles/inspector"`)
	})
}

func TestAuditPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		f.client(t).login("admin", "Wrong#Password99")
		token := c.csrf(c.mustLogin("admin"))

		p := c.get("/audit")
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "org.unit.create", "user.create", "410105001001")
		p = c.get("/audit?result=failure")
		wantBody(t, p, "失败")
		wantNoBody(t, p, "org.unit.create")
		p = c.get("/audit?action=org.&object_id=410105")
		wantBody(t, p, "org_unit:410105<")
		wantNoBody(t, p, "410105001001", "user.create")
		p = c.get("/audit?from=2000-01-01&to=2000-01-02")
		wantBody(t, p, "没有符合条件的记录")
		p = c.get("/audit?from=yesterday")
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, "须为日期")

		p = c.post("/audit/verify", url.Values{"csrf": {token}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "日志链完整")
		req, _ := http.NewRequest(http.MethodPost, c.base+"/audit/verify", nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", token)
		p = c.do(req)
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "日志链完整")
		wantNoBody(t, p, "<html")

		// A hand-edited row breaks the chain, and the page says where.
		if _, err := d.Exec(context.Background(), disableAppendOnly(d)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(context.Background(), `UPDATE audit_log SET object_id = 'forged' WHERE seq = 2`); err != nil {
			t.Fatal(err)
		}
		p = c.post("/audit/verify", url.Values{"csrf": {token}})
		wantBody(t, p, "日志链已被破坏：第 2 条记录异常")

		// A district administrator sees the entries of their district's
		// users, not those of the city's.
		c2 := f.client(t)
		c2.mustLogin("admin-410105")
		p = c2.get("/audit?action=auth.login")
		wantBody(t, p, "<td>admin-410105</td>")
		wantNoBody(t, p, "<td>admin</td>")
	})
}

// disableAppendOnly returns the statement that lets a test play the
// attacker who edits an audit row behind the application's back.
func disableAppendOnly(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`
	}
	return `DROP TRIGGER audit_log_no_update`
}

func TestPasswordAndLogout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin-410105"))

		cases := []struct {
			name     string
			form     url.Values
			status   int
			wantText string
		}{
			{"wrong old", url.Values{"old_password": {"Wrong#Password99"}, "new_password": {"Qp7$vLm2xRt9Kw"}, "new_password2": {"Qp7$vLm2xRt9Kw"}},
				http.StatusUnprocessableEntity, `<span class="ferr" role="alert">不正确</span>`},
			{"mismatch", url.Values{"old_password": {testPassword}, "new_password": {"Qp7$vLm2xRt9Kw"}, "new_password2": {"Qp7$vLm2xRt9Kx"}},
				http.StatusUnprocessableEntity, `<span class="ferr" role="alert">两次输入的密码不一致</span>`},
			{"weak", url.Values{"old_password": {testPassword}, "new_password": {"abc"}, "new_password2": {"abc"}},
				http.StatusUnprocessableEntity, `<span class="ferr" role="alert">至少 12 个字符</span>`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := c.post("/me/password", withValue(tc.form, "csrf", token))
				wantStatus(t, p, tc.status)
				wantBody(t, p, tc.wantText)
			})
		}
		c.get("/lang?l=en&next=/me/password")
		p := c.post("/me/password", url.Values{"csrf": {token}, "old_password": {testPassword}, "new_password": {"abc"}, "new_password2": {"abc"}})
		wantBody(t, p, `<span class="ferr" role="alert">at least 12 characters</span>`)
		c.get("/lang?l=zh-CN&next=/me/password")
		p = c.post("/me/password", url.Values{"csrf": {token}, "old_password": {testPassword},
			"new_password": {"Qp7$vLm2xRt9Kw"}, "new_password2": {"Qp7$vLm2xRt9Kw"}})
		if p.url.Path != "/login" {
			t.Fatalf("after a password change: landed on %s (%d), want /login\n%s", p.url, p.status, excerpt(p.body))
		}
		wantBody(t, p, "密码已修改")
		c.mustLoginWith("admin-410105", "Qp7$vLm2xRt9Kw")

		token = c.csrf(c.get("/org/410105"))
		p = c.post("/logout", url.Values{"csrf": {token}})
		if p.url.Path != "/login" {
			t.Fatalf("after logout: landed on %s, want /login", p.url)
		}
		p = c.get("/org/410105")
		if p.url.Path != "/login" {
			t.Errorf("after logout GET /org/410105: landed on %s, want /login", p.url)
		}
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		if _, n, err := f.log.List(ctx, audit.Filter{Action: "auth.logout", Username: "admin-410105"}); err != nil || n == 0 {
			t.Errorf("logout audit entries: got %d (err %v), want at least 1", n, err)
		}
	})
}

// TestLimitedActors checks what a read-only user and an auditor see: no
// forms they cannot use, masked phones, and a start page they may open.
func TestLimitedActors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := f.org.CreateStaff(ctx, org.StaffInput{Name: "李娜", Phone: "13912345678", UnitCode: "410105001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.CreateRole(ctx, auth.RoleInput{Name: "auditor", Title: "审计员", Permissions: []string{"audit.read"}}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ name, role string }{{"zhao-viewer", "viewer"}, {"qian-auditor", "auditor"}} {
			if _, err := f.auth.CreateUser(ctx, auth.UserInput{Username: u.name, Password: testPassword, UnitCode: "410105",
				Grants: []auth.GrantInput{{Role: u.role, ScopeCode: "410105"}}}); err != nil {
				t.Fatal(err)
			}
		}

		viewer := f.client(t)
		p := viewer.mustLogin("zhao-viewer")
		if p.url.Path != "/org/410105" {
			t.Errorf("viewer start page: got %s, want /org/410105", p.url.Path)
		}
		wantNoBody(t, p, "新增下级单位", "编辑本单位", `href="/users/new`)
		p = viewer.get("/org/410105001?tab=staff")
		wantBody(t, p, "李娜", "139****5678")
		wantNoBody(t, p, "13912345678", "新增人员")
		p = viewer.get("/users/new")
		wantStatus(t, p, http.StatusForbidden)
		token := viewer.csrf(viewer.get("/org/410105"))
		p = viewer.post("/org/410105/units", url.Values{"csrf": {token}, "kind": {"territory"}, "code": {"410105009"}, "name": {"x"}})
		wantStatus(t, p, http.StatusForbidden)

		auditor := f.client(t)
		p = auditor.mustLogin("qian-auditor")
		if p.url.Path != "/audit" {
			t.Errorf("auditor start page: got %s, want /audit", p.url.Path)
		}
		wantBody(t, p, `href="/audit"`)
		wantNoBody(t, p, `href="/users"`, `href="/roles"`)
		wantStatus(t, auditor.get("/org/410105"), http.StatusForbidden)
		wantStatus(t, auditor.get("/users"), http.StatusForbidden)
	})
}
