package api

import (
	"net/http"

	"gridgov/internal/apperr"
	"gridgov/internal/http/httpx"
)

// jobRoutes are the background jobs (jobs.manage over the city): their
// state and last runs, the recent runs of one, and a run-now request the
// runner picks up. They answer not_found when the server runs no runner.
func (a *api) jobRoutes() []route {
	return []route{
		{Method: "GET", Path: "/jobs", Handler: a.listJobsHandler},
		{Method: "GET", Path: "/jobs/{name}/runs", Handler: a.listJobRunsHandler},
		{Method: "POST", Path: "/jobs/{name}/run", Handler: a.runJobHandler},
	}
}

func (a *api) needJobs() error {
	if a.Jobs == nil {
		return apperr.New(apperr.NotFound, "background jobs are not enabled")
	}
	return nil
}

func (a *api) listJobsHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needJobs(); err != nil {
		return err
	}
	list, err := a.Jobs.Jobs(r.Context())
	if err != nil {
		return err
	}
	return ok(w, newList(list, len(list)))
}

func (a *api) listJobRunsHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needJobs(); err != nil {
		return err
	}
	q := newQuery(r)
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	runs, err := a.Jobs.Runs(r.Context(), r.PathValue("name"), limit)
	if err != nil {
		return err
	}
	return ok(w, newList(runs, len(runs)))
}

// runJobHandler records a run-now request (202: the runner of some node
// runs it within its poll) and answers the job's state.
func (a *api) runJobHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needJobs(); err != nil {
		return err
	}
	st, err := a.Jobs.RequestRun(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, st)
	return nil
}
