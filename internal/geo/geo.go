// Package geo is the geometry library of the map. It answers "which grid
// is this point in?" for the case loop — an in-memory index of grid
// boundaries (GeoJSON Polygon or MultiPolygon, with holes) with a bucket
// grid prefilter and an exact, allocation-free point-in-polygon test
// (Index, Locator) — and also provides boundary validation and
// normalisation (Validate), WGS84 ↔ GCJ-02 conversion, coverage checks of
// a parent by its child grids (CheckCoverage), Shapefile-zip and GeoJSON
// reading and GeoJSON writing, geofences (Fence, FenceSet) and a synthetic
// tiling for benchmarks and demo data (SynthTiling). No cgo; orb's planar
// package and tidwall/rtree only (orb/geojson is not used: it pulls in a
// BSON driver).
package geo

import (
	"encoding/json"
	"math"
	"sort"

	"github.com/paulmach/orb"

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
	prep *prepared
}

// Index finds the grid containing a point. It is immutable and safe for
// concurrent use.
//
// Shapes are sorted by priority (deepest level first, then smallest code)
// and bucketed into a uniform grid of cells over their extent; a lookup
// walks its cell's candidates in priority order and stops at the first
// whose prepared polygon contains the point, so it never allocates and
// rarely tests more than one or two polygons.
type Index struct {
	shapes []shape // in priority order

	minX, minY float64
	fx, fy     float64 // cells per degree
	nx, ny     int
	cellStart  []int32 // len nx*ny+1, into items
	items      []int32 // shape indexes, each cell's in priority order
}

// NewIndex indexes grids; a grid without a boundary is left out, a grid
// with a boundary that is not a valid GeoJSON Polygon or MultiPolygon is an
// invalid-input error naming it. Unlike ParseBoundary it does not refuse a
// stored ring that crosses itself (the demo's 中牟县 outline has a tiny
// bow-tie): one such grid must not stop every lookup, and the even-odd
// point-in-polygon answer is still well defined. Input is checked on write
// with ParseBoundary or Validate.
func NewIndex(grids []GridShape) (*Index, error) {
	ix := &Index{}
	for _, g := range grids {
		if isEmpty(g.Geometry) {
			continue
		}
		geom, err := parseBoundary(g.Geometry, false)
		if err != nil {
			return nil, apperr.Field("geometry", apperr.GridGeometry, "code", g.Code, "problem", apperr.As(err).Problems["geometry"])
		}
		ix.shapes = append(ix.shapes, shape{grid: g, geom: geom, prep: newPrepared(asMulti(geom))})
	}
	sort.SliceStable(ix.shapes, func(i, j int) bool { return deeper(ix.shapes[i].grid, ix.shapes[j].grid) })
	ix.buildCells()
	return ix, nil
}

// maxIndexCells caps the bucket grid (4M int32 offsets = 16 MB).
const maxIndexCells = 1 << 22

// buildCells sizes the bucket grid so that a typical shape spans about two
// cells a side, and lists each shape in every cell its bound touches.
func (ix *Index) buildCells() {
	if len(ix.shapes) == 0 {
		return
	}
	b := ix.shapes[0].prep
	minX, minY, maxX, maxY := b.minX, b.minY, b.maxX, b.maxY
	ws := make([]float64, 0, len(ix.shapes))
	hs := make([]float64, 0, len(ix.shapes))
	for _, s := range ix.shapes {
		p := s.prep
		minX, minY = math.Min(minX, p.minX), math.Min(minY, p.minY)
		maxX, maxY = math.Max(maxX, p.maxX), math.Max(maxY, p.maxY)
		ws = append(ws, p.maxX-p.minX)
		hs = append(hs, p.maxY-p.minY)
	}
	sort.Float64s(ws)
	sort.Float64s(hs)
	W, H := math.Max(maxX-minX, 1e-9), math.Max(maxY-minY, 1e-9)
	cw, ch := math.Max(ws[len(ws)/2]/2, W/4096), math.Max(hs[len(hs)/2]/2, H/4096)
	nx, ny := int(math.Ceil(W/cw)), int(math.Ceil(H/ch))
	for nx*ny > maxIndexCells {
		nx, ny = (nx+1)/2, (ny+1)/2
	}
	nx, ny = max(nx, 1), max(ny, 1)
	ix.minX, ix.minY, ix.nx, ix.ny = minX, minY, nx, ny
	ix.fx, ix.fy = float64(nx)/W, float64(ny)/H
	mx, my := W/float64(nx)*0.01, H/float64(ny)*0.01 // margin against rounding
	span := func(lo, hi, origin, f float64, n int) (int, int) {
		a, b := int(math.Floor((lo-origin)*f)), int(math.Floor((hi-origin)*f))
		return max(0, min(a, n-1)), max(0, min(b, n-1))
	}
	counts := make([]int32, nx*ny+1)
	for _, s := range ix.shapes {
		p := s.prep
		c0, c1 := span(p.minX-mx, p.maxX+mx, minX, ix.fx, nx)
		r0, r1 := span(p.minY-my, p.maxY+my, minY, ix.fy, ny)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				counts[r*nx+c]++
			}
		}
	}
	ix.cellStart = make([]int32, nx*ny+1)
	for i := 0; i < nx*ny; i++ {
		ix.cellStart[i+1] = ix.cellStart[i] + counts[i]
	}
	ix.items = make([]int32, ix.cellStart[nx*ny])
	fill := append([]int32(nil), ix.cellStart[:nx*ny]...)
	for i, s := range ix.shapes { // priority order, so each cell's list is too
		p := s.prep
		c0, c1 := span(p.minX-mx, p.maxX+mx, minX, ix.fx, nx)
		r0, r1 := span(p.minY-my, p.maxY+my, minY, ix.fy, ny)
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				ix.items[fill[r*nx+c]] = int32(i)
				fill[r*nx+c]++
			}
		}
	}
}

