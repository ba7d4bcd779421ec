package api

import (
	"encoding/json"
	"net/http"

	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
)

func (a *api) gridRoutes() []route {
	return []route{
		{Method: "GET", Path: "/grids", Handler: a.listGridsHandler},
		{Method: "POST", Path: "/grids", Handler: a.createGridHandler},
		{Method: "GET", Path: "/grids/{code}", Handler: a.gridHandler},
		{Method: "PATCH", Path: "/grids/{code}", Handler: a.updateGridHandler},
		{Method: "DELETE", Path: "/grids/{code}", Handler: a.deleteGridHandler},
	}
}

func gridFilter(r *http.Request) (org.GridFilter, error) {
	q := newQuery(r)
	f := org.GridFilter{UnitCode: q.str("unit"), Level: q.intIn("level", 1, 3), Q: q.str("q")}
	f.Limit, f.Offset = q.page()
	return f, q.err()
}

func (a *api) listGridsHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := gridFilter(r)
	if err != nil {
		return err
	}
	return a.writeGrids(w, r, f)
}

// writeGrids is shared by /grids and /org/units/{code}/grids.
func (a *api) writeGrids(w http.ResponseWriter, r *http.Request, f org.GridFilter) error {
	grids, total, err := a.Org.Grids(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(grids, total))
}

func (a *api) gridHandler(w http.ResponseWriter, r *http.Request) error {
	g, err := a.Org.Grid(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return ok(w, g)
}

func (a *api) createGridHandler(w http.ResponseWriter, r *http.Request) error {
	var in org.GridInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := a.Org.CreateGrid(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, g)
}

// gridPatch mirrors org.GridUpdate but keeps the boundary as raw JSON, so a
// "boundary": null in the request (remove it) is told from no boundary key
// (keep it); a pointer field would turn both into nil.
type gridPatch struct {
	Name           *string         `json:"name"`
	Boundary       json.RawMessage `json:"boundary"`
	BoundarySource *string         `json:"boundary_source"`
}

func (a *api) updateGridHandler(w http.ResponseWriter, r *http.Request) error {
	var in gridPatch
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	upd := org.GridUpdate{Name: in.Name, BoundarySource: in.BoundarySource}
	if len(in.Boundary) > 0 {
		upd.Boundary = &in.Boundary
	}
	g, err := a.Org.UpdateGrid(r.Context(), r.PathValue("code"), upd)
	if err != nil {
		return err
	}
	return ok(w, g)
}

func (a *api) deleteGridHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.Org.DeleteGrid(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	return noContent(w)
}
