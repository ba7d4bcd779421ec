package web

import (
	"net/http"
	"net/url"
	"strings"

	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// placesPageSize is the number of records per page of a places list.
const placesPageSize = 30

func init() { pages = append(pages, "registry_places") }

// placeRoutes mounts the read-only lists of houses, organisations and
// components (H3's places service), when the console has it.
func (s *server) placeRoutes(mux *http.ServeMux) {
	mux.Handle("GET /registry/houses", s.page(s.onlyWith(s.Places != nil, s.housesPage)))
	mux.Handle("GET /registry/organisations", s.page(s.onlyWith(s.Places != nil, s.organisationsPage)))
	mux.Handle("GET /registry/components", s.page(s.onlyWith(s.Places != nil, s.componentsPage)))
}

// onlyWith is h when the console has the service h needs (ok), and the
// 404 page otherwise.
func (s *server) onlyWith(ok bool, h http.HandlerFunc) http.HandlerFunc {
	if !ok {
		return s.notFound
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
func (s *server) housesPage(w http.ResponseWriter, r *http.Request) {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := places.HouseFilter{GridCode: grid, UnitCode: unit, Address: strings.TrimSpace(q.Get("q")),
		AwaitingGrid: q.Get("awaiting") == "1", Limit: placesPageSize, Offset: off}
	if q.Get("rented") == "1" {
		t := true
		f.Rented = &t
	}
	list, total, err := s.Places.Houses(r.Context(), f)
	s.placesList(w, r, &placesData{Kind: "houses", Houses: list, Filter: q}, total, err)
}

// organisationsPage handles GET /registry/organisations.
func (s *server) organisationsPage(w http.ResponseWriter, r *http.Request) {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Places.Organisations(r.Context(), places.OrganisationFilter{GridCode: grid, UnitCode: unit,
		Name: strings.TrimSpace(q.Get("q")), Limit: placesPageSize, Offset: off})
	s.placesList(w, r, &placesData{Kind: "organisations", Organisations: list, Filter: q}, total, err)
}

// componentsPage handles GET /registry/components (部件).
func (s *server) componentsPage(w http.ResponseWriter, r *http.Request) {
	q, grid, unit, off, err := placesQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Places.Components(r.Context(), places.ComponentFilter{GridCode: grid, UnitCode: unit,
		CategoryCode: strings.TrimSpace(q.Get("q")), Limit: placesPageSize, Offset: off})
	s.placesList(w, r, &placesData{Kind: "components", Components: list, Filter: q}, total, err)
}
