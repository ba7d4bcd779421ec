package api

import (
	"net/http"

	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
)

func (a *api) staffRoutes() []route {
	return []route{
		{Method: "GET", Path: "/staff", Handler: a.listStaffHandler},
		{Method: "POST", Path: "/staff", Handler: a.createStaffHandler},
		{Method: "GET", Path: "/staff/{id}", Handler: a.staffMemberHandler},
		{Method: "PATCH", Path: "/staff/{id}", Handler: a.updateStaffHandler},
	}
}

func staffFilter(r *http.Request) (org.StaffFilter, error) {
	q := newQuery(r)
	f := org.StaffFilter{UnitCode: q.str("unit"), GridCode: q.str("grid"), Team: q.team(), Q: q.str("q")}
	f.Limit, f.Offset = q.page()
	return f, q.err()
}

func (a *api) listStaffHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := staffFilter(r)
	if err != nil {
		return err
	}
	return a.writeStaff(w, r, f)
}

// writeStaff is shared by /staff and /org/units/{code}/staff.
func (a *api) writeStaff(w http.ResponseWriter, r *http.Request, f org.StaffFilter) error {
	staff, total, err := a.Org.Staff(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(staff, total))
}

func (a *api) staffMemberHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := a.Org.StaffMember(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, s)
}

func (a *api) createStaffHandler(w http.ResponseWriter, r *http.Request) error {
	var in org.StaffInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := a.Org.CreateStaff(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, s)
}

func (a *api) updateStaffHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in org.StaffUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := a.Org.UpdateStaff(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, s)
}
