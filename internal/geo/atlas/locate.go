package atlas

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"gridgov/internal/org"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// Located is the answer of Locate.
type Located struct {
	GridCode string `json:"grid_code"`
	UnitCode string `json:"unit_code"`
}

// Locate returns the deepest grid containing a point given in crs (wgs84
// or gcj02, converted to WGS84 first) and its unit; a point in no grid is
// not_found. Any user with grid.read somewhere may ask: grids are visible
// to every such user, as in /api/v1/grids lists of their scope, and the
// answer is a code only.
func (s *Service) Locate(ctx context.Context, lat, lng float64, crs string) (Located, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return Located{}, err
	}
	c, err := checkCRS(crs)
	if err != nil {
		return Located{}, err
	}
	if err := checkPoint(lat, lng); err != nil {
		return Located{}, err
	}
	if c == CRSGCJ02 {
		lat, lng = geo.GCJ02ToWGS84(lat, lng)
	}
	g, ok, err := s.loc.Locate(ctx, lat, lng)
	if err != nil {
		return Located{}, err
	}
	if !ok {
		return Located{}, apperr.NotFoundf("no grid contains %.6f, %.6f", lat, lng)
	}
	return Located{GridCode: g.Code, UnitCode: g.UnitCode}, nil
}

// GridMapFilter selects grids for GridsGeoJSON.
type GridMapFilter struct {
	BBox   *BBox
	Level  int
	Unit   string // grids of this unit's subtree
	Limit  int    // default 500, at most 5000
	Offset int
}

// GridFeature is one grid of the map layer.
type GridFeature struct {
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	Level    int             `json:"level"`
	UnitCode string          `json:"unit_code"`
	UnitName string          `json:"unit_name"`
	Staff    []string        `json:"staff"`
	Leaders  []string        `json:"leaders"`
	Geometry json.RawMessage `json:"-"`
}

// GridCollection is a page of the grid layer.
type GridCollection struct {
	Features []GridFeature
	Total    int
}

// MarshalJSON writes the page as a GeoJSON FeatureCollection (with a
// foreign member "total": the count before paging).
func (c GridCollection) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","total":`)
	fmt.Fprint(&buf, c.Total)
	buf.WriteString(`,"features":[`)
	for i, f := range c.Features {
		if i > 0 {
			buf.WriteByte(',')
		}
		id, _ := json.Marshal(f.Code)
		props, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		g := f.Geometry
		if len(g) == 0 {
			g = json.RawMessage("null")
		}
		buf.WriteString(`{"type":"Feature","id":`)
		buf.Write(id)
		buf.WriteString(`,"properties":`)
		buf.Write(props)
		buf.WriteString(`,"geometry":`)
		buf.Write(g)
		buf.WriteByte('}')
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
}

// GridsGeoJSON returns the grids with a boundary in the actor's grid.read
// scope (the scope of /api/v1/grids) overlapping the box, by code, paged,
// with their staff and grid leaders (active staff bound to the grid; a
// leader is one of team grid_leader).
func (s *Service) GridsGeoJSON(ctx context.Context, f GridMapFilter) (GridCollection, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return GridCollection{}, err
	}
	limit, offset, err := pageOf(f.Limit, f.Offset, 500, 5000)
	if err != nil {
		return GridCollection{}, err
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 3) {
		return GridCollection{}, apperr.Field("level", apperr.GridLevel)
	}
	scope := rbac.ScopeOf(actor.From(ctx), rbac.GridRead)
	sel := org.GridOutlineFilter{Scope: &scope, WithBoundary: true, Level: f.Level, NoGeometry: true}
	if f.Unit != "" {
		u, err := s.unitRow(ctx, f.Unit)
		if apperr.Is(err, apperr.NotFound) {
			return GridCollection{Features: []GridFeature{}}, nil
		} else if err != nil {
			return GridCollection{}, err
		}
		sel.Under = u.path
	}
	bounds, err := s.gridBounds(ctx)
	if err != nil {
		return GridCollection{}, err
	}
	grids, err := s.org.GridOutlines(ctx, sel)
	if err != nil {
		return GridCollection{}, fmt.Errorf("grid layer: %w", err)
	}
	var all []GridFeature
	for _, g := range grids {
		if b, ok := bounds[g.Code]; f.BBox == nil || (ok && f.BBox.intersects(b)) {
			all = append(all, GridFeature{Code: g.Code, Name: g.Name, Level: g.Level, UnitCode: g.UnitCode, UnitName: g.UnitName})
		}
	}
	out := GridCollection{Total: len(all), Features: []GridFeature{}}
	if offset < len(all) {
		out.Features = all[offset:min(len(all), offset+limit)]
	}
	return out, s.fillGridDetails(ctx, out.Features)
}

// fillGridDetails reads the boundaries and staff of a page of grids.
func (s *Service) fillGridDetails(ctx context.Context, fs []GridFeature) error {
	if len(fs) == 0 {
		return nil
	}
	idx := map[string]*GridFeature{}
	codes := make([]string, len(fs))
	for i := range fs {
		idx[fs[i].Code] = &fs[i]
		fs[i].Staff, fs[i].Leaders = []string{}, []string{}
		codes[i] = fs[i].Code
	}
	grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{Codes: codes})
	if err != nil {
		return fmt.Errorf("grid boundaries: %w", err)
	}
	for _, g := range grids {
		idx[g.Code].Geometry = g.Boundary
	}
	workers, err := s.org.GridWorkers(ctx, codes)
	if err != nil {
		return err
	}
	for _, w := range workers {
		g := idx[w.Grid]
		g.Staff = append(g.Staff, w.Name)
		if w.Team == "grid_leader" {
			g.Leaders = append(g.Leaders, w.Name)
		}
	}
	return nil
}

// gridBounds returns the bounding box of every grid with a boundary,
// cached until org's GridsVersion moves.
func (s *Service) gridBounds(ctx context.Context) (map[string]orb.Bound, error) {
	v, err := s.org.GridsVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.bounds != nil && s.boundsAt == v {
		b := s.bounds
		s.mu.Unlock()
		return b, nil
	}
	s.mu.Unlock()
	shapes, err := s.org.GridShapes(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]orb.Bound, len(shapes))
	for _, g := range shapes {
		if b, ok := rawBound(g.Geometry); ok {
			out[g.Code] = b
		}
	}
	s.mu.Lock()
	s.bounds, s.boundsAt = out, v
	s.mu.Unlock()
	return out, nil
}
