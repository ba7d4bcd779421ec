package api

import (
	"net/http"

	"gridgov/internal/http/httpx"
	"gridgov/internal/registry"
)

// peopleRoutes are the registry's people and household routes.
func (a *api) peopleRoutes() []route {
	return []route{
		{Method: "GET", Path: "/people", Handler: a.listPeopleHandler},
		{Method: "POST", Path: "/people", Handler: a.createPersonHandler},
		{Method: "POST", Path: "/people/assign-grid", Handler: a.assignGridHandler},
		{Method: "GET", Path: "/people/{id}", Handler: a.personHandler},
		{Method: "PATCH", Path: "/people/{id}", Handler: a.updatePersonHandler},
		{Method: "DELETE", Path: "/people/{id}", Handler: a.removePersonHandler},
		{Method: "POST", Path: "/people/{id}/unmask", Handler: a.unmaskPersonHandler},
		{Method: "POST", Path: "/people/{id}/verify", Handler: a.verifyPersonHandler},
		{Method: "GET", Path: "/people/{id}/views", Handler: a.personViewsHandler},
		{Method: "GET", Path: "/people/{id}/cases", Handler: a.personCasesHandler},
		{Method: "POST", Path: "/people/{id}/cases", Handler: a.linkPersonCaseHandler},
		{Method: "POST", Path: "/households", Handler: a.createHouseholdHandler},
		{Method: "GET", Path: "/households/{id}", Handler: a.householdHandler},
		{Method: "PUT", Path: "/households/{id}/members/{person_id}", Handler: a.setHouseholdMemberHandler},
		{Method: "DELETE", Path: "/households/{id}/members/{person_id}", Handler: a.removeHouseholdMemberHandler},
	}
}

// peopleFilter reads the filters of GET /people.
func peopleFilter(r *http.Request) (registry.PeopleFilter, error) {
	q := newQuery(r)
	f := registry.PeopleFilter{IDNumber: q.str("id_number"), Phone: q.str("phone"), Name: q.str("name"),
		Address: q.str("address"), GridCode: q.str("grid_code"), UnitCode: q.str("unit_code"),
		GroupKind: q.str("group"), PersonType: q.str("person_type")}
	f.AwaitingGrid = q.flag("awaiting_grid")
	f.KeyGroupOnly = q.flag("key_group")
	f.Limit, f.Offset = q.page()
	return f, q.err()
}

func (a *api) listPeopleHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	ps, total, err := a.Registry.People(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(ps, total))
}

func (a *api) createPersonHandler(w http.ResponseWriter, r *http.Request) error {
	var in registry.PersonInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.Registry.CreatePerson(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, p)
}

func (a *api) personHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := a.Registry.PersonByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, p)
}

// updatePersonHandler applies the fields present in the body to the
// person's current fields; id_number and phone, when given, replace the
// sealed values. A version in the body guards against concurrent edits.
func (a *api) updatePersonHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := a.Registry.PersonForEdit(r.Context(), id)
	if err != nil {
		return err
	}
	in.Version = 0
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.Registry.UpdatePerson(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, p)
}

// reasonBody is the body of acts that need a reason.
type reasonBody struct {
	Reason string `json:"reason"`
}

func (a *api) removePersonHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b := reasonBody{Reason: newQuery(r).str("reason")}
	if err := decodeOptional(w, r, &b); err != nil {
		return err
	}
	if err := a.Registry.RemovePerson(r.Context(), id, b.Reason); err != nil {
		return err
	}
	return noContent(w)
}

func (a *api) unmaskPersonHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b reasonBody
	if err := decodeOptional(w, r, &b); err != nil {
		return err
	}
	p, err := a.Registry.UnmaskPerson(r.Context(), id, b.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return ok(w, p)
}

func (a *api) verifyPersonHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Note string `json:"note"`
	}
	if err := decodeOptional(w, r, &b); err != nil {
		return err
	}
	p, err := a.Registry.VerifyPerson(r.Context(), id, b.Note)
	if err != nil {
		return err
	}
	return ok(w, p)
}

func (a *api) personViewsHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newQuery(r)
	limit, _ := q.page()
	if err := q.err(); err != nil {
		return err
	}
	rows, err := a.Registry.PersonViews(r.Context(), id, limit)
	if err != nil {
		return err
	}
	return ok(w, newList(rows, len(rows)))
}

func (a *api) assignGridHandler(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		IDs      []int64 `json:"ids"`
		GridCode string  `json:"grid_code"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	n, err := a.Registry.AssignGrid(r.Context(), b.IDs, b.GridCode)
	if err != nil {
		return err
	}
	return ok(w, map[string]int{"assigned": n})
}

func (a *api) personCasesHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	refs, err := a.Registry.PersonCases(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, newList(refs, len(refs)))
}

func (a *api) linkPersonCaseHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		CaseID int64  `json:"case_id"`
		Role   string `json:"role"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	if err := a.Registry.LinkCase(r.Context(), id, b.CaseID, b.Role); err != nil {
		return err
	}
	refs, err := a.Registry.PersonCases(r.Context(), id)
	if err != nil {
		return err
	}
	return created(w, newList(refs, len(refs)))
}

func (a *api) createHouseholdHandler(w http.ResponseWriter, r *http.Request) error {
	var in registry.HouseholdInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	h, err := a.Registry.CreateHousehold(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, h)
}

func (a *api) householdHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	h, err := a.Registry.HouseholdByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) setHouseholdMemberHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "person_id")
	if err != nil {
		return err
	}
	var b struct {
		Relation string `json:"relation"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	h, err := a.Registry.SetHouseholdMember(r.Context(), id, pid, b.Relation)
	if err != nil {
		return err
	}
	return ok(w, h)
}

func (a *api) removeHouseholdMemberHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(r, "person_id")
	if err != nil {
		return err
	}
	h, err := a.Registry.RemoveHouseholdMember(r.Context(), id, pid)
	if err != nil {
		return err
	}
	return ok(w, h)
}
