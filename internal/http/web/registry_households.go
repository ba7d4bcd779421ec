package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
)

// householdSearchShown is the number of people a household member search
// offers.
const householdSearchShown = 20

func init() { pages = append(pages, "registry_household") }

// householdRoutes mounts the household forms of a person's page and the
// household page.
func (s *server) householdRoutes(mux *http.ServeMux) {
	mux.Handle("POST /registry/people/{id}/household", s.page(s.createHousehold))
	mux.Handle("POST /registry/people/{id}/household/search", s.page(s.searchHouseholdMember))
	mux.Handle("POST /registry/people/{id}/household/members", s.page(s.addHouseholdMember))
	mux.Handle("POST /registry/people/{id}/household/members/{pid}/remove", s.page(s.removeHouseholdMember))
	mux.Handle("GET /registry/households/{id}", s.page(s.householdPage))
}

// codeOpt is one entry of a code table offered in a picker, named in the
// page's language.
type codeOpt struct {
	Code string
	Name string
}

// codeName is a code's name in lang (the Chinese name when it has no
// English one).
func codeName(c groups.Code, lang string) string {
	if lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// codeOptions reads a code table for a picker: its entries and their names
// by code. Without the groups service, or on error, both are empty and the
// page shows the codes themselves.
func (s *server) codeOptions(ctx context.Context, table, lang string) ([]codeOpt, map[string]string) {
	names := map[string]string{}
	if s.Groups == nil {
		return nil, names
	}
	t, err := s.Groups.CodeTable(ctx, table)
	if err != nil {
		if !hidden(err) {
			s.Log.Warn("console: code table", "table", table, "err", err)
		}
		return nil, names
	}
	out := make([]codeOpt, 0, len(t.Codes))
	for _, c := range t.Codes {
		n := codeName(c, lang)
		out = append(out, codeOpt{Code: c.Code, Name: n})
		names[c.Code] = n
	}
	return out, names
}

// fillHouseholdForms adds what the household section needs: the names of
// the relations and, for a user who may write, the relation picker.
func (s *server) fillHouseholdForms(r *http.Request, v *view, d *personData) {
	opts, names := s.codeOptions(r.Context(), "relation", v.Lang)
	d.RelationNames = names
	if d.CanWrite {
		d.Relations = opts
	}
}

// personForHousehold checks registry.write somewhere and loads the person
// of the path; on failure it has answered.
func (s *server) personForHousehold(w http.ResponseWriter, r *http.Request) (registry.Person, bool) {
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return registry.Person{}, false
	}
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		s.fail(w, r, err)
		return registry.Person{}, false
	}
	p, err := s.Registry.PersonByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return registry.Person{}, false
	}
	return p, true
}

// createHousehold handles POST /registry/people/{id}/household: a new
// household in the person's grid (or unit, awaiting a grid), with the
// person as its first member.
func (s *server) createHousehold(w http.ResponseWriter, r *http.Request) error {
	p, ok := s.personForHousehold(w, r)
	if !ok {
		return nil
	}
	ctx := r.Context()
	if p.HouseholdID != nil {
		s.personActionFailed(w, r, p.ID, "household", apperr.New(apperr.Conflict, "the person already belongs to a household"))
		return nil
	}
	relation := strings.TrimSpace(r.PostFormValue("relation"))
	if relation == "" {
		relation = "02"
	}
	if !registry.ValidRelation(relation) {
		s.personActionFailed(w, r, p.ID, "household", apperr.Field("relation", apperr.RelationCode))
		return nil
	}
	addr := strings.TrimSpace(r.PostFormValue("address"))
	if addr == "" {
		addr = p.Address
	}
	h, err := s.Registry.CreateHousehold(ctx, registry.HouseholdInput{Number: r.PostFormValue("number"),
		Kind: r.PostFormValue("kind"), Address: addr, GridCode: p.GridCode, UnitCode: p.UnitCode})
	if err != nil {
		s.personActionFailed(w, r, p.ID, "household", err)
		return nil
	}
	if _, err := s.Registry.SetHouseholdMember(ctx, h.ID, p.ID, relation); err != nil {
		s.personActionFailed(w, r, p.ID, "household", err)
		return nil
	}
	seeOther(w, r, personURL(p.ID), "flash.registry_household_created")
	return nil
}

