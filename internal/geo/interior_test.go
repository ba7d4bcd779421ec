package geo_test

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridgov/internal/geo"
)

// clearance is the distance from p to the nearest edge of g, in degrees.
func clearance(p orb.Point, mp orb.MultiPolygon) float64 {
	d := math.Inf(1)
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				d = math.Min(d, planar.DistanceFromSegment(r[i], r[i+1], p))
			}
		}
	}
	return d
}

func TestInteriorPoint(t *testing.T) {
	// A U open to the north: the centroid falls in the notch, outside.
	u := orb.Polygon{{{113.60, 34.70}, {113.63, 34.70}, {113.63, 34.73}, {113.62, 34.73}, {113.62, 34.71},
		{113.61, 34.71}, {113.61, 34.73}, {113.60, 34.73}, {113.60, 34.70}}}
	// A square with a big hole in the middle: the centroid is in the hole.
	donut := orb.Polygon{
		{{113.60, 34.70}, {113.64, 34.70}, {113.64, 34.74}, {113.60, 34.74}, {113.60, 34.70}},
		{{113.605, 34.705}, {113.605, 34.735}, {113.635, 34.735}, {113.635, 34.705}, {113.605, 34.705}},
	}
	// An L: long arms, the corner square is the widest part.
	l := orb.Polygon{{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	small := orb.Polygon{{{113.70, 34.80}, {113.701, 34.80}, {113.701, 34.801}, {113.70, 34.801}, {113.70, 34.80}}}
	big := orb.Polygon{{{113.80, 34.80}, {113.82, 34.80}, {113.82, 34.82}, {113.80, 34.82}, {113.80, 34.80}}}
	tests := []struct {
		name string
		g    orb.MultiPolygon
		// minClear is how far from the boundary the point must be.
		minClear float64
	}{
		{"concave U", orb.MultiPolygon{u}, 0.004},
		{"ring with a hole", orb.MultiPolygon{donut}, 0.002},
		{"L shape", orb.MultiPolygon{l}, 0.45},
		{"multipolygon picks the widest part", orb.MultiPolygon{small, big}, 0.009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g orb.Geometry = tt.g
			if len(tt.g) == 1 {
				g = tt.g[0]
			}
			p := geo.InteriorPoint(g)
			if !planar.MultiPolygonContains(tt.g, p) {
				t.Fatalf("got %v, outside the shape", p)
			}
			if c := clearance(p, tt.g); c < tt.minClear {
				t.Errorf("got %v, %.5f° from the boundary, want at least %.5f°", p, c, tt.minClear)
			}
		})
	}
	t.Run("centroid would be outside", func(t *testing.T) {
		c, _ := planar.CentroidArea(u)
		if planar.PolygonContains(u, c) {
			t.Fatalf("test shape is wrong: centroid %v is inside", c)
		}
	})
	t.Run("other geometries", func(t *testing.T) {
		if got := geo.InteriorPoint(orb.Point{1, 2}); got != (orb.Point{1, 2}) {
			t.Errorf("point: got %v", got)
		}
		if got := geo.InteriorPoint(nil); got != (orb.Point{}) {
			t.Errorf("nil: got %v", got)
		}
		if got := geo.InteriorPoint(orb.LineString{{0, 0}, {1, 1}, {2, 2}}); got != (orb.Point{1, 1}) {
			t.Errorf("line: got %v", got)
		}
	})
	t.Run("real district outlines", func(t *testing.T) {
		for _, d := range districts(t) {
			g, err := geo.ParseBoundary(d.Geometry)
			if err != nil {
				t.Fatal(err)
			}
			p := geo.InteriorPoint(g)
			var mp orb.MultiPolygon
			switch v := g.(type) {
			case orb.Polygon:
				mp = orb.MultiPolygon{v}
			case orb.MultiPolygon:
				mp = v
			}
			if !planar.MultiPolygonContains(mp, p) {
				t.Errorf("%s: %v is outside", d.Code, p)
			}
		}
	})
}
