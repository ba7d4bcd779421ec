package web

import (
	"net/http"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// hereCases bounds the open cases listed in a "what is here" popup.
const hereCases = 20

// hereAnswer is what lies at a point of the map: the grid (only one the
// actor may see), its unit, the staff responsible for it (for actors who
// may read staff there) and its open cases visible to the actor.
type hereAnswer struct {
	Found       bool        `json:"found"`
	GridCode    string      `json:"grid_code,omitempty"`
	GridName    string      `json:"grid_name,omitempty"`
	GridLevel   int         `json:"grid_level,omitempty"`
	UnitCode    string      `json:"unit_code,omitempty"`
	UnitName    string      `json:"unit_name,omitempty"`
	Staff       []hereStaff `json:"staff"`
	Cases       []hereCase  `json:"cases"`
	CasesMore   bool        `json:"cases_more"`
	CanSeeCases bool        `json:"can_see_cases"`
	CanSeeStaff bool        `json:"can_see_staff"`
	CanEditGrid bool        `json:"can_edit_grid"`
}

// hereStaff is a person responsible for the grid; Team is the label of
// their team (网格长 …).
type hereStaff struct {
	Name     string `json:"name"`
	Position string `json:"position"`
	Team     string `json:"team"`
	Leader   bool   `json:"leader"`
}

// hereCase is an open case of the grid, linked to /cases/{id}.
type hereCase struct {
	ID       int64  `json:"id"`
	Number   string `json:"number"`
	Status   string `json:"status"`
	Overdue  string `json:"overdue"`
	Category string `json:"category"`
}

// mapHere handles GET /map/data/here?lat=&lng=: the grid at the point
// (through the app's locator), its community, leaders and open cases. A
// point in no grid, or in one outside the actor's scope, is {"found":false}.
func (s *server) mapHere(w http.ResponseWriter, r *http.Request) error {
	lat, errLat := strconv.ParseFloat(r.URL.Query().Get("lat"), 64)
	lng, errLng := strconv.ParseFloat(r.URL.Query().Get("lng"), 64)
	switch {
	case errLat != nil || lat < -90 || lat > 90:
		httpx.WriteError(w, r, apperr.Field("lat", apperr.OutOfRange, "min", -90, "max", 90))
		return nil
	case errLng != nil || lng < -180 || lng > 180:
		httpx.WriteError(w, r, apperr.Field("lng", apperr.OutOfRange, "min", -180, "max", 180))
		return nil
	}
	ctx := r.Context()
	out := hereAnswer{Staff: []hereStaff{}, Cases: []hereCase{}}
	shape, ok, err := s.locator.Locate(ctx, lat, lng)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	if !ok {
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	g, err := s.Org.Grid(ctx, shape.Code)
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	out.Found, out.GridCode, out.GridName, out.GridLevel, out.UnitCode = true, g.Code, g.Name, g.Level, g.UnitCode
	out.UnitName = g.UnitName
	if u, err := s.Org.Unit(ctx, g.UnitCode); err == nil {
		out.UnitName = u.Name
	}
	out.CanEditGrid = s.canAt(r, rbac.GridWrite, g.UnitCode)
	if err := s.hereStaff(r, &out); err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	if err := s.hereCases(r, &out); err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// hereStaff lists the grid's active staff, leaders first, for actors who
// may read staff at the grid's unit.
func (s *server) hereStaff(r *http.Request, out *hereAnswer) error {
	if !s.canAt(r, rbac.StaffRead, out.UnitCode) {
		return nil
	}
	out.CanSeeStaff = true
	active := true
	staff, _, err := s.Org.Staff(r.Context(), org.StaffFilter{GridCode: out.GridCode, Active: &active, Limit: 50})
	if err != nil {
		return err
	}
	t := s.cat.T(langOf(r))
	var leaders, others []hereStaff
	for _, st := range staff {
		h := hereStaff{Name: st.Name, Position: st.Position, Leader: st.Team == org.Team("grid_leader")}
		if st.Team != org.NoTeam {
			h.Team = t("team." + string(st.Team))
		}
		if h.Leader {
			leaders = append(leaders, h)
		} else {
			others = append(others, h)
		}
	}
	out.Staff = append(append(out.Staff, leaders...), others...)
	return nil
}

// hereCases lists the grid's open cases the actor may see.
func (s *server) hereCases(r *http.Request, out *hereAnswer) error {
	if s.Cases == nil || !rbac.HasAnywhere(actor.From(r.Context()), cases.PermCaseRead) {
		return nil
	}
	out.CanSeeCases = true
	pts, more, err := s.Cases.MapCases(r.Context(), cases.MapFilter{GridCode: out.GridCode,
		Statuses: cases.OpenStatuses(), Limit: hereCases})
	if err != nil {
		return err
	}
	for _, p := range pts {
		out.Cases = append(out.Cases, hereCase{ID: p.ID, Number: p.Number, Status: string(p.Status),
			Overdue: string(p.Overdue), Category: p.CategoryName})
	}
	out.CasesMore = more
	return nil
}
