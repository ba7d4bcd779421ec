package geo_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridgov/internal/geo"
)

// comb is a concave polygon: a base with teeth pointing up, so that a
// horizontal cut through the teeth gives one piece per tooth above it.
func comb(teeth int) orb.Polygon {
	r := orb.Ring{{0, 0}, {float64(2*teeth - 1), 0}}
	for i := teeth - 1; i >= 0; i-- {
		x := float64(2 * i)
		r = append(r, orb.Point{x + 1, 3}, orb.Point{x, 3})
		if i > 0 {
			r = append(r, orb.Point{x, 1}, orb.Point{x - 1, 1})
		}
	}
	r = append(r, orb.Point{0, 0})
	return orb.Polygon{r}
}

// star is a wavy, strongly concave polygon of n vertices around (cx, cy).
func star(cx, cy, radius float64, n int) orb.Polygon {
	r := make(orb.Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		rr := radius * (0.55 + 0.45*math.Sin(7*a)*math.Cos(3*a))
		r = append(r, orb.Point{cx + rr*math.Cos(a), cy + rr*0.8*math.Sin(a)})
	}
	r = append(r, r[0])
	return orb.Polygon{r}
}

func mpArea(mp orb.MultiPolygon) float64 {
	a := 0.0
	for _, p := range mp {
		a += math.Abs(planar.Area(p))
	}
	return a
}

// checkValid asserts a part passes ParseBoundary and Validate.
func checkValid(t *testing.T, name string, mp orb.MultiPolygon) {
	t.Helper()
	raw := geo.GeometryJSON(mp)
	if _, err := geo.ParseBoundary(raw); err != nil {
		t.Fatalf("%s: ParseBoundary: %v\n%s", name, err, raw)
	}
	if _, err := geo.Validate(mp); err != nil {
		t.Fatalf("%s: Validate: %v", name, err)
	}
}

// checkTiling asserts parts tile parent: areas sum to the parent's, every
// sampled point of the parent's bounding box is in exactly one part when
// it is in the parent and in none otherwise.
func checkTiling(t *testing.T, parent orb.MultiPolygon, parts []orb.MultiPolygon, samples int) {
	t.Helper()
	sum := 0.0
	for i, p := range parts {
		if len(p) == 0 {
			t.Fatalf("part %d is empty", i)
		}
		checkValid(t, fmt.Sprintf("part %d", i), p)
		sum += mpArea(p)
	}
	if pa := mpArea(parent); math.Abs(sum-pa) > 1e-9*pa {
		t.Fatalf("parts' area %v, parent's %v", sum, pa)
	}
	r := rand.New(rand.NewPCG(1, 2))
	b := parent.Bound()
	for range samples {
		pt := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		in := 0
		for _, p := range parts {
			if planar.MultiPolygonContains(p, pt) {
				in++
			}
		}
		want := 0
		if planar.MultiPolygonContains(parent, pt) {
			want = 1
		}
		if in != want {
			t.Fatalf("point %v is in %d parts, want %d", pt, in, want)
		}
	}
}

