package seed

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// outline is a district's outer ring (GeoJSON order: lng, lat) and its
// bounding box, for picking demo coordinates inside the district.
type outline struct {
	ring                           [][2]float64
	minLng, minLat, maxLng, maxLat float64
}

// parseOutline reads a GeoJSON Polygon or MultiPolygon (the first
// polygon's outer ring).
func parseOutline(geom json.RawMessage) (*outline, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(geom, &g); err != nil {
		return nil, err
	}
	var ring [][2]float64
	switch g.Type {
	case "Polygon":
		var p [][][2]float64
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, err
		}
		if len(p) > 0 {
			ring = p[0]
		}
	case "MultiPolygon":
		var mp [][][][2]float64
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
			return nil, err
		}
		if len(mp) > 0 && len(mp[0]) > 0 {
			ring = mp[0][0]
		}
	default:
		return nil, fmt.Errorf("geometry %s is not a polygon", g.Type)
	}
	if len(ring) < 4 {
		return nil, fmt.Errorf("polygon ring has %d points", len(ring))
	}
	o := &outline{ring: ring, minLng: ring[0][0], maxLng: ring[0][0], minLat: ring[0][1], maxLat: ring[0][1]}
	for _, p := range ring {
		o.minLng, o.maxLng = min(o.minLng, p[0]), max(o.maxLng, p[0])
		o.minLat, o.maxLat = min(o.minLat, p[1]), max(o.maxLat, p[1])
	}
	return o, nil
}

// contains tells whether the point lies inside the ring (even-odd rule).
func (o *outline) contains(lat, lng float64) bool {
	in := false
	for i, j := 0, len(o.ring)-1; i < len(o.ring); j, i = i, i+1 {
		xi, yi := o.ring[i][0], o.ring[i][1]
		xj, yj := o.ring[j][0], o.ring[j][1]
		if (yi > lat) != (yj > lat) && lng < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// pick returns a point inside the outline, drawn from its bounding box.
func (o *outline) pick(r *rand.Rand) (lat, lng float64) {
	for range 1000 {
		lat = o.minLat + r.Float64()*(o.maxLat-o.minLat)
		lng = o.minLng + r.Float64()*(o.maxLng-o.minLng)
		if o.contains(lat, lng) {
			return lat, lng
		}
	}
	return o.ring[0][1], o.ring[0][0] // a vertex: never reached for a real outline
}

// near returns a point within about d degrees of (lat, lng) that is still
// inside the outline, or the point itself.
func (o *outline) near(r *rand.Rand, lat, lng, d float64) (float64, float64) {
	for range 20 {
		la, ln := lat+(r.Float64()*2-1)*d, lng+(r.Float64()*2-1)*d
		if o.contains(la, ln) {
			return la, ln
		}
	}
	return lat, lng
}
