package api

import (
	"net/http"
	"testing"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/jobs"
)

// TestJobsAPI: the jobs and their runs for a city-wide administrator, a
// run-now request answered 202 and then run by the runner, and refusals.
func TestJobsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		runner := f.app.Jobs // the app's runner with its jobs
		if err := runner.Sync(f.sys); err != nil {
			t.Fatal(err)
		}
		if _, err := runner.RunDue(f.sys); err != nil {
			t.Fatal(err)
		}
		admin := f.login("admin")

		res := f.do("GET", "/api/v1/jobs", admin, nil)
		var list struct {
			Items []jobs.Status `json:"items"`
			Total int           `json:"total"`
		}
		res.json(t, &list)
		names := map[string]jobs.Status{}
		for _, st := range list.Items {
			names[st.Name] = st
		}
		idem, ok := names["idempotency.purge"]
		if res.status != http.StatusOK || list.Total != 3 || !ok || idem.Schedule != jobs.Every(time.Hour) ||
			idem.LastRun == nil || idem.LastRun.Result != jobs.ResultOK || names["cases.overdue"].Schedule != jobs.Every(time.Minute) {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		res = f.do("POST", "/api/v1/jobs/idempotency.purge/run", admin, nil)
		var st jobs.Status
		res.json(t, &st)
		if res.status != http.StatusAccepted || st.RequestedAt == nil || st.RequestedBy != "admin" {
			t.Fatalf("run now: %d %s", res.status, res.body)
		}
		if n, err := runner.RunDue(f.sys); err != nil || n != 1 {
			t.Fatalf("requested run: %d %v", n, err)
		}
		res = f.do("GET", "/api/v1/jobs/idempotency.purge/runs?limit=1", admin, nil)
		var rl struct {
			Items []jobs.Run `json:"items"`
		}
		res.json(t, &rl)
		if res.status != http.StatusOK || len(rl.Items) != 1 || rl.Items[0].Cause != jobs.CauseRequest ||
			rl.Items[0].RequestedBy != "admin" || rl.Items[0].Result != jobs.ResultOK {
			t.Fatalf("runs: %d %s", res.status, res.body)
		}
		for _, tc := range []struct {
			method, path, who string
			want              int
		}{
			{"GET", "/api/v1/jobs", "admin-410105", http.StatusForbidden},
			{"POST", "/api/v1/jobs/idempotency.purge/run", "admin-410105", http.StatusForbidden},
			{"POST", "/api/v1/jobs/none/run", "admin", http.StatusNotFound},
			{"GET", "/api/v1/jobs/none/runs", "admin", http.StatusNotFound},
			{"GET", "/api/v1/jobs/idempotency.purge/runs?limit=0", "admin", http.StatusUnprocessableEntity},
			{"GET", "/api/v1/jobs", "", http.StatusUnauthorized},
		} {
			token := ""
			if tc.who != "" {
				token = f.login(tc.who)
			}
			if res := f.do(tc.method, tc.path, token, nil); res.status != tc.want {
				t.Errorf("%s %s as %q: %d %s, want %d", tc.method, tc.path, tc.who, res.status, res.body, tc.want)
			}
		}
	})
}
