package web

import (
	"context"
	"net/http"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// caseData is one case's page: the case, its timeline and what the actor
// may do with it now.
type caseData struct {
	Case    cases.Case
	Steps   []cases.Step
	Allowed map[string]bool           // action name → allowed now
	Names   map[string]string         // unit code → name, where the actor may read it
	Files   map[int64]blob.Attachment // attachments the actor may open
	// Targets are the units the platform may dispatch to (its departments
	// and lower platforms); Platform is the dispatching unit and
	// FromAssignment the assignment it dispatches from (0 at intake).
	Targets []org.Unit
	// Self is the platform itself, which may keep the case (自行处置).
	Self           *org.Unit
	Platform       string
	FromAssignment int64
	// HandlerAsg is the assignment the actor works as handler (0: let the
	// service find the only one).
	HandlerAsg int64
	PendingExt *cases.Extension
	Sources    []cases.Source
	Actions    []cases.Action
	caseMeetings
}

// casePage handles GET /cases/{id}.
func (s *server) casePage(w http.ResponseWriter, r *http.Request) error {
	s.showCase(w, r, http.StatusOK, s.newView(r, "cases.case", "cases", nil))
	return nil
}

// showCase renders a case's page into v; a case out of scope is 404.
func (s *server) showCase(w http.ResponseWriter, r *http.Request, status int, v *view) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	c, err := s.Cases.CaseByID(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	steps, err := s.Cases.Steps(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &caseData{Case: c, Steps: steps, Allowed: map[string]bool{}, Sources: cases.Sources,
		Actions: c.AllowedActions}
	for _, a := range c.AllowedActions {
		d.Allowed[string(a)] = true
	}
	d.Names = s.unitNames(ctx, caseUnitCodes(c, steps))
	d.Files = s.caseFiles(ctx, c, steps)
	s.fillHandling(ctx, d)
	s.fillMeetings(ctx, d)
	v.Data, v.TitleText = d, c.Number
	s.render(w, r, status, "cases_view", v)
}

// caseUnitCodes lists the units a case's page names.
func caseUnitCodes(c cases.Case, steps []cases.Step) []string {
	codes := []string{c.UnitCode, c.CurrentUnitCode, c.ReporterUnitCode}
	for _, a := range c.Assignments {
		codes = append(codes, a.UnitCode, a.FromUnitCode)
	}
	for _, st := range steps {
		codes = append(codes, st.UnitCode)
	}
	if c.Supervision != nil {
		codes = append(codes, c.Supervision.SupervisorUnitCode)
	}
	return codes
}

// unitNames looks up the names of units the actor may read; the page shows
// the code of the others.
func (s *server) unitNames(ctx context.Context, codes []string) map[string]string {
	out := map[string]string{}
	for _, code := range codes {
		if _, done := out[code]; done || code == "" {
			continue
		}
		out[code] = code
		if u, err := s.Org.Unit(ctx, code); err == nil {
			out[code] = u.Name
		}
	}
	return out
}

// caseFiles loads the records of the case's attachments the actor may open.
func (s *server) caseFiles(ctx context.Context, c cases.Case, steps []cases.Step) map[int64]blob.Attachment {
	out := map[int64]blob.Attachment{}
	if s.Blobs == nil {
		return out
	}
	ids := append([]int64{}, c.Attachments...)
	for _, st := range steps {
		ids = append(ids, st.Attachments...)
	}
	for _, a := range c.Assignments {
		ids = append(ids, a.Attachments...)
	}
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		if att, err := s.Blobs.Attachment(ctx, id); err == nil {
			out[id] = att
		}
	}
	return out
}

// fillHandling finds the assignment the actor works, the one a platform
// dispatches from with its candidate units, and a pending extension.
func (s *server) fillHandling(ctx context.Context, d *caseData) {
	a := actor.From(ctx)
	at := func(perm rbac.Permission, code string) bool {
		p, err := s.Org.UnitPath(ctx, code)
		return err == nil && rbac.Can(a, perm, p)
	}
	c := d.Case
	for _, x := range c.Assignments {
		active := x.Status == cases.AsgAssigned || x.Status == cases.AsgHandling
		if active && d.HandlerAsg == 0 && at(cases.PermCaseHandle, x.UnitCode) {
			d.HandlerAsg = x.ID
		}
		if active && d.FromAssignment == 0 && c.Status != cases.StatusReported && at(cases.PermCaseDispatch, x.UnitCode) {
			d.FromAssignment, d.Platform = x.ID, x.UnitCode
		}
	}
	if c.Status == cases.StatusReported {
		d.Platform = c.CurrentUnitCode
	}
	for i := range c.Extensions {
		if c.Extensions[i].Status == cases.ExtPending {
			d.PendingExt = &c.Extensions[i]
			break
		}
	}
	if d.Allowed[string(cases.ActAssign)] && d.Platform != "" {
		units, _, err := s.Org.Units(ctx, org.UnitFilter{ParentCode: d.Platform, Limit: 1000})
		if err == nil {
			d.Targets = units
		}
		if u, err := s.Org.Unit(ctx, d.Platform); err == nil {
			d.Self = &u
		}
	}
}

// caseAction handles POST /cases/{id}/{action}: one transition of the
// loop, then back to the case page (or the page with the errors).
func (s *server) caseAction(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	act := cases.Action(r.PathValue("action"))
	rule, ok := cases.RuleOf(act)
	form, hasForm := s.actionForms()[act]
	if !ok || !hasForm {
		return errNotFound()
	}
	if err = r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		err = apperr.Field("photos", apperr.Unreadable)
	} else {
		err = s.runAction(r, rule, form, id)
	}
	if err != nil {
		s.actionFailed(w, r, act, err)
		return nil
	}
	seeOther(w, r, caseURL(id), "flash.case_"+string(act))
	return nil
}

// actionFailed shows the case page with the errors of one action's form:
// field errors are keyed "action.field" so only that form shows them.
func (s *server) actionFailed(w http.ResponseWriter, r *http.Request, act cases.Action, err error) {
	v := s.newView(r, "cases.case", "cases", nil)
	status, ok := s.formError(v, err)
	if !ok {
		if apperr.CodeOf(err) != apperr.Forbidden {
			s.fail(w, r, err)
			return
		}
		status, v.FlashKind, v.Flash = http.StatusForbidden, "error", s.cat.T(v.Lang)("error.forbidden")
	}
	v.keyErrors(func(k string) string {
		if k == "attachments" {
			k = "photos"
		}
		return string(act) + "." + k
	})
	v.Form = formWithout(r.PostForm, "csrf")
	v.Form.Set("_action", string(act))
	s.showCase(w, r, status, v)
}

// actForm is what the shared action-form templates receive: the page's
// view, the action and whether its note is required.
type actForm struct {
	V        *view
	Act      string
	Required bool
}
