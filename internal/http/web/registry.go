package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// peoplePageSize is the number of people per page of the list.
const peoplePageSize = 30

// The registry's page templates, parsed with the others.
func init() {
	pages = append(pages, "registry_people", "registry_person_form", "registry_person", "registry_import")
}

// registryRoutes mounts the registry's console pages (基础数据).
func (s *server) registryRoutes(mux *http.ServeMux) {
	mux.Handle("GET /registry", http.RedirectHandler("/registry/people", http.StatusSeeOther))
	mux.Handle("GET /registry/people", s.page(s.peoplePage))
	mux.Handle("GET /registry/people/new", s.page(s.newPersonForm))
	mux.Handle("POST /registry/people", s.page(s.createPerson))
	mux.Handle("POST /registry/people/assign", s.page(s.assignGrid))
	mux.Handle("POST /registry/people/search", s.page(s.searchPeople))
	mux.Handle("GET /registry/people/{id}", s.page(s.personPage))
	mux.Handle("GET /registry/people/{id}/edit", s.page(s.editPersonForm))
	mux.Handle("POST /registry/people/{id}", s.page(s.updatePerson))
	mux.Handle("POST /registry/people/{id}/unmask", s.page(s.unmaskPerson))
	mux.Handle("POST /registry/people/{id}/verify", s.page(s.verifyPerson))
	mux.Handle("POST /registry/people/{id}/visits", s.page(s.recordVisit))
	mux.Handle("GET /registry/import", s.page(s.importPage))
	mux.Handle("POST /registry/import", s.page(s.runImport))
	mux.Handle("GET /registry/import/template", s.page(s.importTemplate))
	mux.Handle("GET /registry/import/{id}", s.page(s.importJobPage))
	mux.Handle("GET /registry/import/{id}/failures", s.page(s.importFailures))
	s.exportRoutes(mux) // registry_exports.go
	s.placeRoutes(mux)
	s.householdRoutes(mux)
	s.groupRoutes(mux)
}

// personTypes are the person types offered on forms and filters.
var personTypes = []string{"registered", "migrant", "foreign", "left_behind"}

// registrySources are the data sources offered on forms.
var registrySources = []registry.Source{registry.SourceBase, registry.SourceShared, registry.SourceOwn}

// peopleData is the filtered list of people.
type peopleData struct {
	People      []registry.Person
	Filter      url.Values
	Pager       pager
	PersonTypes []string
	Grids       []org.Grid
	CanWrite    bool
	CanImport   bool
	CanExport   bool
	// CanApprove may approve others' large exports.
	CanApprove bool
	HasPlaces  bool
	// Ages are the people's ages in full years, by id.
	Ages map[int64]int
	// ExportQuery carries the list's filters to the export page, without
	// an ID-card number or phone (never in a URL).
	ExportQuery string
	// Assign is true on the awaiting-grid view for a user who may write:
	// the table gets checkboxes and the grid picker.
	Assign bool
}

// peopleFilter reads the list filters from the query (the export uses the
// same ones).
func peopleFilter(q url.Values) registry.PeopleFilter {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return registry.PeopleFilter{IDNumber: get("id_number"), Phone: get("phone"), Name: get("name"),
		Address: get("address"), GridCode: get("grid"), UnitCode: get("unit"), GroupKind: get("group"),
		PersonType: get("person_type"), AwaitingGrid: get("awaiting") == "1"}
}

// peoplePage handles GET /registry/people: the people in the actor's
// scope, searched, filtered and paged, with masked ID-card numbers and
// phones.
func (s *server) peoplePage(w http.ResponseWriter, r *http.Request) error {
	s.listPeople(w, r, r.URL.Query())
	return nil
}

// searchPeople handles POST /registry/people/search, the search form. An
// ID-card number or phone searched for must not end up in a URL (browser
// history, proxies, Referer): such a search is answered directly; any
// other search is redirected to the GET list, whose pages can be linked.
func (s *server) searchPeople(w http.ResponseWriter, r *http.Request) error {
	q := url.Values{}
	for k, v := range r.PostForm {
		if k != "csrf" && len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			q.Set(k, strings.TrimSpace(v[0]))
		}
	}
	if q.Get("id_number") == "" && q.Get("phone") == "" {
		http.Redirect(w, r, "/registry/people?"+q.Encode(), http.StatusSeeOther)
		return nil
	}
	s.listPeople(w, r, q)
	return nil
}

