package web

import (
	"encoding/json"
	"net/http"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

// personViewsShown is the number of "who looked at this person" lines a
// person's page shows.
const personViewsShown = 20

// personData is a person's page: the record (masked unless unmasked on
// purpose in this response), their household, the cases that concern
// them and who looked at them.
type personData struct {
	Person    registry.Person
	GridName  string
	UnitName  string
	Household *registry.Household
	Cases     []registry.CaseRef
	House     *places.House
	// Groups and Visits are shown when the console has the groups service.
	Groups    []groups.GroupMember
	Visits    []groups.Visit
	HasGroups bool
	// Views is nil when the actor may not see who looked at the person.
	Views     []personViewLine
	ShowViews bool
	CanWrite  bool
	CanUnmask bool
	// RelationNames names the household relations (GB/T 4761); Relations
	// is the relation picker, for a user who may write.
	RelationNames map[string]string
	Relations     []codeOpt
	// Candidates are the people a household member search found.
	Candidates []registry.Person
	Searched   bool
	// KindNames names the group kinds; GroupKinds is the kind picker and
	// GroupForm the form of the kind chosen, for a user who may write.
	KindNames  map[string]string
	GroupKinds []codeOpt
	GroupForm  *groupForm
}

// personPage handles GET /registry/people/{id}.
func (s *server) personPage(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	p, err := s.Registry.PersonByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.showPerson(w, r, http.StatusOK, s.newView(r, "registry.person", "registry", nil), p)
	return nil
}

// showPerson renders a person's page with what the actor may see of them;
// opts add to the page (such as the results of a search).
func (s *server) showPerson(w http.ResponseWriter, r *http.Request, status int, v *view, p registry.Person, opts ...func(*personData)) {
	ctx := r.Context()
	a := actor.From(ctx)
	d := &personData{Person: p, GridName: p.GridCode, UnitName: p.UnitCode,
		CanWrite: rbac.HasAnywhere(a, registry.PermWrite), CanUnmask: rbac.HasAnywhere(a, registry.PermUnmask)}
	if p.GridCode != "" {
		if g, err := s.Org.Grid(ctx, p.GridCode); err == nil {
			d.GridName = g.Name
		}
	}
	if u, err := s.Org.Unit(ctx, p.UnitCode); err == nil {
		d.UnitName = u.Name
	}
	if p.HouseholdID != nil {
		if h, err := s.Registry.HouseholdByID(ctx, *p.HouseholdID); err == nil {
			d.Household = &h
		} else if !hidden(err) {
			s.Log.Warn("console: household", "person", p.ID, "err", err)
		}
	}
	s.fillPlaces(r, d)
	s.fillHouseholdForms(r, v, d)
	if s.Groups != nil {
		s.fillGroupForms(r, v, d)
	}
	if cs, err := s.Registry.PersonCases(ctx, p.ID); err == nil {
		d.Cases = cs
	} else if !hidden(err) {
		s.Log.Warn("console: person cases", "person", p.ID, "err", err)
	}
	if rows, err := s.Registry.PersonViews(ctx, p.ID, personViewsShown); err == nil {
		d.Views, d.ShowViews = viewLines(rows), true
	} else if !hidden(err) {
		s.Log.Warn("console: person views", "person", p.ID, "err", err)
	}
	for _, o := range opts {
		o(d)
	}
	v.Data, v.TitleText = d, p.Name
	s.render(w, r, status, "registry_person", v)
}

// personViewLine is a line of "who looked at this person", with the
// reason of an unmasking taken from its audit entry.
type personViewLine struct {
	registry.PersonAccess
	Reason string
}

// viewLines prepares the access lines of a person's page.
func viewLines(rows []registry.PersonAccess) []personViewLine {
	out := make([]personViewLine, len(rows))
	for i, r := range rows {
		out[i].PersonAccess = r
		if r.Detail != "" {
			var d struct {
				Reason string `json:"reason"`
			}
			_ = json.Unmarshal([]byte(r.Detail), &d) // written by the audit log; bad JSON shows no reason
			out[i].Reason = d.Reason
		}
	}
	return out
}

// hidden reports whether err only says the actor may not see a part of a
// page (which the page then leaves out).
func hidden(err error) bool {
	c := apperr.CodeOf(err)
	return c == apperr.Forbidden || c == apperr.NotFound
}

// unmaskPerson handles POST /registry/people/{id}/unmask: with a reason,
// the page shows the full ID-card number and phone, in this response only
// (it is not stored by the browser: pages are no-store).
func (s *server) unmaskPerson(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	ctx := r.Context()
	p, err := s.Registry.UnmaskPerson(ctx, id, r.PostFormValue("reason"))
	if err != nil {
		s.personActionFailed(w, r, id, "unmask", err)
		return nil
	}
	v := s.newView(r, "registry.person", "registry", nil)
	v.Flash, v.FlashKind = s.cat.T(v.Lang)("flash.registry_unmasked"), "ok"
	s.showPerson(w, r, http.StatusOK, v, p)
	return nil
}

// verifyPerson handles POST /registry/people/{id}/verify (核对).
func (s *server) verifyPerson(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	if _, err := s.Registry.VerifyPerson(r.Context(), id, r.PostFormValue("note")); err != nil {
		s.personActionFailed(w, r, id, "verify", err)
		return nil
	}
	seeOther(w, r, personURL(id), "flash.registry_verified")
	return nil
}

// actionForm prepares a record's page (titled title) for the errors of
// one of its action forms: the problems keyed "action.field" so that only
// that form shows them, and the posted values back without the CSRF token
// and the fields in drop. When err is not about the input it answers with
// fail and returns false.
func (s *server) actionForm(w http.ResponseWriter, r *http.Request, title, act string, err error, drop ...string) (*view, int, bool) {
	v := s.newView(r, title, "registry", nil)
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return nil, 0, false
	}
	v.keyErrors(func(k string) string { return act + "." + k })
	v.Form = formWithout(r.PostForm, append([]string{"csrf"}, drop...)...)
	return v, status, true
}

