package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// mapGridCap bounds the grids of one answer, like the point layers' caps.
const mapGridCap = 5000

// feature is a GeoJSON Feature of the grid and unit layers.
type feature struct {
	Type       string          `json:"type"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
}

// featureCollection is the answer of the grid and unit layers.
type featureCollection struct {
	Type      string    `json:"type"`
	Features  []feature `json:"features"`
	Truncated bool      `json:"truncated"`
}

// pointsAnswer is the answer of the point layers.
type pointsAnswer struct {
	Points    any  `json:"points"`
	Truncated bool `json:"truncated"`
}

// parseBBox reads the bbox parameter "minLng,minLat,maxLng,maxLat"; empty
// is the zero bound (the services refuse it where a box is required).
func parseBBox(r *http.Request) (orb.Bound, error) {
	raw := strings.TrimSpace(r.URL.Query().Get("bbox"))
	if raw == "" {
		return orb.Bound{}, nil
	}
	parts := strings.Split(raw, ",")
	if len(parts) != 4 {
		return orb.Bound{}, apperr.Field("bbox", apperr.BBox)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return orb.Bound{}, apperr.Field("bbox", apperr.BBox)
		}
		v[i] = f
	}
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if err := cases.CheckBBox(b); err != nil {
		return orb.Bound{}, err
	}
	return b, nil
}

// mapGrids handles GET /map/data/grids?bbox=: the grids in the actor's
// scope that have a boundary (overlapping bbox when given), as GeoJSON.
func (s *server) mapGrids(w http.ResponseWriter, r *http.Request) error {
	bbox, err := parseBBox(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	out := featureCollection{Type: "FeatureCollection", Features: []feature{}}
	for offset := 0; ; offset += 1000 {
		gs, total, err := s.Org.Grids(r.Context(), org.GridFilter{WithBoundary: true, Limit: 1000, Offset: offset})
		if err != nil {
			httpx.WriteError(w, r, err)
			return nil
		}
		for _, g := range gs {
			if !overlaps(g.Boundary, bbox) {
				continue
			}
			if len(out.Features) == mapGridCap {
				out.Truncated = true
				break
			}
			out.Features = append(out.Features, feature{Type: "Feature", Geometry: g.Boundary,
				Properties: map[string]any{"code": g.Code, "name": g.Name, "level": g.Level,
					"unit_code": g.UnitCode, "unit_name": g.UnitName}})
		}
		if out.Truncated || len(gs) == 0 || offset+len(gs) >= total {
			break
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// overlaps reports whether a GeoJSON geometry exists and its bounds meet
// bbox (any geometry when bbox is zero).
func overlaps(raw json.RawMessage, bbox orb.Bound) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return false
	}
	if bbox == (orb.Bound{}) {
		return true
	}
	var g struct {
		Coordinates any `json:"coordinates"`
	}
	if json.Unmarshal(raw, &g) != nil {
		return false
	}
	b, ok := coordBound(g.Coordinates, orb.Bound{}, false)
	return ok && b.Intersects(bbox)
}

// coordBound extends b by the positions in a GeoJSON coordinates array of
// any depth; ok reports that at least one position was seen.
func coordBound(c any, b orb.Bound, ok bool) (orb.Bound, bool) {
	arr, isArr := c.([]any)
	if !isArr {
		return b, ok
	}
	if len(arr) >= 2 {
		x, okX := arr[0].(float64)
		y, okY := arr[1].(float64)
		if okX && okY {
			p := orb.Point{x, y}
			if !ok {
				return orb.Bound{Min: p, Max: p}, true
			}
			return b.Extend(p), true
		}
	}
	for _, e := range arr {
		b, ok = coordBound(e, b, ok)
	}
	return b, ok
}

// mapUnits handles GET /map/data/units?level=&bbox=: territory unit
// outlines in the actor's scope, as GeoJSON.
func (s *server) mapUnits(w http.ResponseWriter, r *http.Request) error {
	if s.units == nil {
		httpx.WriteError(w, r, apperr.NotFoundf("unit outlines"))
		return nil
	}
	bbox, err := parseBBox(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	us, err := s.units.UnitOutlines(r.Context(), r.URL.Query().Get("level"), bbox)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	out := featureCollection{Type: "FeatureCollection", Features: []feature{}}
	for _, u := range us {
		if len(u.Boundary) == 0 || string(u.Boundary) == "null" {
			continue
		}
		out.Features = append(out.Features, feature{Type: "Feature", Geometry: u.Boundary,
			Properties: map[string]any{"code": u.Code, "name": u.Name, "level": u.Level}})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// mapCases handles GET /map/data/cases?bbox=&category=&from=&to=&status=&overdue=1:
// the visible cases as points (also the heat layer's data). from and to
// are dates (YYYY-MM-DD, Beijing time, both inclusive).
func (s *server) mapCases(w http.ResponseWriter, r *http.Request) error {
	if s.Cases == nil {
		httpx.WriteError(w, r, apperr.NotFoundf("cases"))
		return nil
	}
	f, err := s.caseMapFilter(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	pts, more, err := s.Cases.MapCases(r.Context(), f)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, pointsAnswer{Points: pts, Truncated: more})
	return nil
}

// caseMapFilter reads the case layer's query parameters.
func (s *server) caseMapFilter(r *http.Request) (cases.MapFilter, error) {
	q := r.URL.Query()
	bbox, err := parseBBox(r)
	if err != nil {
		return cases.MapFilter{}, err
	}
	f := cases.MapFilter{BBox: bbox, OverdueOnly: q.Get("overdue") == "1"}
	for _, c := range q["category"] {
		for _, part := range strings.Split(c, ",") {
			if part = strings.TrimSpace(part); part != "" {
				f.Categories = append(f.Categories, part)
			}
		}
	}
	for _, st := range q["status"] {
		f.Statuses = append(f.Statuses, cases.Status(st))
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, v, s.loc)
		if err != nil {
			return f, apperr.Field(name, apperr.Date)
		}
		if name == "to" {
			d = d.AddDate(0, 0, 1)
		}
		*dst = d
	}
	return f, nil
}

// mapHouses handles GET /map/data/houses?bbox=.
func (s *server) mapHouses(w http.ResponseWriter, r *http.Request) error {
	return s.placePoints(w, r, layerHouses)
}

// mapOrganisations handles GET /map/data/organisations?bbox=.
func (s *server) mapOrganisations(w http.ResponseWriter, r *http.Request) error {
	return s.placePoints(w, r, layerOrganisations)
}

// mapComponents handles GET /map/data/components?bbox=.
func (s *server) mapComponents(w http.ResponseWriter, r *http.Request) error {
	return s.placePoints(w, r, layerComponents)
}

// placePoints answers one of the registry's point layers.
func (s *server) placePoints(w http.ResponseWriter, r *http.Request, layer string) error {
	if s.Places == nil {
		httpx.WriteError(w, r, apperr.NotFoundf("registry"))
		return nil
	}
	bbox, err := parseBBox(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	ctx := r.Context()
	var pts any
	var more bool
	switch layer {
	case layerHouses:
		pts, more, err = s.Places.MapHouses(ctx, bbox, 0)
	case layerOrganisations:
		pts, more, err = s.Places.MapOrganisations(ctx, bbox, 0)
	default:
		pts, more, err = s.Places.MapComponents(ctx, bbox, 0)
	}
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, pointsAnswer{Points: pts, Truncated: more})
	return nil
}

// mapKeyGroup handles GET /map/data/keygroup?bbox=: key-group people at
// their houses, without names; the service logs each disclosure.
func (s *server) mapKeyGroup(w http.ResponseWriter, r *http.Request) error {
	if s.Groups == nil {
		httpx.WriteError(w, r, apperr.NotFoundf("registry"))
		return nil
	}
	bbox, err := parseBBox(r)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	pts, more, err := s.Groups.MapKeyGroup(r.Context(), bbox, 0)
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, pointsAnswer{Points: pts, Truncated: more})
	return nil
}

// saveGridBoundary handles POST /map/grids/{code}/boundary with a JSON body
// {"boundary": <GeoJSON geometry>} from the edit mode: org.UpdateGrid
// validates and stores it (grid.write over the grid), and the answer is
// the grid or the service's error as JSON (422 naming "boundary").
func (s *server) saveGridBoundary(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Boundary json.RawMessage `json:"boundary"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		httpx.WriteError(w, r, apperr.Field("boundary", apperr.BoundaryBody))
		return nil
	}
	if len(in.Boundary) == 0 || string(in.Boundary) == "null" {
		httpx.WriteError(w, r, apperr.Field("boundary", apperr.Required))
		return nil
	}
	src := "drawn"
	g, err := s.Org.UpdateGrid(r.Context(), r.PathValue("code"), org.GridUpdate{Boundary: &in.Boundary, BoundarySource: &src})
	if err != nil {
		httpx.WriteError(w, r, err)
		return nil
	}
	if inv, ok := s.locator.(interface{ Invalidate() }); ok {
		inv.Invalidate()
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"code": g.Code, "name": g.Name, "boundary": g.Boundary})
	return nil
}

// canAt reports whether the actor holds perm at the unit's path.
func (s *server) canAt(r *http.Request, perm rbac.Permission, unitCode string) bool {
	path, err := s.Org.UnitPath(r.Context(), unitCode)
	return err == nil && rbac.Can(actor.From(r.Context()), perm, path)
}
