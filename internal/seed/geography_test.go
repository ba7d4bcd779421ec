package seed

import (
	"testing"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/divisions"
	"gridgov/internal/geo"
)

// TestDistrictOutlines checks that every embedded outline, 中牟县's
// self-crossing one included, passes geo.ParseBoundary after loading.
func TestDistrictOutlines(t *testing.T) {
	raw, err := outlines()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := geo.ParseBoundary(raw["中牟县"]); err == nil {
		t.Fatal("中牟县's raw outline passes ParseBoundary: the repair is no longer exercised")
	}
	polys, err := districtOutlines()
	if err != nil {
		t.Fatal(err)
	}
	if len(polys) != 12 {
		t.Fatalf("%d outlines, want 12", len(polys))
	}
	for name, p := range polys {
		if _, err := geo.ParseBoundary(geo.GeometryJSON(orb.MultiPolygon{p})); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestGeography checks the generated tiling: every street and community of
// a district with an outline has a valid shape, each level covers its
// parent exactly (geo.CheckCoverage), and it takes seconds at most.
func TestGeography(t *testing.T) {
	set, err := divisions.Read(Divisions(), CityCode)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	g, err := (&seeder{set: set}).buildGeography()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("geography took %v", d)
	}
	wantUnmatched := []string{
		"district 郑州经济技术开发区 (410171) has no outline",
		"district 郑州航空港经济综合实验区 (410173) has no outline",
		"district 郑州高新技术产业开发区 (410172) has no outline",
	}
	if len(g.unmatched) != len(wantUnmatched) {
		t.Fatalf("unmatched = %q, want %q", g.unmatched, wantUnmatched)
	}
	for i := range wantUnmatched {
		if g.unmatched[i] != wantUnmatched[i] {
			t.Fatalf("unmatched = %q, want %q", g.unmatched, wantUnmatched)
		}
	}
	children := map[string][]string{}
	for _, st := range set.Streets {
		children[st.ParentCode] = append(children[st.ParentCode], st.Code)
	}
	for _, c := range set.Communities {
		children[c.ParentCode] = append(children[c.ParentCode], c.Code)
	}
	checked, communities := 0, 0
	for code, mp := range g.shapes {
		if _, err := geo.ParseBoundary(geo.GeometryJSON(mp)); err != nil {
			t.Fatalf("unit %s: %v", code, err)
		}
		kids := children[code]
		if len(kids) == 0 {
			communities++
			continue
		}
		var ch []geo.CoverageChild
		for _, k := range kids {
			if len(g.shapes[k]) == 0 {
				t.Fatalf("unit %s (child of %s) has no shape", k, code)
			}
			ch = append(ch, geo.CoverageChild{Code: k, Geometry: g.shapes[k]})
		}
		if testing.Short() && len(kids) > 20 {
			continue
		}
		cov, err := geo.CheckCoverage(mp, ch, geo.CoverageOptions{})
		if err != nil {
			t.Fatalf("coverage of %s: %v", code, err)
		}
		if !cov.OK() {
			t.Errorf("coverage of %s: %d gaps, %d overlaps, %d outside", code, len(cov.Gaps), len(cov.Overlaps), len(cov.Outside))
		}
		checked++
	}
	if checked < 100 || communities < 2000 || g.index.Len() != communities {
		t.Errorf("checked %d parents, %d communities, index %d", checked, communities, g.index.Len())
	}
}
