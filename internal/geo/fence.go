package geo

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"gridgov/internal/apperr"
)

// earthRadiusM is the mean Earth radius used for haversine distances.
const earthRadiusM = 6371008.8

// HaversineM returns the great-circle distance in metres between two
// points.
func HaversineM(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Fence is a geofence: either an area (a polygon or multipolygon, [lng,
// lat] positions; its boundary counts as inside, a hole as outside) or a
// circle (a centre and a radius in metres, haversine distance; a point at
// exactly the radius is inside). Build one with NewAreaFence or
// NewCircleFence. Circles are not meant for use across the antimeridian or
// near the poles.
type Fence struct {
	// ID names the fence in FenceSet answers.
	ID string
	// Area is the fence's area, nil for a circle.
	Area orb.MultiPolygon
	// Lat, Lng and RadiusM describe a circle.
	Lat, Lng, RadiusM float64

	prep *prepared
}

// NewAreaFence returns a fence over a Polygon or MultiPolygon, which must
// pass Validate.
func NewAreaFence(id string, g orb.Geometry) (Fence, error) {
	v, err := Validate(g)
	if err != nil {
		return Fence{}, err
	}
	mp := asMulti(v)
	return Fence{ID: id, Area: mp, prep: newPrepared(mp)}, nil
}

// NewCircleFence returns a circular fence; the centre must be a valid
// latitude/longitude and the radius positive (at most 1,000 km).
func NewCircleFence(id string, lat, lng, radiusM float64) (Fence, error) {
	if !validLngLat(lat, lng) {
		return Fence{}, apperr.Field("center", apperr.Coordinates)
	}
	if !(radiusM > 0 && radiusM <= 1e6) {
		return Fence{}, apperr.Field("radius", apperr.Radius)
	}
	return Fence{ID: id, Lat: lat, Lng: lng, RadiusM: radiusM}, nil
}

// IsCircle reports whether the fence is a circle.
func (f Fence) IsCircle() bool { return f.Area == nil }

// Contains reports whether the point is inside the fence (on its edge
// counts as inside).
func (f Fence) Contains(lat, lng float64) bool {
	if !validLngLat(lat, lng) {
		return false
	}
	if f.IsCircle() {
		return HaversineM(f.Lat, f.Lng, lat, lng) <= f.RadiusM
	}
	if f.prep == nil {
		f.prep = newPrepared(f.Area)
	}
	return f.prep.contains(orb.Point{lng, lat})
}

// Bound returns the fence's bounding box (for a circle, a box slightly
// larger than the circle).
func (f Fence) Bound() orb.Bound {
	if !f.IsCircle() {
		return f.Area.Bound()
	}
	dLat := f.RadiusM / earthRadiusM * 180 / math.Pi * 1.001
	dLng := dLat / math.Max(math.Cos((math.Abs(f.Lat)+dLat)*math.Pi/180), 1e-6)
	return orb.Bound{Min: orb.Point{f.Lng - dLng, f.Lat - dLat}, Max: orb.Point{f.Lng + dLng, f.Lat + dLat}}
}

// FenceSet indexes fences by their bounding boxes (an R-tree) to answer
// which fences contain a point. It is immutable and safe for concurrent
// use.
type FenceSet struct {
	tree   rtree.RTreeG[int]
	fences []Fence
}

// NewFenceSet indexes fences; IDs must be unique and non-empty.
func NewFenceSet(fences []Fence) (*FenceSet, error) {
	s := &FenceSet{fences: make([]Fence, len(fences))}
	seen := map[string]bool{}
	for i, f := range fences {
		if f.ID == "" || seen[f.ID] {
			return nil, apperr.Field("id", apperr.FenceID, "n", i, "id", f.ID)
		}
		seen[f.ID] = true
		if !f.IsCircle() && f.prep == nil {
			f.prep = newPrepared(f.Area)
		}
		s.fences[i] = f
		b := f.Bound()
		s.tree.Insert(b.Min, b.Max, i)
	}
	return s, nil
}

// Len returns the number of fences.
func (s *FenceSet) Len() int { return len(s.fences) }

// Containing returns the IDs of the fences containing the point, sorted.
func (s *FenceSet) Containing(lat, lng float64) []string {
	var out []string
	pt := [2]float64{lng, lat}
	s.tree.Search(pt, pt, func(_, _ [2]float64, i int) bool {
		if s.fences[i].Contains(lat, lng) {
			out = append(out, s.fences[i].ID)
		}
		return true
	})
	sort.Strings(out)
	return out
}

// Transition compares the fences a tracked object was inside before
// (prevInside, any order) with those containing its new position, and
// returns the fences it entered and exited (each sorted) and the fences it
// is now inside (sorted, to pass as prevInside next time).
func (s *FenceSet) Transition(prevInside []string, lat, lng float64) (entered, exited, inside []string) {
	inside = s.Containing(lat, lng)
	now := make(map[string]bool, len(inside))
	for _, id := range inside {
		now[id] = true
	}
	before := make(map[string]bool, len(prevInside))
	for _, id := range prevInside {
		before[id] = true
		if !now[id] {
			exited = append(exited, id)
		}
	}
	for _, id := range inside {
		if !before[id] {
			entered = append(entered, id)
		}
	}
	sort.Strings(exited)
	exited = compactSorted(exited)
	return entered, exited, inside
}

func compactSorted(ids []string) []string {
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}