// searchHouseholdMember handles POST /registry/people/{id}/household/search:
// the people who may join the person's household, by ID-card number
// (exact; posted so it stays out of URLs, and never echoed) or by name
// prefix in the person's grid (or unit, while awaiting a grid).
func (s *server) searchHouseholdMember(w http.ResponseWriter, r *http.Request) error {
	p, ok := s.personForHousehold(w, r)
	if !ok {
		return nil
	}
	f := registry.PeopleFilter{IDNumber: strings.TrimSpace(r.PostFormValue("id_number")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Limit: householdSearchShown}
	if f.IDNumber == "" && f.Name == "" {
		s.personActionFailed(w, r, p.ID, "member", apperr.Field("name", apperr.IDOrName))
		return nil
	}
	if f.IDNumber != "" {
		f.Name = ""
	} else if p.GridCode != "" {
		f.GridCode = p.GridCode
	} else {
		f.UnitCode = p.UnitCode
	}
	list, _, err := s.Registry.People(r.Context(), f)
	if err != nil {
		s.personActionFailed(w, r, p.ID, "member", err)
		return nil
	}
	found := []registry.Person{}
	for _, c := range list {
		if c.ID != p.ID && (p.HouseholdID == nil || c.HouseholdID == nil || *c.HouseholdID != *p.HouseholdID) {
			found = append(found, c)
		}
	}
	v := s.newView(r, "registry.person", "registry", nil)
	v.Form = formWithout(r.PostForm, "csrf", "id_number")
	s.showPerson(w, r, http.StatusOK, v, p, func(d *personData) {
		d.Candidates, d.Searched = found, true
	})
	return nil
}

// addHouseholdMember handles POST /registry/people/{id}/household/members:
// the chosen person joins the person's household with a relation.
func (s *server) addHouseholdMember(w http.ResponseWriter, r *http.Request) error {
	p, ok := s.personForHousehold(w, r)
	if !ok {
		return nil
	}
	if p.HouseholdID == nil {
		s.personActionFailed(w, r, p.ID, "member", apperr.New(apperr.Conflict, "the person has no household"))
		return nil
	}
	pid, err := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	if err != nil || pid <= 0 {
		s.personActionFailed(w, r, p.ID, "member", apperr.Field("person_id", apperr.ChoosePerson))
		return nil
	}
	if _, err := s.Registry.SetHouseholdMember(r.Context(), *p.HouseholdID, pid, r.PostFormValue("relation")); err != nil {
		s.personActionFailed(w, r, p.ID, "member", err)
		return nil
	}
	seeOther(w, r, personURL(p.ID), "flash.registry_member_added")
	return nil
}

// removeHouseholdMember handles POST
// /registry/people/{id}/household/members/{pid}/remove.
func (s *server) removeHouseholdMember(w http.ResponseWriter, r *http.Request) error {
	p, ok := s.personForHousehold(w, r)
	if !ok {
		return nil
	}
	pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err != nil || pid <= 0 || p.HouseholdID == nil {
		return errNotFound()
	}
	if _, err := s.Registry.RemoveHouseholdMember(r.Context(), *p.HouseholdID, pid); err != nil {
		s.personActionFailed(w, r, p.ID, "member", err)
		return nil
	}
	seeOther(w, r, personURL(p.ID), "flash.registry_member_removed")
	return nil
}

// householdData is a household's page.
type householdData struct {
	Household     registry.Household
	GridName      string
	RelationNames map[string]string
	Head          int64 // the head's person id, 0 without one
}

// householdPage handles GET /registry/households/{id}: the household and
// its members.
func (s *server) householdPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	ctx := r.Context()
	h, err := s.Registry.HouseholdByID(ctx, id)
	if err != nil {
		return err
	}
	v := s.newView(r, "registry.household", "registry", nil)
	d := &householdData{Household: h, GridName: h.GridCode}
	if h.HeadPersonID != nil {
		d.Head = *h.HeadPersonID
	}
	if h.GridCode != "" {
		if g, err := s.Org.Grid(ctx, h.GridCode); err == nil {
			d.GridName = g.Name
		}
	}
	_, d.RelationNames = s.codeOptions(ctx, "relation", v.Lang)
	v.Data = d
	s.render(w, r, http.StatusOK, "registry_household", v)
	return nil
}
