package api

import (
	"gridgov/internal/apperr"
	"net/http"
	"strconv"

	"gridgov/internal/http/httpx"
	"gridgov/internal/registry/places"
)

// placeRoutes are the registry's routes for houses and their occupants,
// organisations, city components and thematic rosters.
func (a *api) placeRoutes() []route {
	return []route{
		{Method: "GET", Path: "/houses", Handler: a.listHousesHandler},
		{Method: "POST", Path: "/houses", Handler: a.createHouseHandler},
		{Method: "GET", Path: "/houses/nearest", Handler: a.nearestHousesHandler},
		{Method: "GET", Path: "/houses/geocode", Handler: a.geocodeHousesHandler},
		{Method: "GET", Path: "/houses/{id}", Handler: a.houseHandler},
		{Method: "PATCH", Path: "/houses/{id}", Handler: a.updateHouseHandler},
		{Method: "POST", Path: "/houses/{id}/verify", Handler: a.verifyHouseHandler},
		{Method: "POST", Path: "/houses/{id}/occupants", Handler: a.addOccupantHandler},
		{Method: "DELETE", Path: "/houses/{id}/occupants/{person_id}", Handler: a.removeOccupantHandler},
		{Method: "GET", Path: "/organisations", Handler: a.listOrganisationsHandler},
		{Method: "POST", Path: "/organisations", Handler: a.createOrganisationHandler},
		{Method: "GET", Path: "/organisations/{id}", Handler: a.organisationHandler},
		{Method: "PATCH", Path: "/organisations/{id}", Handler: a.updateOrganisationHandler},
		{Method: "POST", Path: "/organisations/{id}/verify", Handler: a.verifyOrganisationHandler},
		{Method: "GET", Path: "/components", Handler: a.listComponentsHandler},
		{Method: "POST", Path: "/components", Handler: a.createComponentHandler},
		{Method: "GET", Path: "/components/{id}", Handler: a.componentHandler},
		{Method: "PATCH", Path: "/components/{id}", Handler: a.updateComponentHandler},
		{Method: "POST", Path: "/components/{id}/verify", Handler: a.verifyComponentHandler},
		{Method: "GET", Path: "/rosters", Handler: listRostersHandler},
		{Method: "GET", Path: "/rosters/{roster}", Handler: a.listRosterHandler},
		{Method: "POST", Path: "/rosters/{roster}", Handler: a.createRosterEntryHandler},
		{Method: "GET", Path: "/rosters/{roster}/{id}", Handler: a.rosterEntryHandler},
		{Method: "PATCH", Path: "/rosters/{roster}/{id}", Handler: a.updateRosterEntryHandler},
		{Method: "POST", Path: "/rosters/{roster}/{id}/verify", Handler: a.verifyRosterEntryHandler},
	}
}

// floatParam reads an optional number in [min, max].
func (q *query) floatParam(name string, min, max float64) *float64 {
	s := q.str(name)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < min || v > max {
		q.problems.Add(name, apperr.OutOfRange, "min", min, "max", max)
		return nil
	}
	return &v
}

// verifyNote reads the optional {"note": …} body of a verify request.
func verifyNote(w http.ResponseWriter, r *http.Request) (string, error) {
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength == 0 {
		return "", nil
	}
	err := httpx.DecodeJSON(w, r, &in)
	return in.Note, err
}

func (a *api) listHousesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := places.HouseFilter{GridCode: q.str("grid_code"), UnitCode: q.str("unit_code"), Address: q.str("address"),
		Use: q.str("use"), Rented: q.optBool("rented")}
	if aw := q.optBool("awaiting_grid"); aw != nil {
		f.AwaitingGrid = *aw
	}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	hs, total, err := a.Places.Houses(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(hs, total))
}

func (a *api) createHouseHandler(w http.ResponseWriter, r *http.Request) error {
	var in places.HouseInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := a.Places.CreateHouse(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, h)
}

func (a *api) nearestHousesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	lat, lng, limit := q.floatParam("lat", -90, 90), q.floatParam("lng", -180, 180), q.limit()
	if lat == nil {
		q.problems.Add("lat", apperr.Required)
	}
	if lng == nil {
		q.problems.Add("lng", apperr.Required)
	}
	if err := q.err(); err != nil {
		return err
	}
	hs, err := a.Places.NearestHouses(r.Context(), *lat, *lng, limit)
	if err != nil {
		return err
	}
	return ok(w, newList(hs, len(hs)))
}

func (a *api) geocodeHousesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	hs, err := a.Places.HousesByAddress(r.Context(), q.str("address"), limit)
	if err != nil {
		return err
	}
	return ok(w, newList(hs, len(hs)))
}

func (a *api) houseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := a.Places.HouseByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) updateHouseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := a.Places.HouseByID(r.Context(), id)
	if err != nil {
		return err
	}
	in := h.Input()
	if err := httpx.DecodeJSON(w, r, &in); err != nil { // the body patches the current fields
		return err
	}
	if h, err = a.Places.UpdateHouse(r.Context(), id, in); err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) verifyHouseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	note, err := verifyNote(w, r)
	if err != nil {
		return err
	}
	h, err := a.Places.VerifyHouse(r.Context(), id, note)
	if err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) addOccupantHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in places.OccupantInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := a.Places.AddOccupant(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, h)
}

