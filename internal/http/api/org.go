package api

import (
	"net/http"

	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
)

func (a *api) orgRoutes() []route {
	return []route{
		{Method: "GET", Path: "/org/units", Handler: a.listUnitsHandler},
		{Method: "POST", Path: "/org/units", Handler: a.createUnitHandler},
		{Method: "GET", Path: "/org/units/{code}", Handler: a.unitHandler},
		{Method: "PATCH", Path: "/org/units/{code}", Handler: a.updateUnitHandler},
		{Method: "DELETE", Path: "/org/units/{code}", Handler: a.deleteUnitHandler},
		{Method: "GET", Path: "/org/units/{code}/children", Handler: a.unitChildrenHandler},
		{Method: "GET", Path: "/org/units/{code}/ancestors", Handler: a.unitAncestorsHandler},
		{Method: "GET", Path: "/org/units/{code}/grids", Handler: a.unitGridsHandler},
		{Method: "GET", Path: "/org/units/{code}/staff", Handler: a.unitStaffHandler},
		{Method: "GET", Path: "/org/units/{code}/users", Handler: a.unitUsersHandler},
	}
}

// unitFilter reads the list parameters shared by /org/units and /children.
func unitFilter(r *http.Request) (org.UnitFilter, error) {
	q := newQuery(r)
	f := org.UnitFilter{ParentCode: q.str("parent"), Under: q.str("under"), Level: q.level(),
		Kind: q.kind(), Q: q.str("q")}
	f.Limit, f.Offset = q.page()
	return f, q.err()
}

func (a *api) listUnitsHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	units, total, err := a.Org.Units(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(units, total))
}

func (a *api) unitChildrenHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	f.ParentCode, f.Under = r.PathValue("code"), ""
	units, total, err := a.Org.Units(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(units, total))
}

func (a *api) unitHandler(w http.ResponseWriter, r *http.Request) error {
	u, err := a.Org.Unit(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return ok(w, u)
}

func (a *api) unitAncestorsHandler(w http.ResponseWriter, r *http.Request) error {
	units, err := a.Org.Ancestors(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return ok(w, newList(units, len(units)))
}

func (a *api) createUnitHandler(w http.ResponseWriter, r *http.Request) error {
	var in org.UnitInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := a.Org.CreateUnit(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, u)
}

func (a *api) updateUnitHandler(w http.ResponseWriter, r *http.Request) error {
	var in org.UnitUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := a.Org.UpdateUnit(r.Context(), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return ok(w, u)
}

func (a *api) deleteUnitHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.Org.DeleteUnit(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	return noContent(w)
}

func (a *api) unitGridsHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := gridFilter(r)
	if err != nil {
		return err
	}
	f.UnitCode = r.PathValue("code")
	return a.writeGrids(w, r, f)
}

func (a *api) unitStaffHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := staffFilter(r)
	if err != nil {
		return err
	}
	f.UnitCode = r.PathValue("code")
	return a.writeStaff(w, r, f)
}

func (a *api) unitUsersHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	f.UnitCode = r.PathValue("code")
	return a.writeUsers(w, r, f)
}

// writeUsers is shared by /users and /org/units/{code}/users.
func (a *api) writeUsers(w http.ResponseWriter, r *http.Request, f auth.UserFilter) error {
	users, total, err := a.Auth.Users(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(users, total))
}
