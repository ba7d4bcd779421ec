package api

import (
	"net/http"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

func (a *api) auditRoutes() []route {
	return []route{
		{Method: "GET", Path: "/audit", Handler: a.listAuditHandler},
		{Method: "GET", Path: "/audit/verify", Handler: a.verifyAuditHandler},
	}
}

func (a *api) listAuditHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := audit.Filter{Username: q.str("username"), Action: q.str("action"), ObjectType: q.str("object_type"),
		ObjectID: q.str("object_id"), Result: q.str("result"), From: q.time("from", false), To: q.time("to", true)}
	f.Limit, f.Offset = q.page()
	switch f.Result {
	case "", audit.Success, audit.Failure:
	default:
		q.problems.Add("result", apperr.OneOf, "values", "success, failure")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		q.problems.Add("to", apperr.After, "other", "from")
	}
	if err := q.err(); err != nil {
		return err
	}
	rows, total, err := a.Audit.List(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(rows, total))
}

// verifyAuditHandler checks the whole hash chain. The chain spans every
// unit, so only an auditor of a whole city (audit.read over a root unit)
// may run it.
func (a *api) verifyAuditHandler(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), rbac.AuditRead); err != nil {
		return err
	}
	if !rootScope(rbac.ScopeOf(actor.From(r.Context()), rbac.AuditRead)) {
		return apperr.New(apperr.Forbidden, "verifying the audit log needs audit.read over a whole city")
	}
	res, err := a.Audit.Verify(r.Context())
	if err != nil {
		return err
	}
	return ok(w, res)
}

// rootScope reports whether the scope holds a root unit, whose path has a
// single segment ("/410100/").
func rootScope(s rbac.Scope) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if strings.Count(p, "/") == 2 {
			return true
		}
	}
	return false
}
