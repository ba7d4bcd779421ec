package geo_test

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

// rect is a [lng, lat] rectangle polygon, counter-clockwise.
func rect(x0, y0, x1, y1 float64) orb.Polygon {
	return orb.Polygon{ring(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(math.Abs(b), 1) }

func TestCoverage(t *testing.T) {
	const x0, y0 = 113.6, 34.7
	const d = 0.001 // about 91 m east-west, 111 m north-south here
	parent := rect(x0, y0, x0+2*d, y0+d)
	cell := geo.AreaM2(rect(x0, y0, x0+d, y0+d))
	if cell < 9000 || cell > 11000 {
		t.Fatalf("a 0.001° square is %g m²", cell)
	}
	check := func(t *testing.T, parent orb.Geometry, kids []geo.CoverageChild) geo.Coverage {
		t.Helper()
		c, err := geo.CheckCoverage(parent, kids, geo.CoverageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !near(c.ParentAreaM2, geo.AreaM2(parent)) {
			t.Errorf("parent area %g, want %g", c.ParentAreaM2, geo.AreaM2(parent))
		}
		return c
	}
	t.Run("two squares tile the rectangle", func(t *testing.T) {
		c := check(t, parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d, y0, x0+2*d, y0+d)}})
		if !c.OK() || !near(c.CoveredAreaM2, 2*cell) {
			t.Errorf("%+v", c)
		}
	})
	t.Run("a gap", func(t *testing.T) {
		// B covers only the lower half of the right square.
		c := check(t, parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d, y0, x0+2*d, y0+d/2)}})
		if len(c.Gaps) != 1 || len(c.Overlaps) != 0 || len(c.Outside) != 0 || !near(c.Gaps[0].AreaM2, cell/2) {
			t.Fatalf("%+v", c)
		}
		if b := c.Gaps[0].Geometry.Bound(); math.Abs(b.Min[0]-(x0+d)) > 1e-9 || math.Abs(b.Max[1]-(y0+d)) > 1e-9 || math.Abs(b.Min[1]-(y0+d/2)) > 1e-9 {
			t.Errorf("gap bound %v", b)
		}
		if !near(geo.AreaM2(c.Gaps[0].Geometry), cell/2) {
			t.Errorf("gap geometry area %g", geo.AreaM2(c.Gaps[0].Geometry))
		}
		// Dissolved into one rectangle: four corners.
		if g := c.Gaps[0].Geometry; len(g) != 1 || len(g[0]) != 1 || len(g[0][0]) != 5 {
			t.Errorf("gap geometry %v, want one rectangle", g)
		}
	})
	t.Run("two separate gaps", func(t *testing.T) {
		c := check(t, parent, []geo.CoverageChild{{"M", rect(x0+d/2, y0, x0+3*d/2, y0+d)}})
		if len(c.Gaps) != 2 || !near(c.Gaps[0].AreaM2, cell/2) || !near(c.Gaps[1].AreaM2, cell/2) {
			t.Fatalf("gaps %+v", c.Gaps)
		}
	})
	t.Run("a child inside: the gap has a hole", func(t *testing.T) {
		c := check(t, parent, []geo.CoverageChild{{"IN", rect(x0+d/2, y0+d/4, x0+d, y0+3*d/4)}})
		if len(c.Gaps) != 1 || !near(c.Gaps[0].AreaM2, 2*cell-cell/4) {
			t.Fatalf("gaps %+v", c.Gaps)
		}
		g := c.Gaps[0].Geometry
		if len(g) != 1 || len(g[0]) != 2 {
			t.Fatalf("gap geometry %v, want the rectangle with a hole", g)
		}
		if _, err := geo.Validate(g); err != nil {
			t.Errorf("invalid: %v", err)
		}
	})
	t.Run("an overlap", func(t *testing.T) {
		c := check(t, parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+1.25*d, y0+d)}, {"B", rect(x0+d, y0, x0+2*d, y0+d)}})
		if len(c.Gaps) != 0 || len(c.Overlaps) != 1 || len(c.Outside) != 0 {
			t.Fatalf("%+v", c)
		}
		o := c.Overlaps[0]
		if o.A != "A" || o.B != "B" || !near(o.AreaM2, cell/4) {
			t.Errorf("overlap %+v, want A/B %g m²", o, cell/4)
		}
	})
	t.Run("a child outside", func(t *testing.T) {
		c := check(t, parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d, y0, x0+3*d, y0+d)}})
		if len(c.Gaps) != 0 || len(c.Overlaps) != 0 || len(c.Outside) != 1 || c.Outside[0].Code != "B" || !near(c.Outside[0].AreaM2, cell) {
			t.Fatalf("%+v", c)
		}
	})
	t.Run("slivers below the tolerance are ignored", func(t *testing.T) {
		// A gap 1e-8° wide: about 0.1 m², under 1 m².
		c := check(t, parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d+1e-8, y0, x0+2*d, y0+d)}})
		if !c.OK() {
			t.Errorf("%+v", c)
		}
		c, _ = geo.CheckCoverage(parent, []geo.CoverageChild{{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d+1e-8, y0, x0+2*d, y0+d)}},
			geo.CoverageOptions{ToleranceM2: 0.01})
		if len(c.Gaps) != 1 {
			t.Errorf("with a 0.01 m² tolerance: %+v", c)
		}
	})
	// An L-shaped (concave) community: the lower row of two squares and the
	// upper-left square.
	lshape := orb.Polygon{ring(x0, y0, x0+2*d, y0, x0+2*d, y0+d, x0+d, y0+d, x0+d, y0+2*d, x0, y0+2*d, x0, y0)}
	t.Run("concave L tiled by three squares", func(t *testing.T) {
		c := check(t, lshape, []geo.CoverageChild{
			{"A", rect(x0, y0, x0+d, y0+d)}, {"B", rect(x0+d, y0, x0+2*d, y0+d)}, {"C", rect(x0, y0+d, x0+d, y0+2*d)}})
		if !c.OK() {
			t.Errorf("%+v", c)
		}
	})
	t.Run("concave L tiled by two L-compatible pieces, one concave", func(t *testing.T) {
		c := check(t, lshape, []geo.CoverageChild{
			{"L", orb.Polygon{ring(x0, y0, x0+d, y0, x0+d, y0+2*d, x0, y0+2*d, x0, y0)}},
			{"R", rect(x0+d, y0, x0+2*d, y0+d)}})
		if !c.OK() {
			t.Errorf("%+v", c)
		}
	})
	t.Run("a square over the L's notch reaches outside", func(t *testing.T) {
		c := check(t, lshape, []geo.CoverageChild{{"BIG", rect(x0, y0, x0+2*d, y0+2*d)}})
		if len(c.Gaps) != 0 || len(c.Outside) != 1 || !near(c.Outside[0].AreaM2, geo.AreaM2(rect(x0+d, y0+d, x0+2*d, y0+2*d))) {
			t.Fatalf("%+v", c)
		}
		if g := c.Outside[0].Geometry; len(g) != 1 || len(g[0][0]) != 5 {
			t.Errorf("outside geometry %v, want the notch square", g)
		}
	})
	t.Run("a gap in the L's corner and a hole in a child", func(t *testing.T) {
		holed := orb.Polygon{ring(x0, y0, x0+d, y0, x0+d, y0+d, x0, y0+d, x0, y0),
			ring(x0+d/4, y0+d/4, x0+d/4, y0+3*d/4, x0+3*d/4, y0+3*d/4, x0+3*d/4, y0+d/4, x0+d/4, y0+d/4)}
		c := check(t, lshape, []geo.CoverageChild{{"A", holed}, {"B", rect(x0+d, y0, x0+2*d, y0+d)}})
		if len(c.Gaps) != 2 || !near(c.Gaps[0].AreaM2, geo.AreaM2(rect(x0, y0+d, x0+d, y0+2*d))) ||
			!near(c.Gaps[1].AreaM2, geo.AreaM2(rect(x0+d/4, y0+d/4, x0+3*d/4, y0+3*d/4))) {
			t.Fatalf("gaps %+v", c.Gaps)
		}
	})
	t.Run("an invalid child is named", func(t *testing.T) {
		_, err := geo.CheckCoverage(parent, []geo.CoverageChild{{"BOW", orb.Polygon{ring(x0, y0, x0+d, y0+d, x0+d, y0, x0, y0+d, x0, y0)}}}, geo.CoverageOptions{})
		if !strings.Contains(apperr.As(err).Fields["children"], "BOW: ") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestCoverageSynthTiling checks a generated tiling: its irregular, wavy
// grids tile their bounding rectangle exactly.
func TestCoverageSynthTiling(t *testing.T) {
	grids := geo.SynthTiling(9, 8) // 4 × 2: complete rows
	var kids []geo.CoverageChild
	var b orb.Bound
	for i, g := range grids {
		geom, err := geo.ParseBoundary(g.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		kids = append(kids, geo.CoverageChild{Code: g.Code, Geometry: geom})
		if i == 0 {
			b = geom.Bound()
		} else {
			b = b.Union(geom.Bound())
		}
	}
	c, err := geo.CheckCoverage(b.ToPolygon(), kids, geo.CoverageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.OK() {
		t.Errorf("gaps %d overlaps %d outside %d", len(c.Gaps), len(c.Overlaps), len(c.Outside))
	}
	if !near(c.CoveredAreaM2, c.ParentAreaM2) {
		t.Errorf("covered %g of %g m²", c.CoveredAreaM2, c.ParentAreaM2)
	}
	// Without one inner grid, its whole area is one gap, whose outline is
	// the grid's own (wavy) boundary.
	hole := kids[1]
	rest := append(append([]geo.CoverageChild(nil), kids[:1]...), kids[2:]...)
	c, _ = geo.CheckCoverage(b.ToPolygon(), rest, geo.CoverageOptions{})
	if len(c.Gaps) != 1 || math.Abs(c.Gaps[0].AreaM2-geo.AreaM2(hole.Geometry)) > 1e-2*c.Gaps[0].AreaM2 { // projections about different centres, ~50 km apart
		t.Fatalf("gaps %d, want one of %g m²", len(c.Gaps), geo.AreaM2(hole.Geometry))
	}
	g := c.Gaps[0].Geometry
	want := hole.Geometry.(orb.Polygon)[0]
	if len(g) != 1 || len(g[0]) != 1 {
		t.Fatalf("gap outline has %d polygons, %d rings; want one ring", len(g), len(g[0]))
	}
	// Every corner of the outline is a vertex of the grid (vertices on the
	// straight outer border are dropped as collinear, so fewer).
	for _, p := range g[0][0] {
		found := false
		for _, q := range want {
			found = found || (math.Abs(p[0]-q[0]) < 1e-9 && math.Abs(p[1]-q[1]) < 1e-9)
		}
		if !found {
			t.Fatalf("outline position %v is not a vertex of the grid", p)
		}
	}
	if _, err := geo.Validate(g); err != nil {
		t.Errorf("gap outline invalid: %v", err)
	}
}

// BenchmarkCoverage checks 24 irregular grids (about 2,900 vertices) against
// their bounding rectangle.
func BenchmarkCoverage(b *testing.B) {
	grids := geo.SynthTiling(4, 24)
	var kids []geo.CoverageChild
	var bound orb.Bound
	for i, g := range grids {
		geom, _ := geo.ParseBoundary(g.Geometry)
		kids = append(kids, geo.CoverageChild{Code: g.Code, Geometry: geom})
		if i == 0 {
			bound = geom.Bound()
		} else {
			bound = bound.Union(geom.Bound())
		}
	}
	for b.Loop() {
		if _, err := geo.CheckCoverage(bound.ToPolygon(), kids, geo.CoverageOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