func TestSplitPolygonSquare(t *testing.T) {
	sq := orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}
	below, above, err := geo.SplitPolygon(sq, geo.Line{A: 1, B: 0, C: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(below) != 1 || len(above) != 1 {
		t.Fatalf("pieces %d below, %d above; want 1 and 1", len(below), len(above))
	}
	if a := planar.Area(below[0]); math.Abs(a-4) > 1e-12 {
		t.Errorf("below area %v, want 4", a)
	}
	if a := planar.Area(above[0]); math.Abs(a-12) > 1e-12 {
		t.Errorf("above area %v, want 12", a)
	}
	// Wholly on one side: returned as is.
	below, above, _ = geo.SplitPolygon(sq, geo.Line{A: 1, B: 0, C: 10})
	if len(below) != 1 || len(above) != 0 {
		t.Fatalf("line beyond the square: %d below, %d above", len(below), len(above))
	}
}

func TestSplitPolygonConcave(t *testing.T) {
	c := comb(5)
	// A line through the teeth (y = 2) leaves five teeth above it and the
	// base below; a slanted one through some teeth gives fewer.
	for _, l := range []geo.Line{{A: 0, B: 1, C: 2}, {A: -0.3, B: 1, C: 0.5}, {A: 1, B: 0.2, C: 4.5}, {A: 0, B: 1, C: 1}} {
		below, above, err := geo.SplitPolygon(c, l)
		if err != nil {
			t.Fatal(err)
		}
		if l == (geo.Line{A: 0, B: 1, C: 2}) && (len(above) != 5 || len(below) != 1) {
			t.Fatalf("comb cut at y=2: %d above, %d below; want 5 and 1", len(above), len(below))
		}
		var parts []orb.MultiPolygon
		for _, p := range append(below, above...) {
			parts = append(parts, orb.MultiPolygon{p})
		}
		checkTiling(t, orb.MultiPolygon{c}, parts, 4000)
		for _, p := range below {
			for _, v := range p[0] {
				if l.A*v[0]+l.B*v[1]-l.C > 1e-9 {
					t.Fatalf("line %+v: below piece has vertex %v above", l, v)
				}
			}
		}
	}
	if _, _, err := geo.SplitPolygon(orb.Polygon{{{0, 0}, {4, 0}, {4, 4}, {0, 0}}, {{1, 1}, {2, 1}, {2, 2}, {1, 1}}}, geo.Line{A: 1, C: 1.5}); err == nil {
		t.Fatal("a polygon with a hole was split")
	}
}

func TestPartition(t *testing.T) {
	var grid orb.MultiPolygon
	{
		g, err := geo.ParseBoundary(geo.SynthTiling(3, 1)[0].Geometry)
		if err != nil {
			t.Fatal(err)
		}
		grid = orb.MultiPolygon{g.(orb.Polygon)}
	}
	cases := []struct {
		name   string
		parent orb.MultiPolygon
		k      int
	}{
		{"star/1", orb.MultiPolygon{star(113.6, 34.7, 0.05, 400)}, 1},
		{"star/2", orb.MultiPolygon{star(113.6, 34.7, 0.05, 400)}, 2},
		{"star/37", orb.MultiPolygon{star(113.6, 34.7, 0.05, 400)}, 37},
		{"comb/9", orb.MultiPolygon{comb(6)}, 9},
		{"synth/12", grid, 12},
		{"two stars/20", orb.MultiPolygon{star(113.6, 34.7, 0.05, 200), star(113.8, 34.7, 0.05, 300)}, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := geo.Partition(tc.parent, tc.k, rand.New(rand.NewPCG(7, uint64(tc.k))))
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != tc.k {
				t.Fatalf("%d parts, want %d", len(parts), tc.k)
			}
			checkTiling(t, tc.parent, parts, 5000)
			// Roughly equal: no part below a third or above twice its share.
			share := mpArea(tc.parent) / float64(tc.k)
			for i, p := range parts {
				if a := mpArea(p); a < share/3 || a > 2*share {
					t.Errorf("part %d has %.2f of its share", i, a/share)
				}
			}
			// The exact overlay agrees (at real coordinates only: it projects to metres).
			if tc.parent.Bound().Min[0] > 100 {
				var ch []geo.CoverageChild
				for i, p := range parts {
					ch = append(ch, geo.CoverageChild{Code: fmt.Sprint(i), Geometry: p})
				}
				cov, err := geo.CheckCoverage(tc.parent, ch, geo.CoverageOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !cov.OK() {
					t.Fatalf("coverage: %d gaps, %d overlaps, %d outside", len(cov.Gaps), len(cov.Overlaps), len(cov.Outside))
				}
			}
		})
	}
	// Deterministic for one seed.
	a, _ := geo.Partition(cases[2].parent, 9, rand.New(rand.NewPCG(1, 1)))
	b, _ := geo.Partition(cases[2].parent, 9, rand.New(rand.NewPCG(1, 1)))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("same seed, different parts")
	}
}
