package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/jobs"
)

// TestJobsConsole: 系统 → 后台任务 lists the jobs with their schedule and
// runs in Chinese or English, its run-now button records an audited
// request the runner then runs, and only a city-wide administrator sees it.
func TestJobsConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// The app's runner with its jobs, and a daily one beside them.
		runner := f.app.Jobs
		runner.Register(jobs.Job{Name: "test.nightly", Schedule: jobs.Daily(2, 30),
			Run: func(ctx context.Context) (jobs.Summary, error) { return nil, nil }})
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if err := runner.Sync(sys); err != nil {
			t.Fatal(err)
		}
		if n, err := runner.RunDue(sys); err != nil || n != 3 {
			t.Fatalf("first runs: %d, %v; want the 3 interval jobs", n, err)
		}

		c := f.client(t)
		wantBody(t, c.mustLogin("admin"), `href="/system/jobs"`)
		list := c.get("/system/jobs")
		wantStatus(t, list, http.StatusOK)
		wantBody(t, list, "系统", "后台任务", "清理未关联附件", "案件超期扫描", "每 1 小时", "每 1 分钟",
			"每天 02:30（北京时间）", "成功", "清理 0", runner.Node(), "尚未运行", "立即运行")

		if p := c.post("/system/jobs/attachments.purge/run", url.Values{}); p.status != http.StatusForbidden {
			t.Fatalf("run now without the CSRF token: %d", p.status)
		}
		asked := c.post("/system/jobs/attachments.purge/run", url.Values{"csrf": {c.csrf(list)}})
		wantStatus(t, asked, http.StatusOK)
		wantBody(t, asked, "已请求立即运行", "admin 已请求立即运行")
		if n := auditCount(t, d, "job.run_request", "attachments.purge", "admin"); n != 1 {
			t.Fatalf("audit entries %d, want 1", n)
		}
		if n, err := runner.RunDue(sys); err != nil || n != 1 {
			t.Fatalf("requested run: %d, %v", n, err)
		}
		after := c.get("/system/jobs?job=attachments.purge")
		wantBody(t, after, "手动请求 · admin", "按计划")
		wantNoBody(t, after, "admin 已请求立即运行")
		wantStatus(t, c.post("/system/jobs/test.none/run", url.Values{"csrf": {c.csrf(list)}}), http.StatusNotFound)

		c.get("/lang?l=en&next=/system/jobs")
		en := c.get("/system/jobs")
		wantBody(t, en, "Background jobs", "Purge unlinked attachments", "Every 1 h", "Daily at 02:30 (Beijing time)",
			"Requested", "Succeeded", "purged 0")

		// A district administrator holds jobs.manage below the city only.
		district := f.client(t)
		wantNoBody(t, district.mustLogin("admin-410105"), `href="/system/jobs"`)
		wantStatus(t, district.get("/system/jobs"), http.StatusForbidden)
	})
}

func auditCount(t *testing.T, d *db.DB, action, object, user string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = ? AND object_id = ? AND username = ?`, action, object, user).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
