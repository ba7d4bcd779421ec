package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// gridData is one grid's page.
type gridData struct {
	Grid     org.Grid
	Crumbs   []org.Unit
	Staff    []org.Staff
	Boundary string // indented GeoJSON, for reading and editing
	CanWrite bool
}

// gridPage handles GET /grids/{code}: the grid, who is responsible for it,
// and (for writers) its edit form.
func (s *server) gridPage(w http.ResponseWriter, r *http.Request) error {
	s.showGrid(w, r, http.StatusOK, nil)
	return nil
}

func (s *server) showGrid(w http.ResponseWriter, r *http.Request, status int, v *view) {
	ctx := r.Context()
	g, err := s.Org.Grid(ctx, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &gridData{Grid: g}
	if d.Crumbs, err = s.Org.Ancestors(ctx, g.UnitCode); err == nil {
		var u org.Unit
		if u, err = s.Org.Unit(ctx, g.UnitCode); err == nil {
			d.Crumbs = append(d.Crumbs, u)
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if path, err := s.Org.UnitPath(ctx, g.UnitCode); err == nil {
		d.CanWrite = rbac.Can(actor.From(ctx), rbac.GridWrite, path)
		if rbac.Can(actor.From(ctx), rbac.StaffRead, path) {
			if d.Staff, _, err = s.Org.Staff(ctx, org.StaffFilter{GridCode: g.Code, Limit: 200}); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if len(g.Boundary) > 0 {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", " ")
		var x any
		if json.Unmarshal(g.Boundary, &x) == nil && enc.Encode(x) == nil {
			d.Boundary = buf.String()
		} else {
			d.Boundary = string(g.Boundary)
		}
	}
	if v == nil {
		v = s.newView(r, "", "org", nil)
	}
	v.Data, v.TitleText = d, g.Name
	s.render(w, r, status, "grid", v)
}

// updateGrid handles POST /grids/{code}: name and boundary; an emptied
// boundary box removes the boundary.
func (s *server) updateGrid(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	src := strings.TrimSpace(r.PostFormValue("boundary_source"))
	b := json.RawMessage(strings.TrimSpace(r.PostFormValue("boundary")))
	if len(b) == 0 {
		b = json.RawMessage("null")
	}
	var err error
	if !json.Valid(b) {
		err = apperr.Field("boundary", apperr.JSON)
	} else {
		_, err = s.Org.UpdateGrid(r.Context(), r.PathValue("code"),
			org.GridUpdate{Name: &name, Boundary: &b, BoundarySource: &src})
	}
	if err != nil {
		v := s.newView(r, "", "org", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = formWithout(r.PostForm, "csrf")
		v.Form.Set("form", "edit")
		s.showGrid(w, r, status, v)
		return nil
	}
	seeOther(w, r, "/grids/"+url.PathEscape(r.PathValue("code")), "flash.grid_updated")
	return nil
}

// deleteGrid handles POST /grids/{code}/delete and goes back to the grids
// of its unit.
func (s *server) deleteGrid(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	g, err := s.Org.Grid(ctx, r.PathValue("code"))
	if err == nil {
		err = s.Org.DeleteGrid(ctx, g.Code)
	}
	if err != nil {
		v := s.newView(r, "", "org", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		s.showGrid(w, r, status, v)
		return nil
	}
	seeOther(w, r, unitURL(g.UnitCode, "grids"), "flash.grid_deleted")
	return nil
}