// personActionFailed shows the person's page with the errors of one
// action's form, keyed "action.field" so only that form shows them.
func (s *server) personActionFailed(w http.ResponseWriter, r *http.Request, id int64, act string, err error) {
	v, status, ok := s.actionForm(w, r, "registry.person", act, err)
	if !ok {
		return
	}
	p, gerr := s.Registry.PersonByID(r.Context(), id)
	if gerr != nil {
		s.fail(w, r, gerr)
		return
	}
	s.showPerson(w, r, status, v, p)
}

// fillPlaces adds the person's house, groups and visits when the console
// has those services; a part the actor may not see is left out.
func (s *server) fillPlaces(r *http.Request, d *personData) {
	ctx, p := r.Context(), d.Person
	if s.Places != nil && p.HouseID != nil {
		if h, err := s.Places.HouseByID(ctx, *p.HouseID); err == nil {
			d.House = &h
		} else if !hidden(err) {
			s.Log.Warn("console: house", "person", p.ID, "err", err)
		}
	}
	if s.Groups == nil {
		return
	}
	d.HasGroups = true
	if gs, err := s.Groups.MembersOf(ctx, p.ID); err == nil {
		d.Groups = gs
	} else if !hidden(err) {
		s.Log.Warn("console: groups", "person", p.ID, "err", err)
	}
	if vs, err := s.Groups.Visits(ctx, "person", p.ID, personVisitsShown); err == nil {
		d.Visits = vs
	} else if !hidden(err) {
		s.Log.Warn("console: visits", "person", p.ID, "err", err)
	}
}

// personVisitsShown is the number of visits a person's page lists.
const personVisitsShown = 20

// recordVisit handles POST /registry/people/{id}/visits: a follow-up
// visit (走访), an act of assistance (帮扶) or a field check (核对).
func (s *server) recordVisit(w http.ResponseWriter, r *http.Request) error {
	id, ok := personID(r)
	if !ok || s.Groups == nil {
		return errNotFound()
	}
	in := groups.VisitInput{ObjectType: "person", ObjectID: id, Kind: r.PostFormValue("kind"),
		Note: r.PostFormValue("note"), Result: r.PostFormValue("result")}
	if _, err := s.Groups.RecordVisit(r.Context(), in); err != nil {
		s.personActionFailed(w, r, id, "visit", err)
		return nil
	}
	seeOther(w, r, personURL(id), "flash.registry_visit_recorded")
	return nil
}