func (a *api) removeOccupantHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	person, err := pathID(r, "person_id")
	if err != nil {
		return err
	}
	h, err := a.Places.RemoveOccupant(r.Context(), id, person, newQuery(r).str("role"))
	if err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) listOrganisationsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := places.OrganisationFilter{Kind: q.str("kind"), Name: q.str("name"), USCC: q.str("uscc"), Phone: q.str("phone"),
		GridCode: q.str("grid_code"), UnitCode: q.str("unit_code")}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	os, total, err := a.Places.Organisations(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(os, total))
}

func (a *api) createOrganisationHandler(w http.ResponseWriter, r *http.Request) error {
	var in places.OrganisationInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := a.Places.CreateOrganisation(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, o)
}

func (a *api) organisationHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := a.Places.OrganisationByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, o)
}

func (a *api) updateOrganisationHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := a.Places.OrganisationByID(r.Context(), id)
	if err != nil {
		return err
	}
	in := o.Input()
	if err := httpx.DecodeJSON(w, r, &in); err != nil { // the body patches the current fields
		return err
	}
	if o, err = a.Places.UpdateOrganisation(r.Context(), id, in); err != nil {
		return err
	}
	return ok(w, o)
}

func (a *api) verifyOrganisationHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	note, err := verifyNote(w, r)
	if err != nil {
		return err
	}
	o, err := a.Places.VerifyOrganisation(r.Context(), id, note)
	if err != nil {
		return err
	}
	return ok(w, o)
}

func (a *api) listComponentsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := places.ComponentFilter{CategoryCode: q.str("category_code"), Status: q.str("status"),
		GridCode: q.str("grid_code"), UnitCode: q.str("unit_code"),
		MinLat: q.floatParam("min_lat", -90, 90), MinLng: q.floatParam("min_lng", -180, 180),
		MaxLat: q.floatParam("max_lat", -90, 90), MaxLng: q.floatParam("max_lng", -180, 180)}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	cs, total, err := a.Places.Components(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(cs, total))
}

func (a *api) createComponentHandler(w http.ResponseWriter, r *http.Request) error {
	var in places.ComponentInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.Places.CreateComponent(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, c)
}

func (a *api) componentHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.Places.ComponentByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func (a *api) updateComponentHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.Places.ComponentByID(r.Context(), id)
	if err != nil {
		return err
	}
	in := c.Input()
	if err := httpx.DecodeJSON(w, r, &in); err != nil { // the body patches the current fields
		return err
	}
	if c, err = a.Places.UpdateComponent(r.Context(), id, in); err != nil {
		return err
	}
	return ok(w, c)
}

func (a *api) verifyComponentHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	note, err := verifyNote(w, r)
	if err != nil {
		return err
	}
	c, err := a.Places.VerifyComponent(r.Context(), id, note)
	if err != nil {
		return err
	}
	return ok(w, c)
}

func listRostersHandler(w http.ResponseWriter, r *http.Request) error {
	return ok(w, map[string][]string{"rosters": places.Rosters})
}

func (a *api) listRosterHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := places.RosterFilter{Roster: r.PathValue("roster"), Name: q.str("name"), GridCode: q.str("grid_code"),
		UnitCode: q.str("unit_code"), Active: q.optBool("active")}
	if p := q.str("person_id"); p != "" {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id <= 0 {
			q.problems.Add("person_id", apperr.PositiveInt)
		}
		f.PersonID = id
	}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	es, total, err := a.Places.RosterEntries(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(es, total))
}

func (a *api) createRosterEntryHandler(w http.ResponseWriter, r *http.Request) error {
	var in places.RosterInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := a.Places.CreateRosterEntry(r.Context(), r.PathValue("roster"), in)
	if err != nil {
		return err
	}
	return created(w, e)
}

func (a *api) rosterEntryHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := a.Places.RosterEntryByID(r.Context(), r.PathValue("roster"), id)
	if err != nil {
		return err
	}
	return ok(w, e)
}

func (a *api) updateRosterEntryHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	roster := r.PathValue("roster")
	e, err := a.Places.RosterEntryByID(r.Context(), roster, id)
	if err != nil {
		return err
	}
	in := e.Input()
	if err := httpx.DecodeJSON(w, r, &in); err != nil { // the body patches the current fields
		return err
	}
	if e, err = a.Places.UpdateRosterEntry(r.Context(), roster, id, in); err != nil {
		return err
	}
	return ok(w, e)
}

func (a *api) verifyRosterEntryHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	note, err := verifyNote(w, r)
	if err != nil {
		return err
	}
	e, err := a.Places.VerifyRosterEntry(r.Context(), r.PathValue("roster"), id, note)
	if err != nil {
		return err
	}
	return ok(w, e)
}
