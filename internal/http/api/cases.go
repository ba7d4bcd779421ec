package api

import (
	"context"
	"net/http"
	"strings"

	"gridgov/internal/cases"
	"gridgov/internal/http/httpx"
)

func (a *api) casesRoutes() []route {
	rs := []route{
		{Method: "GET", Path: "/case-categories", Handler: a.listCategoriesHandler},
		{Method: "POST", Path: "/case-categories", Handler: a.createCategoryHandler},
		{Method: "GET", Path: "/cases", Handler: a.listCasesHandler},
		{Method: "POST", Path: "/cases", Handler: a.createCaseHandler},
		{Method: "GET", Path: "/cases/{id}", Handler: a.caseHandler},
		{Method: "GET", Path: "/cases/{id}/steps", Handler: a.caseStepsHandler},
		{Method: "POST", Path: "/cases/{id}/extension", Handler: a.requestExtensionHandler},
		{Method: "POST", Path: "/cases/{id}/extension/{ext}/decision", Handler: a.decideExtensionHandler},
		{Method: "GET", Path: "/supervision", Handler: a.supervisionBoardHandler},
		{Method: "GET", Path: "/inbox", Handler: a.inboxHandler},
	}
	for name, fn := range a.transitions() {
		rs = append(rs, route{Method: "POST", Path: "/cases/{id}/" + name, Handler: a.transitionHandler(fn)})
	}
	return rs
}

func (a *api) listCategoriesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := cases.CategoryFilter{Kind: cases.CategoryKind(q.str("kind")), MajorCode: q.str("major"),
		Q: q.str("q"), UnitCode: q.str("unit"), All: q.str("all") == "true"}
	if err := q.err(); err != nil {
		return err
	}
	cats, err := a.Cases.Categories(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(cats, len(cats)))
}

func (a *api) createCategoryHandler(w http.ResponseWriter, r *http.Request) error {
	var in cases.CategoryInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.Cases.CreateCategory(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

// caseFilter reads the list filters of GET /cases.
func caseFilter(r *http.Request) (cases.Filter, error) {
	q := newQuery(r)
	f := cases.Filter{Category: q.str("category"), Unit: q.str("unit"), Overdue: cases.Overdue(q.str("overdue")),
		Source: cases.Source(q.str("source")), Q: q.str("q")}
	if s := q.str("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if !validStatus(cases.Status(st)) {
				q.problems["status"] = "unknown status " + st
			}
			f.Status = append(f.Status, cases.Status(st))
		}
	}
	switch f.Overdue {
	case "", cases.Green, cases.Yellow, cases.Red:
	default:
		q.problems["overdue"] = "must be green, yellow or red"
	}
	switch q.str("supervised") {
	case "":
	case "true":
		t := true
		f.Supervised = &t
	case "false":
		t := false
		f.Supervised = &t
	default:
		q.problems["supervised"] = "must be true or false"
	}
	f.ReturnedMin = q.intIn("returned_min", 0, 1000)
	f.Limit, f.Offset = q.page(500)
	return f, q.err()
}

func validStatus(s cases.Status) bool {
	for _, st := range cases.Statuses {
		if st == s {
			return true
		}
	}
	return false
}

func (a *api) listCasesHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	cs, total, err := a.Cases.Cases(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(cs, total))
}

// createCaseHandler files a case; with an Idempotency-Key header a retry
// answers 200 with the case the first request created.
func (a *api) createCaseHandler(w http.ResponseWriter, r *http.Request) error {
	var in cases.CaseCreate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	c, replayed, err := a.Cases.CreateCase(r.Context(), in)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		return ok(w, c)
	}
	return created(w, c)
}

func (a *api) caseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.Cases.CaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (a *api) caseStepsHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	steps, err := a.Cases.Steps(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, newList(steps, len(steps)))
}

// decodeOptional decodes a JSON body when there is one; transitions such
// as sign may be posted without a body.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return httpx.DecodeJSON(w, r, v)
}

// transitionFunc runs one transition of case id with the request body.
type transitionFunc func(a *api, w http.ResponseWriter, r *http.Request, id int64) (cases.Case, error)

// call adapts a service transition method taking input T.
func call[T any](m func(*cases.Service, context.Context, int64, T) (cases.Case, error)) transitionFunc {
	return func(a *api, w http.ResponseWriter, r *http.Request, id int64) (cases.Case, error) {
		var in T
		if err := decodeOptional(w, r, &in); err != nil {
			return cases.Case{}, err
		}
		return m(a.Cases, r.Context(), id, in)
	}
}

// transitions maps the POST /cases/{id}/<name> endpoints to the service.
func (a *api) transitions() map[string]transitionFunc {
	return map[string]transitionFunc{
		"report":    call((*cases.Service).Report),
		"escalate":  call((*cases.Service).Escalate),
		"reject":    call((*cases.Service).Reject),
		"merge":     call((*cases.Service).Merge),
		"assign":    call((*cases.Service).Assign),
		"sign":      call((*cases.Service).Sign),
		"return":    call((*cases.Service).Return),
		"feedback":  call((*cases.Service).Feedback),
		"verify":    call((*cases.Service).Verify),
		"suspend":   call((*cases.Service).Suspend),
		"resume":    call((*cases.Service).Resume),
		"supervise": call((*cases.Service).Supervise),
	}
}

// transitionHandler runs a transition and answers with the case as the
// actor now sees it (with its allowed actions).
func (a *api) transitionHandler(fn transitionFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if _, err := fn(a, w, r, id); err != nil {
			return err
		}
		return a.caseHandler(w, r)
	}
}

func (a *api) requestExtensionHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cases.ExtensionRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ext, err := a.Cases.RequestExtension(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, ext)
}

func (a *api) decideExtensionHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ext, err := pathID(r, "ext")
	if err != nil {
		return err
	}
	var in cases.ExtensionDecision
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if _, err := a.Cases.DecideExtension(r.Context(), id, ext, in); err != nil {
		return err
	}
	return a.caseHandler(w, r)
}

func (a *api) supervisionBoardHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit, offset := q.page(500)
	if err := q.err(); err != nil {
		return err
	}
	sups, total, err := a.Cases.SupervisionBoardPage(r.Context(), cases.SupervisionFilter{Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	return ok(w, newList(sups, total))
}

func (a *api) inboxHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit, _ := q.page(500)
	if err := q.err(); err != nil {
		return err
	}
	items, err := a.Cases.Inbox(r.Context(), limit)
	if err != nil {
		return err
	}
	return ok(w, newList(items, len(items)))
}
