package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
)

// nextLevel is the level of a territory unit's children.
func nextLevel(l org.Level) org.Level {
	for i, x := range org.Levels {
		if x == l && i+1 < len(org.Levels) {
			return org.Levels[i+1]
		}
	}
	return ""
}

// createUnit handles POST /org/{code}/units: a child territory unit, a
// department or an office under the unit.
func (s *server) createUnit(w http.ResponseWriter, r *http.Request) error {
	parent, err := s.Org.Unit(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	in := org.UnitInput{
		Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Kind: org.Kind(r.PostFormValue("kind")), ParentCode: parent.Code,
	}
	in.Level = parent.Level
	if in.Kind == org.Territory {
		in.Level = nextLevel(parent.Level)
	}
	tab := map[org.Kind]string{org.Territory: "children", org.Department: "departments", org.Office: "offices"}[in.Kind]
	var ferr error
	if sv := strings.TrimSpace(r.PostFormValue("sort")); sv != "" {
		if in.Sort, err = strconv.Atoi(sv); err != nil {
			ferr = apperr.Field("sort", apperr.Integer)
		}
	}
	if ferr == nil && !kindAllowed(parent, in.Kind) {
		ferr = apperr.Field("kind", apperr.KindNotHere)
	}
	if ferr == nil {
		_, ferr = s.Org.CreateUnit(r.Context(), in)
	}
	if ferr != nil {
		s.unitFormError(w, r, parent.Code, tab, "unit", ferr)
		return nil
	}
	seeOther(w, r, unitURL(parent.Code, tab), "flash.unit_created")
	return nil
}

func kindAllowed(parent org.Unit, k org.Kind) bool {
	for _, x := range childKinds(parent) {
		if x == k {
			return true
		}
	}
	return false
}

// createGrid handles POST /org/{code}/grids.
func (s *server) createGrid(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	in := org.GridInput{
		Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		UnitCode: code, ParentGridCode: strings.TrimSpace(r.PostFormValue("parent_grid_code")),
		BoundarySource: strings.TrimSpace(r.PostFormValue("boundary_source")),
	}
	var ferr error
	lv, err := strconv.Atoi(r.PostFormValue("level"))
	if err != nil {
		ferr = apperr.Field("level", apperr.GridLevel)
	}
	in.Level = lv
	if b := strings.TrimSpace(r.PostFormValue("boundary")); b != "" && ferr == nil {
		if !json.Valid([]byte(b)) {
			ferr = apperr.Field("boundary", apperr.JSON)
		}
		in.Boundary = json.RawMessage(b)
	}
	if ferr == nil {
		_, ferr = s.Org.CreateGrid(r.Context(), in)
	}
	if ferr != nil {
		s.unitFormError(w, r, code, "grids", "grid", ferr)
		return nil
	}
	seeOther(w, r, unitURL(code, "grids"), "flash.grid_created")
	return nil
}

// createStaff handles POST /org/{code}/staff.
func (s *server) createStaff(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	in := org.StaffInput{
		Name: strings.TrimSpace(r.PostFormValue("name")), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Position: strings.TrimSpace(r.PostFormValue("position")), UnitCode: code,
		Team: org.Team(r.PostFormValue("team")), GridCodes: splitList(r.PostFormValue("grid_codes")),
	}
	if _, err := s.Org.CreateStaff(r.Context(), in); err != nil {
		s.unitFormError(w, r, code, "staff", "staff", err)
		return nil
	}
	seeOther(w, r, unitURL(code, "staff"), "flash.staff_created")
	return nil
}

// updateUnit handles POST /org/{code}: a new name or sort order.
func (s *server) updateUnit(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	name := strings.TrimSpace(r.PostFormValue("name"))
	upd := org.UnitUpdate{Name: &name}
	var err error
	if sv := strings.TrimSpace(r.PostFormValue("sort")); sv != "" {
		n, convErr := strconv.Atoi(sv)
		if convErr != nil {
			err = apperr.Field("sort", apperr.Integer)
		}
		upd.Sort = &n
	}
	if err == nil {
		_, err = s.Org.UpdateUnit(r.Context(), code, upd)
	}
	if err != nil {
		s.unitFormError(w, r, code, r.URL.Query().Get("tab"), "edit", err)
		return nil
	}
	seeOther(w, r, unitURL(code, ""), "flash.unit_updated")
	return nil
}

// deleteUnit handles POST /org/{code}/delete: an empty unit goes, and the
// browser goes up to its parent.
func (s *server) deleteUnit(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	u, err := s.Org.Unit(r.Context(), code)
	if err == nil {
		err = s.Org.DeleteUnit(r.Context(), code)
	}
	if err != nil {
		s.unitFormError(w, r, code, "", "edit", err)
		return nil
	}
	if u.ParentCode == "" {
		seeOther(w, r, "/", "flash.unit_deleted")
		return nil
	}
	seeOther(w, r, unitURL(u.ParentCode, ""), "flash.unit_deleted")
	return nil
}

// unitFormError shows the unit page again on the tab of the failed form,
// with the submitted values and the errors next to their inputs.
func (s *server) unitFormError(w http.ResponseWriter, r *http.Request, code, tab, form string, err error) {
	q := r.URL.Query()
	if tab != "" {
		q.Set("tab", tab)
	}
	r.URL.RawQuery = q.Encode()
	v := s.newView(r, "", "org", nil)
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	v.Form = r.PostForm
	v.Form.Set("form", form)
	s.showUnit(w, r, code, status, v)
}

// splitList splits a list typed by hand, separated by commas, Chinese
// commas or white space.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
	out := []string{}
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
