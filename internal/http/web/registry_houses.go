package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// occupantSearchShown is the number of people an occupant search offers.
const occupantSearchShown = 20

// houseUseCodes are the house uses offered when the house_use code table
// cannot be read.
var houseUseCodes = []string{"residential", "commercial", "office", "mixed", "vacant"}

// occupantRoles are the roles a person may hold in a house.
var occupantRoles = []string{"owner", "tenant", "resident"}

func init() { pages = append(pages, "registry_house", "registry_house_form") }

// houseRoutes mounts a house's page, its forms and its actions; on wraps
// a handler so that it answers 404 without the places service.
func (s *server) houseRoutes(mux *http.ServeMux, on func(pageFunc) http.Handler) {
	mux.Handle("GET /registry/houses/new", on(s.newHouseForm))
	mux.Handle("POST /registry/houses", on(s.createHouse))
	mux.Handle("GET /registry/houses/{id}", on(s.housePage))
	mux.Handle("GET /registry/houses/{id}/edit", on(s.editHouseForm))
	mux.Handle("POST /registry/houses/{id}", on(s.updateHouse))
	mux.Handle("POST /registry/houses/{id}/verify", on(s.verifyHouse))
	mux.Handle("POST /registry/houses/{id}/occupants/search", on(s.searchOccupant))
	mux.Handle("POST /registry/houses/{id}/occupants", on(s.addOccupant))
	mux.Handle("POST /registry/houses/{id}/occupants/{pid}/remove", on(s.removeOccupant))
	mux.Handle("POST /registry/houses/{id}/delete", on(s.deleteHouse))
}

// houseURL is the console page of a house.
func houseURL(id int64) string { return "/registry/houses/" + strconv.FormatInt(id, 10) }

// houseData is a house's page: the record, its place, its occupants (those
// the actor may see, as the service gives them) and, after a search, the
// people who may become occupants.
type houseData struct {
	House places.House
	placeHead
	UseNames   map[string]string
	OwnerName  string // the owner's name when the owner is among the occupants
	Roles      []string
	Candidates []registry.Person
	Searched   bool
}

// housePage handles GET /registry/houses/{id}.
func (s *server) housePage(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	h, err := s.Places.HouseByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.showHouse(w, r, http.StatusOK, s.newView(r, "registry.house", "registry", nil), h, nil)
	return nil
}

// showHouse renders a house's page; more adds to it (search results).
func (s *server) showHouse(w http.ResponseWriter, r *http.Request, status int, v *view, h places.House, more func(*houseData)) {
	d := &houseData{House: h, placeHead: s.placeHeadOf(r.Context(), h.GridCode, h.UnitCode), Roles: occupantRoles}
	_, d.UseNames = s.placeCodes(r.Context(), "house_use", v.Lang, houseUseCodes)
	if h.OwnerID != nil {
		for _, o := range h.Occupants {
			if o.PersonID == *h.OwnerID {
				d.OwnerName = o.Name
			}
		}
	}
	if more != nil {
		more(d)
	}
	v.Data, v.TitleText = d, houseTitle(h)
	s.render(w, r, status, "registry_house", v)
}

// houseTitle names a house by its address, building, entrance and room.
func houseTitle(h places.House) string {
	return strings.Join(strings.Fields(strings.Join([]string{h.Address, h.Building, h.Entrance, h.Room}, " ")), " ")
}

// houseActionFailed shows the house's page with the errors of one action's
// form, keyed "action.field" so that only that form shows them.
func (s *server) houseActionFailed(w http.ResponseWriter, r *http.Request, id int64, act string, err error) {
	v, status, ok := s.actionForm(w, r, "registry.house", act, err, "id_number")
	if !ok {
		return
	}
	h, gerr := s.Places.HouseByID(r.Context(), id)
	if gerr != nil {
		s.fail(w, r, gerr)
		return
	}
	s.showHouse(w, r, status, v, h, nil)
}

