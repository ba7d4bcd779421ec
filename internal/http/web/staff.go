package web

import (
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// staffData is one staff member's page.
type staffData struct {
	Staff    org.Staff
	Crumbs   []org.Unit
	Teams    []org.Team
	CanWrite bool
}

// staffPage handles GET /staff/{id}.
func (s *server) staffPage(w http.ResponseWriter, r *http.Request) error {
	s.showStaff(w, r, http.StatusOK, nil)
	return nil
}

func (s *server) showStaff(w http.ResponseWriter, r *http.Request, status int, v *view) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	m, err := s.Org.StaffMember(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &staffData{Staff: m, Teams: []org.Team{org.NoTeam, org.Deployed, org.MassWork, org.GridLeader}}
	if d.Crumbs, err = s.Org.Ancestors(ctx, m.UnitCode); err == nil {
		var u org.Unit
		if u, err = s.Org.Unit(ctx, m.UnitCode); err == nil {
			d.Crumbs = append(d.Crumbs, u)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if path, err := s.Org.UnitPath(ctx, m.UnitCode); err == nil {
		d.CanWrite = rbac.Can(actor.From(ctx), rbac.StaffWrite, path)
	}
	if v == nil {
		v = s.newView(r, "", "org", nil)
		v.Form = map[string][]string{"name": {m.Name}, "phone": {m.Phone}, "position": {m.Position},
			"team": {string(m.Team)}, "grid_codes": {strings.Join(m.GridCodes, ", ")}, "unit_code": {m.UnitCode}}
		if m.Active {
			v.Form.Set("active", "1")
		}
	}
	v.Data, v.TitleText = d, m.Name
	s.render(w, r, status, "staff", v)
}

// updateStaff handles POST /staff/{id}.
func (s *server) updateStaff(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return nil
	}
	f := func(k string) *string { v := strings.TrimSpace(r.PostFormValue(k)); return &v }
	team := org.Team(r.PostFormValue("team"))
	grids := splitList(r.PostFormValue("grid_codes"))
	active := r.PostFormValue("active") == "1"
	upd := org.StaffUpdate{Name: f("name"), Phone: f("phone"), Position: f("position"), UnitCode: f("unit_code"),
		Team: &team, GridCodes: &grids, Active: &active}
	if _, err := s.Org.UpdateStaff(r.Context(), id, upd); err != nil {
		v := s.newView(r, "", "org", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = formWithout(r.PostForm, "csrf")
		s.showStaff(w, r, status, v)
		return nil
	}
	seeOther(w, r, "/staff/"+strconv.FormatInt(id, 10), "flash.staff_updated")
	return nil
}
