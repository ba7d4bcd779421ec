package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// placesPageSize is the number of records per page of a places list.
const placesPageSize = 30

func init() { pages = append(pages, "registry_places") }

// placeRoutes mounts the lists of houses, organisations and components
// (H3's places service), their pages and their forms, when the console
// has the service.
func (s *server) placeRoutes(mux *http.ServeMux) {
	on := func(h pageFunc) http.Handler { return s.page(s.onlyWith(s.Places != nil, h)) }
	mux.Handle("GET /registry/houses", on(s.housesPage))
	mux.Handle("GET /registry/organisations", on(s.organisationsPage))
	mux.Handle("GET /registry/components", on(s.componentsPage))
	s.houseRoutes(mux, on)
	s.organisationRoutes(mux, on)
	s.componentRoutes(mux, on)
}

// onlyWith is h when the console has the service h needs (ok), and the
// 404 page otherwise.
func (s *server) onlyWith(ok bool, h pageFunc) pageFunc {
	if !ok {
		return func(http.ResponseWriter, *http.Request) error { return errNotFound() }
	}
	return h
}

// placesData is one places list: Kind says which of the slices is set.
type placesData struct {
	Kind          string // houses | organisations | components
	Houses        []places.House
	Organisations []places.Organisation
	Components    []places.Component
	Filter        url.Values
	Pager         pager
	// CanWrite shows the "new" button (registry.write somewhere).
	CanWrite bool
}

// placesList renders a places list after its query ran.
func (s *server) placesList(w http.ResponseWriter, r *http.Request, d *placesData, total int, err error) {
	v := s.newView(r, "registry."+d.Kind, "registry", d)
	status := http.StatusOK
	if err != nil {
		st, ok := s.formError(v, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		status = st
	}
	d.Pager = newPager(r, pageParam(r), placesPageSize, total)
	d.CanWrite = rbac.HasAnywhere(actor.From(r.Context()), registry.PermWrite)
	s.render(w, r, status, "registry_places", v)
}

// placesQuery checks the read permission and reads the common filters.
func placesQuery(r *http.Request) (q url.Values, grid, unit string, offset int, err error) {
	q = r.URL.Query()
	err = rbac.RequireAny(r.Context(), registry.PermRead)
	return q, strings.TrimSpace(q.Get("grid")), strings.TrimSpace(q.Get("unit")),
		(pageParam(r) - 1) * placesPageSize, err
}

// housesPage handles GET /registry/houses (实有房屋).
func (s *server) housesPage(w http.ResponseWriter, r *http.Request) error {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		return err
	}
	f := places.HouseFilter{GridCode: grid, UnitCode: unit, Address: strings.TrimSpace(q.Get("q")),
		AwaitingGrid: q.Get("awaiting") == "1", Limit: placesPageSize, Offset: off}
	if q.Get("rented") == "1" {
		t := true
		f.Rented = &t
	}
	list, total, err := s.Places.Houses(r.Context(), f)
	s.placesList(w, r, &placesData{Kind: "houses", Houses: list, Filter: q}, total, err)
	return nil
}

// organisationsPage handles GET /registry/organisations.
func (s *server) organisationsPage(w http.ResponseWriter, r *http.Request) error {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		return err
	}
	list, total, err := s.Places.Organisations(r.Context(), places.OrganisationFilter{GridCode: grid, UnitCode: unit,
		Name: strings.TrimSpace(q.Get("q")), Limit: placesPageSize, Offset: off})
	s.placesList(w, r, &placesData{Kind: "organisations", Organisations: list, Filter: q}, total, err)
	return nil
}

// componentsPage handles GET /registry/components (部件).
func (s *server) componentsPage(w http.ResponseWriter, r *http.Request) error {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		return err
	}
	list, total, err := s.Places.Components(r.Context(), places.ComponentFilter{GridCode: grid, UnitCode: unit,
		CategoryCode: strings.TrimSpace(q.Get("q")), Limit: placesPageSize, Offset: off})
	s.placesList(w, r, &placesData{Kind: "components", Components: list, Filter: q}, total, err)
	return nil
}

// placeHead is what the page of a house, organisation or component shows
// about its place: the grid's and unit's names, and whether the actor may
// change the record (registry.write over the record's unit).
type placeHead struct {
	GridName string
	UnitName string
	CanWrite bool
}

// placeHeadOf names a record's grid and unit and checks the write
// permission over the unit; a name it cannot read stays the code.
func (s *server) placeHeadOf(ctx context.Context, grid, unit string) placeHead {
	h := placeHead{GridName: grid, UnitName: unit}
	if grid != "" {
		if g, err := s.Org.Grid(ctx, grid); err == nil {
			h.GridName = g.Name
		}
	}
	if u, err := s.Org.Unit(ctx, unit); err == nil {
		h.UnitName = u.Name
		h.CanWrite = rbac.Can(actor.From(ctx), registry.PermWrite, u.Path)
	}
	return h
}

// placeForm is what the create and edit forms of houses, organisations
// and components share: the grid and unit pickers (limited to the actor's
// write scope), the sources, and the code table of the record's kind
// (house uses, organisation kinds, component statuses).
type placeForm struct {
	ID      int64  // 0 on the new form
	Name    string // the record's title on the edit form
	Grids   []org.Grid
	Units   []org.Unit
	Sources []registry.Source
	Options []codeOpt
	// Categories are the case catalogue's component categories, for the
	// component form (empty without the case service).
	Categories []codeOpt
}

// newPlaceForm fills the pickers of a place form; table names the code
// table of its options and fallback the codes offered without it.
func (s *server) newPlaceForm(r *http.Request, v *view, id int64, name, table string, fallback []string) *placeForm {
	units := s.permUnits(r, registry.PermWrite)
	in := map[string]bool{}
	for _, u := range units {
		in[u.Code] = true
	}
	var grids []org.Grid
	for _, g := range s.scopeGrids(r) {
		if in[g.UnitCode] {
			grids = append(grids, g)
		}
	}
	opts, _ := s.placeCodes(r.Context(), table, v.Lang, fallback)
	return &placeForm{ID: id, Name: name, Grids: grids, Units: units, Sources: registrySources, Options: opts}
}

// placeCodes reads a code table for a picker and its names by code; when
// the table cannot be read, the fallback codes are offered as themselves.
func (s *server) placeCodes(ctx context.Context, table, lang string, fallback []string) ([]codeOpt, map[string]string) {
	opts, names := s.codeOptions(ctx, table, lang)
	if len(opts) == 0 {
		for _, c := range fallback {
			opts = append(opts, codeOpt{Code: c, Name: c})
			names[c] = c
		}
	}
	return opts, names
}

// formFloat reads an optional decimal field; a value that is not a number
// is a problem of that field.
func formFloat(r *http.Request, errs apperr.FieldErrors, name string) *float64 {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		errs.Add(name, apperr.Number)
		return nil
	}
	return &f
}

// formInt reads an optional whole-number field like formFloat.
func formInt(r *http.Request, errs apperr.FieldErrors, name string) *int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		errs.Add(name, apperr.Integer)
		return nil
	}
	return &n
}

// fmtFloat writes an optional number back into a form field.
func fmtFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// recordID reads the {id} of a record's path.
func recordID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// placeFormFailed puts a service error on a place form: field problems
// next to their fields and the values typed kept (but those in drop).
// It reports false, having answered, when the error is not about the form.
func (s *server) placeFormFailed(w http.ResponseWriter, r *http.Request, v *view, err error, drop ...string) (int, bool) {
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return 0, false
	}
	v.Form = formWithout(r.PostForm, append([]string{"csrf"}, drop...)...)
	return status, true
}