// houseForWrite checks registry.write somewhere and loads the house of
// the path (404 out of scope); on failure it has answered.
func (s *server) houseForWrite(w http.ResponseWriter, r *http.Request) (places.House, bool) {
	id, ok := recordID(r)
	if !ok {
		s.notFound(w, r)
		return places.House{}, false
	}
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		s.fail(w, r, err)
		return places.House{}, false
	}
	h, err := s.Places.HouseByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return places.House{}, false
	}
	return h, true
}

// newHouseForm handles GET /registry/houses/new.
func (s *server) newHouseForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermWrite); err != nil {
		return err
	}
	v := s.newView(r, "registry.house_new", "registry", nil)
	v.Form = url.Values{"source": {string(registry.SourceOwn)}, "use": {"residential"}}
	s.showHouseForm(w, r, http.StatusOK, v, nil)
	return nil
}

// showHouseForm renders the create (h nil) or edit form of a house.
func (s *server) showHouseForm(w http.ResponseWriter, r *http.Request, status int, v *view, h *places.House) {
	var id int64
	var name string
	if h != nil {
		id, name = h.ID, houseTitle(*h)
		v.TitleText = name
	}
	v.Data = s.newPlaceForm(r, v, id, name, "house_use", houseUseCodes)
	s.render(w, r, status, "registry_house_form", v)
}

// houseInput reads a house's form onto in (the current fields on edit, so
// that those the form does not show, the owner and extra fields, stay).
func houseInput(r *http.Request, in places.HouseInput) places.HouseInput {
	f := func(k string) string { return r.PostFormValue(k) }
	errs := apperr.FieldErrors{}
	in.Code, in.Address, in.Building, in.Entrance, in.Room = f("code"), f("address"), f("building"), f("entrance"), f("room")
	in.Use, in.Rented = f("use"), f("rented") == "1"
	in.Area, in.Lat, in.Lng = formFloat(r, errs, "area"), formFloat(r, errs, "lat"), formFloat(r, errs, "lng")
	in.GridCode, in.UnitCode, in.Source = f("grid_code"), f("unit_code"), registry.Source(f("source"))
	in.Version, _ = strconv.Atoi(f("version"))
	in.Unread = errs // the service reports them with its own problems
	return in
}

// houseForm fills an edit form from a house.
func houseForm(h places.House) url.Values {
	rented := ""
	if h.Rented {
		rented = "1"
	}
	return url.Values{"code": {h.Code}, "address": {h.Address}, "building": {h.Building}, "entrance": {h.Entrance},
		"room": {h.Room}, "use": {h.Use}, "rented": {rented}, "area": {fmtFloat(h.Area)}, "lat": {fmtFloat(h.Lat)},
		"lng": {fmtFloat(h.Lng)}, "grid_code": {h.GridCode}, "unit_code": {h.UnitCode}, "source": {string(h.Source)},
		"version": {strconv.Itoa(h.Version)}}
}

// createHouse handles POST /registry/houses.
func (s *server) createHouse(w http.ResponseWriter, r *http.Request) error {
	h, err := s.Places.CreateHouse(r.Context(), houseInput(r, places.HouseInput{}))
	if err != nil {
		v := s.newView(r, "registry.house_new", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err); ok {
			s.showHouseForm(w, r, status, v, nil)
		}
		return nil
	}
	seeOther(w, r, houseURL(h.ID), "flash.registry_house_created")
	return nil
}

// editHouseForm handles GET /registry/houses/{id}/edit.
func (s *server) editHouseForm(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	v := s.newView(r, "registry.house_edit", "registry", nil)
	v.Form = houseForm(h)
	s.showHouseForm(w, r, http.StatusOK, v, &h)
	return nil
}

// updateHouse handles POST /registry/houses/{id}: the form's fields under
// the version the form was read at (a stale one is refused).
func (s *server) updateHouse(w http.ResponseWriter, r *http.Request) error {
	cur, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	_, err := s.Places.UpdateHouse(r.Context(), cur.ID, houseInput(r, cur.Input()))
	if err != nil {
		v := s.newView(r, "registry.house_edit", "registry", nil)
		if status, ok := s.placeFormFailed(w, r, v, err); ok {
			s.showHouseForm(w, r, status, v, &cur)
		}
		return nil
	}
	seeOther(w, r, houseURL(cur.ID), "flash.registry_house_updated")
	return nil
}

