package web

import (
	"net/http"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

const auditPageSize = 50

// auditData is the audit log page.
type auditData struct {
	Rows   []audit.Row
	Pager  pager
	Verify *audit.VerifyResult
}

// auditPage handles GET /audit: the log, newest first, with filters.
func (s *server) auditPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return err
	}
	q := r.URL.Query()
	v := s.newView(r, "audit.title", "audit", nil)
	v.Form = q
	f, err := s.auditFilter(q)
	d := &auditData{}
	v.Data = d
	if err != nil {
		status, _ := s.formError(v, err)
		s.render(w, r, status, "audit", v)
		return nil
	}
	p := pageParam(r)
	f.Limit, f.Offset = auditPageSize, (p-1)*auditPageSize
	rows, total, err := s.Audit.List(ctx, f)
	if err != nil {
		return err
	}
	d.Rows, d.Pager = rows, newPager(r, p, auditPageSize, total)
	s.render(w, r, http.StatusOK, "audit", v)
	return nil
}

// auditFilter reads the filters; dates are days in Asia/Shanghai and "to"
// includes its whole day.
func (s *server) auditFilter(q map[string][]string) (audit.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := audit.Filter{Username: get("username"), Action: get("action"), ObjectType: get("object_type"),
		ObjectID: get("object_id"), Result: get("result")}
	bad := apperr.FieldErrors{}
	if d := get("from"); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, s.loc)
		if err != nil {
			bad.Add("from", apperr.Date)
		}
		f.From = t
	}
	if d := get("to"); d != "" {
		t, err := time.ParseInLocation("2006-01-02", d, s.loc)
		if err != nil {
			bad.Add("to", apperr.Date)
		} else {
			f.To = t.AddDate(0, 0, 1)
		}
	}
	if f.Result != "" && f.Result != audit.Success && f.Result != audit.Failure {
		bad.Add("result", apperr.OneOf, "values", "success, failure")
	}
	if len(bad) > 0 {
		return f, bad.Err()
	}
	return f, nil
}

// verifyAudit handles POST /audit/verify: it checks the whole chain and
// shows the result (a fragment for htmx, the page otherwise).
func (s *server) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, rbac.AuditRead); err != nil {
		return err
	}
	res, err := s.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	v := s.newView(r, "audit.title", "audit", &auditData{Verify: &res})
	if isHTMX(r) {
		s.renderPartial(w, "audit", "verify", v)
		return nil
	}
	s.render(w, r, http.StatusOK, "audit", v)
	return nil
}
