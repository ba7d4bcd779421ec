// Package geo answers "which grid is this point in?" for the case loop: an
// in-memory index of grid boundaries (GeoJSON Polygon or MultiPolygon, with
// holes) with an R-tree prefilter and an exact point-in-polygon test.
package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"gridgov/internal/apperr"
)

// GridShape is a grid and its boundary.
type GridShape struct {
	Code     string `json:"code"`
	UnitCode string `json:"unit_code"`
	// Level is the grid level (1–3); a deeper level is a smaller grid.
	Level int `json:"level"`
	// Geometry is a GeoJSON Polygon or MultiPolygon in [lng, lat] order.
	Geometry json.RawMessage `json:"geometry,omitempty"`
}

// shape is an indexed grid with its parsed geometry.
type shape struct {
	grid GridShape
	geom orb.Geometry // orb.Polygon or orb.MultiPolygon
}

// Index finds the grid containing a point. It is immutable and safe for
// concurrent use.
type Index struct {
	tree   rtree.RTreeG[int]
	shapes []shape
}

// NewIndex indexes grids; a grid without a boundary is left out, a grid
// with a boundary that is not a valid GeoJSON Polygon or MultiPolygon is an
// invalid-input error naming it.
func NewIndex(grids []GridShape) (*Index, error) {
	ix := &Index{}
	for _, g := range grids {
		if isEmpty(g.Geometry) {
			continue
		}
		geom, err := ParseBoundary(g.Geometry)
		if err != nil {
			return nil, apperr.Field("geometry", fmt.Sprintf("grid %s: %s", g.Code, apperr.As(err).Fields["geometry"]))
		}
		b := geom.Bound()
		ix.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, len(ix.shapes))
		ix.shapes = append(ix.shapes, shape{grid: g, geom: geom})
	}
	return ix, nil
}

func isEmpty(raw json.RawMessage) bool {
	s := string(raw)
	return len(raw) == 0 || s == "null" || s == `""` || s == "{}"
}

// geometryJSON is a GeoJSON geometry object. orb's geojson package is not
// used because it pulls in a BSON driver.
type geometryJSON struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometry    json.RawMessage `json:"geometry"` // of a Feature
}

// ParseBoundary parses a GeoJSON Polygon or MultiPolygon (or a Feature
// holding one) and checks its rings: closed, at least four positions,
// longitudes and latitudes in range.
func ParseBoundary(raw json.RawMessage) (orb.Geometry, error) {
	bad := func(why string) (orb.Geometry, error) { return nil, apperr.Field("geometry", why) }
	var g geometryJSON
	if err := json.Unmarshal(raw, &g); err != nil {
		return bad("not a GeoJSON geometry: " + err.Error())
	}
	if g.Type == "Feature" {
		inner := g.Geometry
		g = geometryJSON{}
		if len(inner) == 0 || json.Unmarshal(inner, &g) != nil || g.Type == "" {
			return bad("the Feature has no valid geometry")
		}
	}
	var polys orb.MultiPolygon
	var geom orb.Geometry
	switch g.Type {
	case "Polygon":
		var p orb.Polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return bad("Polygon coordinates: " + err.Error())
		}
		polys, geom = orb.MultiPolygon{p}, p
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return bad("MultiPolygon coordinates: " + err.Error())
		}
		geom = polys
	default:
		return bad(fmt.Sprintf("a grid boundary must be a Polygon or MultiPolygon, not %q", g.Type))
	}
	if len(polys) == 0 {
		return bad("the boundary has no polygon")
	}
	for _, p := range polys {
		if len(p) == 0 {
			return bad("a polygon has no ring")
		}
		for _, r := range p {
			if err := checkRing(r); err != nil {
				return bad(err.Error())
			}
		}
	}
	return geom, nil
}

func checkRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("a ring needs at least 4 positions, has %d", len(r))
	}
	if !r.Closed() {
		return fmt.Errorf("a ring must end where it starts")
	}
	for _, p := range r {
		if !validLngLat(p[1], p[0]) {
			return fmt.Errorf("position [%g, %g] is not a [longitude, latitude]", p[0], p[1])
		}
	}
	return nil
}

func validLngLat(lat, lng float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
}

// Len returns the number of indexed grids.
func (ix *Index) Len() int { return len(ix.shapes) }

// Locate returns the deepest-level grid whose boundary contains the point
// (a point in a hole is outside); between grids of the same level the
// smallest code wins, so the answer is stable.
func (ix *Index) Locate(lat, lng float64) (GridShape, bool) {
	if !validLngLat(lat, lng) {
		return GridShape{}, false
	}
	pt := orb.Point{lng, lat}
	best := -1
	ix.tree.Search([2]float64{lng, lat}, [2]float64{lng, lat}, func(_, _ [2]float64, i int) bool {
		if best >= 0 && !deeper(ix.shapes[i].grid, ix.shapes[best].grid) {
			return true
		}
		if contains(ix.shapes[i].geom, pt) {
			best = i
		}
		return true
	})
	if best < 0 {
		return GridShape{}, false
	}
	return ix.shapes[best].grid, true
}

// deeper reports whether a should win over b.
func deeper(a, b GridShape) bool {
	if a.Level != b.Level {
		return a.Level > b.Level
	}
	return a.Code < b.Code
}

func contains(g orb.Geometry, pt orb.Point) bool {
	switch v := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(v, pt)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(v, pt)
	}
	return false
}

// Codes returns the codes of the indexed grids, sorted (for diagnostics).
func (ix *Index) Codes() []string {
	out := make([]string, len(ix.shapes))
	for i, s := range ix.shapes {
		out[i] = s.grid.Code
	}
	sort.Strings(out)
	return out
}
