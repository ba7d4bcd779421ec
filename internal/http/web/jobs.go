package web

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"gridgov/internal/jobs"
)

func init() { pages = append(pages, "jobs") }

// jobRoutes mounts 系统 → 后台任务 (jobs.manage over the city): the jobs
// with their schedule, last and next run, the recent runs, and a run-now
// button that asks the runner (audited).
func (s *server) jobRoutes(mux *http.ServeMux) {
	mux.Handle("GET /system/jobs", s.page(s.jobsPage))
	mux.Handle("POST /system/jobs/{name}/run", s.page(s.requestJobRun))
}

// recentRuns is how many runs the page lists.
const recentRuns = 30

// jobsData is the jobs page.
type jobsData struct {
	Jobs []jobRow
	Runs []runRow
	// Job filters the runs to one job ("" all).
	Job string
}

// jobRow is a job as the page shows it, its words in the reader's language.
type jobRow struct {
	jobs.Status
	Title, Schedule string
	Last            *runRow
}

// runRow is a run as the page shows it.
type runRow struct {
	jobs.Run
	Title, Cause, ResultText, ResultClass, Summary string
}

// jobsPage handles GET /system/jobs.
func (s *server) jobsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := s.Jobs.Jobs(ctx)
	if err != nil {
		return err
	}
	v := s.newView(r, "jobs.title", "system", nil)
	d := &jobsData{Job: r.URL.Query().Get("job")}
	runs, err := s.Jobs.Runs(ctx, d.Job, recentRuns)
	if err != nil {
		return err
	}
	for _, st := range list {
		row := jobRow{Status: st, Title: s.jobTitle(v.Lang, st.Name), Schedule: s.scheduleText(v.Lang, st.Schedule)}
		if st.LastRun != nil {
			lr := s.runRow(v.Lang, *st.LastRun)
			row.Last = &lr
		}
		d.Jobs = append(d.Jobs, row)
	}
	for _, run := range runs {
		d.Runs = append(d.Runs, s.runRow(v.Lang, run))
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "jobs", v)
	return nil
}

// requestJobRun handles POST /system/jobs/{name}/run: the request is
// recorded and audited; a runner picks it up.
func (s *server) requestJobRun(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Jobs.RequestRun(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	seeOther(w, r, "/system/jobs", "flash.job_requested")
	return nil
}

// jobTitle names a job from the catalogue, or by its name.
func (s *server) jobTitle(lang, name string) string {
	if key := "job." + name; s.cat.Has(key) {
		return s.cat.T(lang)(key)
	}
	return name
}

// scheduleText says when a job is due in the reader's language.
func (s *server) scheduleText(lang string, sc jobs.Schedule) string {
	t := s.cat.T(lang)
	if at, ok := sc.DailyAt(); ok {
		return t("jobs.daily", at)
	}
	switch d := sc.Interval(); {
	case d%time.Hour == 0:
		return t("jobs.every_hours", int(d/time.Hour))
	case d%time.Minute == 0:
		return t("jobs.every_minutes", int(d/time.Minute))
	default:
		return t("jobs.every_seconds", int(d/time.Second))
	}
}

// runRow translates a run's cause, result and counts.
func (s *server) runRow(lang string, run jobs.Run) runRow {
	t := s.cat.T(lang)
	row := runRow{Run: run, Title: s.jobTitle(lang, run.Job), Cause: t("jobs.cause." + run.Cause),
		ResultText: t("jobs.result." + run.Result)}
	switch run.Result {
	case jobs.ResultOK:
		row.ResultClass = "ok"
	case jobs.ResultError, jobs.ResultAbandoned:
		row.ResultClass = "bad"
	}
	keys := make([]string, 0, len(run.Summary))
	for k := range run.Summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		label := k
		if key := "jobs.count." + k; s.cat.Has(key) {
			label = t(key)
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, run.Summary[k]))
	}
	row.Summary = strings.Join(parts, " · ")
	return row
}
