package geo

import (
	"math/rand"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// reference is the plain locator the fast path must agree with: an R-tree
// prefilter and planar.MultiPolygonContains over every candidate, deepest
// level then smallest code winning.
func reference(ix *Index) func(lat, lng float64) string {
	var tr rtree.RTreeG[int]
	for i, s := range ix.shapes {
		b := s.geom.Bound()
		tr.Insert(b.Min, b.Max, i)
	}
	return func(lat, lng float64) string {
		pt := orb.Point{lng, lat}
		best := -1
		tr.Search(pt, pt, func(_, _ [2]float64, i int) bool {
			if planar.MultiPolygonContains(asMulti(ix.shapes[i].geom), pt) &&
				(best < 0 || deeper(ix.shapes[i].grid, ix.shapes[best].grid)) {
				best = i
			}
			return true
		})
		if best < 0 {
			return ""
		}
		return ix.shapes[best].grid.Code
	}
}

func TestLocateMatchesPlanar(t *testing.T) {
	grids := SynthTiling(7, 1200)
	// A level-2 grid with a hole over part of the tiling, so levels and
	// holes are exercised too.
	grids = append(grids, GridShape{Code: "L2", Level: 2, Geometry: []byte(`{"type":"Polygon","coordinates":[
		[[112.8,34.3],[113.2,34.3],[113.2,34.6],[112.8,34.6],[112.8,34.3]],
		[[112.9,34.4],[112.9,34.5],[113.0,34.5],[113.0,34.4],[112.9,34.4]]]}`)})
	ix, err := NewIndex(grids)
	if err != nil {
		t.Fatal(err)
	}
	ref := reference(ix)
	rng := rand.New(rand.NewSource(1))
	n := 100000
	for i := 0; i < n; i++ {
		lat := 34.15 + rng.Float64()*0.9
		lng := 112.65 + rng.Float64()*1.6
		got, _ := ix.Locate(lat, lng)
		if want := ref(lat, lng); got.Code != want {
			t.Fatalf("Locate(%v, %v) = %q, planar says %q", lat, lng, got.Code, want)
		}
	}
	// Every vertex of the tiling lies on a border shared by two or more
	// grids: the answer is the reference's (smallest code) and stable.
	shared := 0
	for _, s := range ix.shapes {
		for _, r := range asMulti(s.geom)[0] {
			for _, p := range r {
				got, ok := ix.Locate(p[1], p[0])
				if want := ref(p[1], p[0]); !ok || got.Code != want {
					t.Fatalf("vertex %v: Locate = %q, want %q", p, got.Code, want)
				}
				if got.Code < s.grid.Code {
					shared++
				}
			}
		}
	}
	if shared == 0 {
		t.Error("no vertex went to a neighbour with a smaller code: borders are not shared")
	}
}

// TestPreparedMatchesPlanar checks the per-polygon fast path against orb on
// the real district outlines, at random points and exactly on vertices and
// edge midpoints.
func TestPreparedMatchesPlanar(t *testing.T) {
	for _, g := range SynthTiling(3, 50) {
		geom, err := ParseBoundary(g.Geometry)
		if err != nil {
			t.Fatalf("%s: %v", g.Code, err)
		}
		mp := asMulti(geom)
		p := newPrepared(mp)
		b := mp.Bound()
		rng := rand.New(rand.NewSource(2))
		check := func(pt orb.Point) {
			if got, want := p.contains(pt), planar.MultiPolygonContains(mp, pt); got != want {
				t.Fatalf("%s: contains(%v) = %v, planar %v", g.Code, pt, got, want)
			}
		}
		for i := 0; i < 2000; i++ {
			check(orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])})
		}
		r := mp[0][0]
		for i := 0; i+1 < len(r); i++ {
			check(r[i])
			check(orb.Point{(r[i][0] + r[i+1][0]) / 2, (r[i][1] + r[i+1][1]) / 2})
			check(orb.Point{r[i][0], b.Min[1]})
			check(orb.Point{b.Min[0], r[i][1]})
		}
	}
}

func TestSynthTilingIsValid(t *testing.T) {
	grids := SynthTiling(11, 300)
	if len(grids) != 300 {
		t.Fatalf("%d grids, want 300", len(grids))
	}
	for _, g := range grids {
		geom, err := ParseBoundary(g.Geometry)
		if err != nil {
			t.Fatalf("%s: %v", g.Code, err)
		}
		n := len(geom.(orb.Polygon)[0])
		if n < 40 || n > 205 {
			t.Errorf("%s has %d positions, want 40–200", g.Code, n)
		}
		if a := planar.Area(geom.(orb.Polygon)[0]); a <= 0 {
			t.Errorf("%s is not counter-clockwise (signed area %g)", g.Code, a)
		}
	}
}

// BenchmarkLocateReference is the plain R-tree + planar lookup on the
// same tiling as BenchmarkLocate, for comparison.
func BenchmarkLocateReference(b *testing.B) {
	ix, err := NewIndex(SynthTiling(1, 3306*3))
	if err != nil {
		b.Fatal(err)
	}
	ref := reference(ix)
	b.Logf("bucket grid %d×%d, %d entries; shapes %d", ix.nx, ix.ny, len(ix.items), len(ix.shapes))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ref(34.2+float64((i*7919)%65536)/65536*0.78, 112.7+float64((i*104729)%65521)/65521*1.5)
	}
}

// BenchmarkNewIndex measures building the index of 9,918 grids.
func BenchmarkNewIndex(b *testing.B) {
	grids := SynthTiling(1, 3306*3)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewIndex(grids); err != nil {
			b.Fatal(err)
		}
	}
}
