package geo_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

func ring(pts ...float64) orb.Ring {
	var r orb.Ring
	for i := 0; i+1 < len(pts); i += 2 {
		r = append(r, orb.Point{pts[i], pts[i+1]})
	}
	return r
}

func wantGeometryError(t *testing.T, err error, contains string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil || e.Code != apperr.Invalid || !strings.Contains(e.Fields["geometry"], contains) {
		t.Fatalf("err = %v, want invalid geometry containing %q", err, contains)
	}
}

func TestValidate(t *testing.T) {
	square := ring(113, 34, 113.1, 34, 113.1, 34.1, 113, 34.1, 113, 34)
	t.Run("a clean square passes unchanged", func(t *testing.T) {
		g, err := geo.Validate(orb.Polygon{square})
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(g, orb.Polygon{square}) {
			t.Errorf("changed: %v", g)
		}
	})
	t.Run("bow-tie refused, naming the edges", func(t *testing.T) {
		_, err := geo.Validate(orb.Polygon{ring(113, 34, 113.1, 34.1, 113.1, 34, 113, 34.1, 113, 34)})
		wantGeometryError(t, err, "polygon 0, exterior ring: crosses itself: edge 0")
	})
	t.Run("ParseBoundary refuses a bow-tie too", func(t *testing.T) {
		_, err := geo.ParseBoundary([]byte(`{"type":"Polygon","coordinates":[[[113,34],[113.1,34.1],[113.1,34],[113,34.1],[113,34]]]}`))
		wantGeometryError(t, err, "crosses itself")
	})
	t.Run("NewIndex still indexes a stored bow-tie", func(t *testing.T) {
		ix, err := geo.NewIndex([]geo.GridShape{{Code: "BOW", Level: 3, Geometry: []byte(
			`{"type":"Polygon","coordinates":[[[113,34],[113.1,34.1],[113.1,34],[113,34.1],[113,34]]]}`)}})
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := ix.Locate(34.05, 113.01); !ok || g.Code != "BOW" {
			t.Errorf("Locate in the left lobe = %q, %v", g.Code, ok)
		}
	})
	t.Run("a zero-width corridor (out and back along one line) is tolerated", func(t *testing.T) {
		// Off the square's bottom edge, a corridor down x = 113.05 to a
		// small triangle hanging below, traversed counter-clockwise like
		// the square (as in the 中牟县 outline of the demo data).
		in := ring(113, 34, 113.05, 34, 113.05, 33.98, 113.06, 33.98, 113.05, 33.99, 113.05, 34, 113.1, 34, 113.1, 34.1, 113, 34.1, 113, 34)
		if _, err := geo.Validate(orb.Polygon{in}); err != nil {
			t.Errorf("corridor: %v", err)
		}
		// The same triangle traversed clockwise: the ring passes through
		// itself at the corridor (winding −1 below, +1 above).
		in = ring(113, 34, 113.05, 34, 113.05, 33.98, 113.04, 33.98, 113.05, 33.99, 113.05, 34, 113.1, 34, 113.1, 34.1, 113, 34.1, 113, 34)
		_, err := geo.Validate(orb.Polygon{in})
		wantGeometryError(t, err, "passes through itself near [113.04")
		_, err = geo.ParseBoundary(polygon(`[[113,34],[113.05,34],[113.05,33.98],[113.04,33.98],[113.05,33.99],[113.05,34],[113.1,34],[113.1,34.1],[113,34.1],[113,34]]`))
		wantGeometryError(t, err, "passes through itself")
		// A pinch: the ring passes through (113.05, 34.05) twice.
		in = ring(113, 34, 113.05, 34.05, 113.1, 34, 113.1, 34.1, 113.05, 34.05, 113, 34.1, 113, 34)
		if _, err := geo.Validate(orb.Polygon{in}); err != nil {
			t.Errorf("pinch: %v", err)
		}
	})
	t.Run("a ring folding over its own edge is refused", func(t *testing.T) {
		// The last edges run back along the first one.
		_, err := geo.Validate(orb.Polygon{ring(113, 34, 113.2, 34, 113.2, 34.1, 113.1, 34.1, 113.1, 34, 113.15, 34, 113.15, 33.9, 113, 33.9, 113, 34)})
		wantGeometryError(t, err, "crosses itself")
	})
	t.Run("zero area", func(t *testing.T) {
		_, err := geo.Validate(orb.Polygon{ring(113, 34, 113.1, 34.1, 113.2, 34.2, 113, 34)})
		wantGeometryError(t, err, "zero area")
	})
	t.Run("too few distinct positions", func(t *testing.T) {
		_, err := geo.Validate(orb.Polygon{ring(113, 34, 113, 34, 113.1, 34, 113, 34)})
		wantGeometryError(t, err, "at least 3 distinct positions")
	})
	t.Run("duplicates and a spike are removed", func(t *testing.T) {
		in := ring(113, 34, 113, 34, 113.1, 34, 113.1, 34, 113.1, 34.1, 113.1, 34.2, 113.1, 34.1, 113, 34.1, 113, 34)
		g, err := geo.Validate(orb.Polygon{in})
		if err != nil {
			t.Fatal(err)
		}
		if !orb.Equal(g, orb.Polygon{square}) {
			t.Errorf("got %v, want %v", g, square)
		}
	})
	t.Run("orientation normalised", func(t *testing.T) {
		cw := square.Clone()
		cw.Reverse()
		holeCCW := ring(113.02, 34.02, 113.05, 34.02, 113.05, 34.05, 113.02, 34.05, 113.02, 34.02)
		g, err := geo.Validate(orb.MultiPolygon{{cw, holeCCW}})
		if err != nil {
			t.Fatal(err)
		}
		p := g.(orb.MultiPolygon)[0]
		if planar.Area(p[0]) <= 0 || planar.Area(p[1]) >= 0 {
			t.Errorf("exterior area %g (want > 0), hole %g (want < 0)", planar.Area(p[0]), planar.Area(p[1]))
		}
	})
	t.Run("hole outside its shell", func(t *testing.T) {
		hole := ring(113.2, 34.02, 113.25, 34.02, 113.25, 34.05, 113.2, 34.05, 113.2, 34.02)
		_, err := geo.Validate(orb.Polygon{square, hole})
		wantGeometryError(t, err, "polygon 0, hole 1: position 0 [113.2, 34.02] is outside the exterior ring")
	})
	t.Run("hole crossing its shell", func(t *testing.T) {
		// Every vertex inside or on the shell, but an edge leaves it: the
		// shell is an L whose notch the hole's edge crosses.
		l := ring(113, 34, 113.2, 34, 113.2, 34.1, 113.1, 34.1, 113.1, 34.2, 113, 34.2, 113, 34)
		hole := ring(113.05, 34.15, 113.15, 34.05, 113.15, 34.02, 113.05, 34.02, 113.05, 34.15)
		_, err := geo.Validate(orb.Polygon{l, hole})
		wantGeometryError(t, err, "polygon 0: the exterior ring crosses hole 1")
		hole = ring(113.05, 34.15, 113.08, 34.05, 113.15, 34.05, 113.15, 34.02, 113.05, 34.02, 113.05, 34.15)
		if _, err := geo.Validate(orb.Polygon{l, hole}); err != nil {
			t.Errorf("a hole inside the L: %v", err)
		}
	})
	t.Run("the real district outlines pass", func(t *testing.T) {
		for _, d := range districts(t) {
			g, err := geo.ParseBoundary(d.Geometry)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := geo.Validate(g); err != nil {
				t.Errorf("%s: %v", d.UnitCode, err)
			}
		}
	})
}

// wobbly returns a closed star-ish ring of n vertices around (113.6, 34.8).
func wobbly(n int) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		rad := 0.1 * (1 + 0.05*math.Sin(37*a) + 0.02*math.Sin(611*a))
		r = append(r, orb.Point{113.6 + rad*math.Cos(a), 34.8 + rad*math.Sin(a)})
	}
	return append(r, r[0])
}

func TestValidateLargeRing(t *testing.T) {
	r := wobbly(10000)
	start := time.Now()
	if _, err := geo.Validate(orb.Polygon{r}); err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("10,000-vertex ring validated in %v", el)
	if el > 2*time.Second { // generous: -race and a busy machine
		t.Errorf("took %v", el)
	}
	// A crossing planted deep inside is found: swap two vertices.
	bad := r.Clone()
	bad[5000], bad[5010] = bad[5010], bad[5000]
	_, err := geo.Validate(orb.Polygon{bad})
	wantGeometryError(t, err, "crosses itself: edge 4999")
}

func BenchmarkValidate10k(b *testing.B) {
	p := orb.Polygon{wobbly(10000)}
	for b.Loop() {
		if _, err := geo.Validate(p); err != nil {
			b.Fatal(err)
		}
	}
}