// verifyHouse handles POST /registry/houses/{id}/verify (核对).
func (s *server) verifyHouse(w http.ResponseWriter, r *http.Request) error {
	id, ok := recordID(r)
	if !ok {
		return errNotFound()
	}
	if _, err := s.Places.VerifyHouse(r.Context(), id, r.PostFormValue("note")); err != nil {
		s.houseActionFailed(w, r, id, "verify", err)
		return nil
	}
	seeOther(w, r, houseURL(id), "flash.registry_verified")
	return nil
}

// searchOccupant handles POST /registry/houses/{id}/occupants/search: the
// people who may become occupants, by ID-card number (exact; posted so
// that it stays out of URLs, and never echoed) or by name prefix in the
// house's grid (or unit, while it awaits a grid).
func (s *server) searchOccupant(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	if s.Registry == nil {
		return errNotFound()
	}
	f := registry.PeopleFilter{IDNumber: strings.TrimSpace(r.PostFormValue("id_number")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Limit: occupantSearchShown}
	if f.IDNumber == "" && f.Name == "" {
		s.houseActionFailed(w, r, h.ID, "occupant", apperr.Field("name", apperr.IDOrName))
		return nil
	}
	if f.IDNumber != "" {
		f.Name = ""
	} else if h.GridCode != "" {
		f.GridCode = h.GridCode
	} else {
		f.UnitCode = h.UnitCode
	}
	list, _, err := s.Registry.People(r.Context(), f)
	if err != nil {
		s.houseActionFailed(w, r, h.ID, "occupant", err)
		return nil
	}
	v := s.newView(r, "registry.house", "registry", nil)
	v.Form = formWithout(r.PostForm, "csrf", "id_number")
	s.showHouse(w, r, http.StatusOK, v, h, func(d *houseData) { d.Candidates, d.Searched = list, true })
	return nil
}

// addOccupant handles POST /registry/houses/{id}/occupants: the chosen
// person is tied to the house in a role from a date.
func (s *server) addOccupant(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	pid, err := strconv.ParseInt(r.PostFormValue("person_id"), 10, 64)
	if err != nil || pid <= 0 {
		s.houseActionFailed(w, r, h.ID, "occupant", apperr.Field("person_id", apperr.ChoosePerson))
		return nil
	}
	in := places.OccupantInput{PersonID: pid, Role: r.PostFormValue("role"), StartedOn: r.PostFormValue("started_on")}
	if _, err := s.Places.AddOccupant(r.Context(), h.ID, in); err != nil {
		s.houseActionFailed(w, r, h.ID, "occupant", err)
		return nil
	}
	seeOther(w, r, houseURL(h.ID), "flash.registry_occupant_added")
	return nil
}

// removeOccupant handles POST /registry/houses/{id}/occupants/{pid}/remove:
// the person is untied from the house in the posted role (every role
// when none is posted).
func (s *server) removeOccupant(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err != nil || pid <= 0 {
		return errNotFound()
	}
	if _, err := s.Places.RemoveOccupant(r.Context(), h.ID, pid, r.PostFormValue("role")); err != nil {
		s.houseActionFailed(w, r, h.ID, "occupant", err)
		return nil
	}
	seeOther(w, r, houseURL(h.ID), "flash.registry_occupant_removed")
	return nil
}

// deleteHouse handles POST /registry/houses/{id}/delete: the house is
// removed with a reason, under the version the page was read at.
func (s *server) deleteHouse(w http.ResponseWriter, r *http.Request) error {
	h, ok := s.houseForWrite(w, r)
	if !ok {
		return nil
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := s.Places.DeleteHouse(r.Context(), h.ID, version, r.PostFormValue("reason")); err != nil {
		s.houseActionFailed(w, r, h.ID, "delete", err)
		return nil
	}
	seeOther(w, r, "/registry/houses", "flash.registry_house_deleted")
	return nil
}