// asMulti returns g as a MultiPolygon.
func asMulti(g orb.Geometry) orb.MultiPolygon {
	switch v := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{v}
	case orb.MultiPolygon:
		return v
	}
	return nil
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
// longitudes and latitudes in range, not crossing or touching themselves
// (duplicate consecutive positions are tolerated). Validate checks more
// (areas, holes, orientation).
func ParseBoundary(raw json.RawMessage) (orb.Geometry, error) {
	return parseBoundary(raw, true)
}

// parseBoundary is ParseBoundary, checking self-crossings only when asked.
func parseBoundary(raw json.RawMessage, crossings bool) (orb.Geometry, error) {
	bad := func(code apperr.PCode, kv ...any) (orb.Geometry, error) {
		return nil, apperr.Field("geometry", code, kv...)
	}
	var g geometryJSON
	if err := json.Unmarshal(raw, &g); err != nil {
		return bad(apperr.GeojsonGeometry, "detail", err.Error())
	}
	if g.Type == "Feature" {
		inner := g.Geometry
		g = geometryJSON{}
		if len(inner) == 0 || json.Unmarshal(inner, &g) != nil || g.Type == "" {
			return bad(apperr.FeatureNoGeometry)
		}
	}
	var polys orb.MultiPolygon
	var geom orb.Geometry
	switch g.Type {
	case "Polygon":
		var p orb.Polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return bad(apperr.PolygonCoordinates, "kind", "Polygon", "detail", err.Error())
		}
		polys, geom = orb.MultiPolygon{p}, p
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return bad(apperr.PolygonCoordinates, "kind", "MultiPolygon", "detail", err.Error())
		}
		geom = polys
	default:
		return bad(apperr.BoundaryKind, "type", g.Type)
	}
	if len(polys) == 0 {
		return bad(apperr.BoundaryNoPolygon)
	}
	for _, p := range polys {
		if len(p) == 0 {
			return bad(apperr.PolygonNoRingAny)
		}
		for _, r := range p {
			if err := checkRing(r); err != nil {
				return nil, apperr.FieldProblem("geometry", apperr.ProblemOf(err))
			}
		}
	}
	if crossings {
		if err := checkSelfIntersections(polys); err != nil {
			return nil, apperr.FieldProblem("geometry", apperr.ProblemOf(err))
		}
	}
	return geom, nil
}

func checkRing(r orb.Ring) error {
	if len(r) < 4 {
		return apperr.P(apperr.RingTooShort, "n", len(r))
	}
	if !r.Closed() {
		return apperr.P(apperr.RingNotClosed)
	}
	for _, p := range r {
		if !validLngLat(p[1], p[0]) {
			return apperr.P(apperr.RingPosition, "lng", p[0], "lat", p[1])
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
// (a point in a hole is outside, a point on a boundary is inside); between
// grids of the same level the smallest code wins, so the answer is stable —
// a point exactly on the border shared by two grids of one level goes to
// the one with the smaller code. It does not allocate.
func (ix *Index) Locate(lat, lng float64) (GridShape, bool) {
	if i := ix.locate(lat, lng); i >= 0 {
		return ix.shapes[i].grid, true
	}
	return GridShape{}, false
}

// locate returns the index in ix.shapes of the winning shape, or -1.
func (ix *Index) locate(lat, lng float64) int {
	if !validLngLat(lat, lng) || len(ix.cellStart) == 0 {
		return -1
	}
	fc, fr := (lng-ix.minX)*ix.fx, (lat-ix.minY)*ix.fy
	if fc < 0 || fr < 0 {
		return -1
	}
	c, r := int(fc), int(fr)
	if c >= ix.nx {
		if c > ix.nx {
			return -1
		}
		c = ix.nx - 1
	}
	if r >= ix.ny {
		if r > ix.ny {
			return -1
		}
		r = ix.ny - 1
	}
	cell := r*ix.nx + c
	pt := orb.Point{lng, lat}
	for _, i := range ix.items[ix.cellStart[cell]:ix.cellStart[cell+1]] {
		if ix.shapes[i].prep.contains(pt) {
			return int(i)
		}
	}
	return -1
}

// deeper reports whether a should win over b.
func deeper(a, b GridShape) bool {
	if a.Level != b.Level {
		return a.Level > b.Level
	}
	return a.Code < b.Code
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
