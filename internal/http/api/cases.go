package api

import (
	"net/http"
	"strings"

	"gridgov/internal/apperr"
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
		{Method: "GET", Path: "/supervision", Handler: a.supervisionBoardHandler},
		{Method: "GET", Path: "/inbox", Handler: a.inboxHandler},
	}
	// The actions of the loop, one route each, from its table.
	for _, rule := range cases.Workflow() {
		rs = append(rs, route{Method: "POST", Path: "/cases/{id}/" + rule.Route, Handler: a.actionHandler(rule)})
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
				q.problems.Add("status", apperr.UnknownValue, "value", st)
			}
			f.Status = append(f.Status, cases.Status(st))
		}
	}
	switch f.Overdue {
	case "", cases.Green, cases.Yellow, cases.Red:
	default:
		q.problems.Add("overdue", apperr.OneOf, "values", "green, yellow, red")
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
		q.problems.Add("supervised", apperr.OneOf, "values", "true, false")
	}
	f.ReturnedMin = q.intIn("returned_min", 0, 1000)
	f.Limit, f.Offset = q.page()
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

// actionHandler runs one action of the loop with the request body as its
// input (required when the rule says so). An action that creates a record
// (an extension request) answers 201 with it; the others answer the case
// as the actor now sees it (with its allowed actions).
func (a *api) actionHandler(rule cases.Rule) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in, decode := rule.NewInput(), decodeOptional
		if d, ok := in.(*cases.ExtensionDecision); ok {
			if d.ExtensionID, err = pathID(r, "ext"); err != nil {
				return err
			}
		}
		if rule.Body {
			decode = httpx.DecodeJSON
		}
		if err := decode(w, r, in); err != nil {
			return err
		}
		res, err := a.Cases.Do(r.Context(), rule.Action, id, in)
		if err != nil {
			return err
		}
		if _, isCase := res.(cases.Case); !isCase {
			return created(w, res)
		}
		return a.caseHandler(w, r)
	}
}

func (a *api) supervisionBoardHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit, offset := q.page()
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
	limit, _ := q.page()
	if err := q.err(); err != nil {
		return err
	}
	items, err := a.Cases.Inbox(r.Context(), limit)
	if err != nil {
		return err
	}
	return ok(w, newList(items, len(items)))
}