// listPeople renders the people list for the filters q.
func (s *server) listPeople(w http.ResponseWriter, r *http.Request, q url.Values) {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, registry.PermRead); err != nil {
		s.fail(w, r, err)
		return
	}
	f := peopleFilter(q)
	p := pageParam(r)
	f.Limit, f.Offset = peoplePageSize, (p-1)*peoplePageSize
	list, total, err := s.Registry.People(ctx, f)
	v := s.newView(r, "registry.people", "registry", nil)
	status := http.StatusOK
	if err != nil {
		st, ok := s.formError(v, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		status = st
	}
	a := actor.From(ctx)
	d := &peopleData{People: list, Filter: q, Pager: newPager(r, p, peoplePageSize, total), PersonTypes: personTypes,
		CanWrite: rbac.HasAnywhere(a, registry.PermWrite), CanImport: rbac.HasAnywhere(a, registry.PermImport),
		CanExport: rbac.HasAnywhere(a, registry.PermExport), CanApprove: rbac.HasAnywhere(a, rbac.RegistryExportApprove),
		HasPlaces: s.Places != nil}
	if r.Method == http.MethodPost {
		// Pages of an identifier search would need the identifier in
		// their links; it finds a handful of people at most.
		d.Pager = pager{Page: 1, Total: total, Pages: 1}
	}
	eq := url.Values{}
	for k, v := range q {
		if k != "id_number" && k != "phone" && k != "p" {
			eq[k] = v
		}
	}
	d.ExportQuery = eq.Encode()
	d.Ages = ages(list, time.Now().In(s.loc))
	d.Assign = f.AwaitingGrid && d.CanWrite && len(list) > 0
	if d.Assign {
		d.Grids = s.scopeGrids(r)
	}
	v.Data = d
	s.render(w, r, status, "registry_people", v)
}

// scopeGrids lists the grids the actor may see, for pickers; on error the
// picker is empty and the service names the problem when the form is sent.
func (s *server) scopeGrids(r *http.Request) []org.Grid {
	grids, _, err := s.Org.Grids(r.Context(), org.GridFilter{Limit: 500})
	if err != nil {
		s.Log.Warn("console: grids", "err", err)
		return nil
	}
	return grids
}

// assignGrid handles POST /registry/people/assign: the chosen people
// awaiting a grid go to the chosen grid.
func (s *server) assignGrid(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var ids []int64
	for _, x := range r.PostForm["person_id"] {
		id, err := strconv.ParseInt(x, 10, 64)
		if err != nil || id <= 0 {
			return apperr.Field("person_id", apperr.PositiveInt)
		}
		ids = append(ids, id)
	}
	back := "/registry/people?awaiting=1"
	if len(ids) == 0 {
		seeOther(w, r, back, "flash.registry_none_selected")
		return nil
	}
	if _, err := s.Registry.AssignGrid(ctx, ids, r.PostFormValue("grid_code")); err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid {
			seeOther(w, r, back, "flash.registry_assign_failed")
			return nil
		}
		return err
	}
	seeOther(w, r, back, "flash.registry_assigned")
	return nil
}

// personFormData is the create or edit form of a person.
type personFormData struct {
	Person      *registry.Person // nil on the new form
	PersonTypes []string
	Sources     []registry.Source
	Grids       []org.Grid
	Units       []org.Unit
}

// newPersonForm handles GET /registry/people/new.
func (s *server) newPersonForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		return err
	}
	v := s.newView(r, "registry.person_new", "registry", nil)
	v.Form = url.Values{"source": {string(registry.SourceOwn)}, "person_type": {"registered"}}
	s.showPersonForm(w, r, http.StatusOK, v, nil)
	return nil
}

func (s *server) showPersonForm(w http.ResponseWriter, r *http.Request, status int, v *view, p *registry.Person) {
	v.Data = &personFormData{Person: p, PersonTypes: personTypes, Sources: registrySources,
		Grids: s.scopeGrids(r), Units: s.permUnits(r, registry.PermWrite)}
	if p != nil {
		v.TitleText = p.Name
	}
	s.render(w, r, status, "registry_person_form", v)
}

// personInput reads a person's form.
func personInput(r *http.Request) registry.PersonInput {
	f := func(k string) string { return r.PostFormValue(k) }
	in := registry.PersonInput{IDType: f("id_type"), IDNumber: f("id_number"), Name: f("name"), Gender: f("gender"),
		BirthDate: f("birth_date"), Phone: f("phone"), Nation: f("nation"), Nationality: f("nationality"),
		Education: f("education"), Marital: f("marital"), Political: f("political"), PersonType: f("person_type"),
		HukouAddress: f("hukou_address"), Address: f("address"), Workplace: f("workplace"),
		GridCode: f("grid_code"), UnitCode: f("unit_code"), Source: registry.Source(f("source")),
		SourceRef: f("source_ref")}
	in.Version, _ = strconv.Atoi(f("version"))
	return in
}

// createPerson handles POST /registry/people.
func (s *server) createPerson(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Registry.CreatePerson(r.Context(), personInput(r))
	if err != nil {
		s.personFormFailed(w, r, "registry.person_new", nil, err)
		return nil
	}
	seeOther(w, r, personURL(p.ID), "flash.registry_person_created")
	return nil
}

// personFormFailed shows the form again with the problems next to their
// fields. The ID-card number and phone typed are not sent back: they are
// never echoed into a page.
func (s *server) personFormFailed(w http.ResponseWriter, r *http.Request, title string, p *registry.Person, err error) {
	v := s.newView(r, title, "registry", nil)
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	v.Form = formWithout(r.PostForm, "csrf", "id_number", "phone")
	s.showPersonForm(w, r, status, v, p)
}

// personID reads the {id} of a person's path.
func personID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// personURL is the console page of a person.
func personURL(id int64) string { return "/registry/people/" + strconv.FormatInt(id, 10) }

// editPersonForm handles GET /registry/people/{id}/edit. The ID-card
// number and phone fields start empty (the record shows their masks):
// left empty they keep the stored values.
func (s *server) editPersonForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return err
	}
	in, err := s.Registry.PersonForEdit(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.Registry.PersonByID(ctx, id)
	if err != nil {
		return err
	}
	v := s.newView(r, "registry.person_edit", "registry", nil)
	v.Form = personForm(in)
	s.showPersonForm(w, r, http.StatusOK, v, &p)
	return nil
}

// personForm fills an edit form from a person's input, which has no
// identifiers.
func personForm(p registry.PersonInput) url.Values {
	return url.Values{"id_type": {p.IDType}, "name": {p.Name}, "gender": {p.Gender}, "birth_date": {p.BirthDate},
		"nation": {p.Nation}, "nationality": {p.Nationality}, "education": {p.Education}, "marital": {p.Marital},
		"political": {p.Political}, "person_type": {p.PersonType}, "hukou_address": {p.HukouAddress},
		"address": {p.Address}, "workplace": {p.Workplace}, "grid_code": {p.GridCode}, "unit_code": {p.UnitCode},
		"source": {string(p.Source)}, "source_ref": {p.SourceRef}, "version": {strconv.Itoa(p.Version)}}
}

// updatePerson handles POST /registry/people/{id}.
func (s *server) updatePerson(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, ok := personID(r)
	if !ok {
		return errNotFound()
	}
	cur, err := s.Registry.PersonForEdit(ctx, id)
	if err != nil {
		return err
	}
	in := personInput(r)
	in.Extra = cur.Extra // the form does not show the extra fields
	if _, err := s.Registry.UpdatePerson(ctx, id, in); err != nil {
		cur, gerr := s.Registry.PersonByID(ctx, id)
		if gerr != nil {
			return gerr
		}
		s.personFormFailed(w, r, "registry.person_edit", &cur, err)
		return nil
	}
	seeOther(w, r, personURL(id), "flash.registry_person_updated")
	return nil
}

// permUnits lists the units where the actor holds perm: the scopes of
// their grants and the units below them, for unit pickers.
func (s *server) permUnits(r *http.Request, perm rbac.Permission) []org.Unit {
	ctx := r.Context()
	a := actor.From(ctx)
	if a == nil {
		return nil
	}
	var out []org.Unit
	seen := map[string]bool{}
	add := func(u org.Unit) {
		if !seen[u.Code] {
			seen[u.Code] = true
			out = append(out, u)
		}
	}
	for _, g := range a.Grants {
		if !g.Perms[string(perm)] || g.ScopeCode == "" {
			continue
		}
		if u, err := s.Org.Unit(ctx, g.ScopeCode); err == nil {
			add(u)
		}
		below, _, err := s.Org.Units(ctx, org.UnitFilter{Under: g.ScopeCode, Limit: 500})
		if err != nil {
			continue
		}
		for _, u := range below {
			if u.Kind == org.Territory {
				add(u)
			}
		}
	}
	return out
}

// ages computes the people's ages in full years on today's date in
// Zhengzhou; a person without a birth date has none. Lists show the birth
// year only (1985-**-**): their age is the one reached this year.
func ages(list []registry.Person, now time.Time) map[int64]int {
	out := map[int64]int{}
	y, m, d := now.Date()
	for _, p := range list {
		b, err := time.Parse("2006-01-02", p.BirthDate)
		if err != nil {
			if year, yerr := strconv.Atoi(strings.TrimSuffix(p.BirthDate, "-**-**")); yerr == nil && year > 0 {
				out[p.ID] = y - year
			}
			continue
		}
		age := y - b.Year()
		if m < b.Month() || (m == b.Month() && d < b.Day()) {
			age--
		}
		out[p.ID] = age
	}
	return out
}
