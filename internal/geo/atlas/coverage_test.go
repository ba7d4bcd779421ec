package atlas_test

import (
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
)

func TestCoverage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		city := writer("410100")
		const community = "410105001001"
		_, err := e.svc.Coverage(city, community)
		orgtest.WantField(t, err, apperr.Invalid, "unit_code") // no boundary yet
		if _, err := e.svc.SetUnitBoundary(city, community, square(113.60, 34.70, 0.02, 0.02), ""); err != nil {
			t.Fatal(err)
		}
		// Three grids: the left half; a right strip that overlaps the left
		// half by 0.002° and stops 0.004° short of the top (a gap); and a
		// grid without a boundary.
		if _, err := e.orgs.UpdateGrid(e.sys, orgtest.GridJBL, org.GridUpdate{Boundary: ptr(square(113.60, 34.70, 0.01, 0.02))}); err != nil {
			t.Fatal(err)
		}
		for _, g := range []org.GridInput{
			{Code: "G-right", Name: "右", Level: 3, UnitCode: community, Boundary: square(113.608, 34.70, 0.012, 0.016)},
			{Code: "G-none", Name: "无", Level: 3, UnitCode: community},
		} {
			if _, err := e.orgs.CreateGrid(e.sys, g); err != nil {
				t.Fatal(err)
			}
		}
		rep, err := e.svc.Coverage(reader("410105001001"), community)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || len(rep.Grids) != 3 || len(rep.WithoutBoundary) != 1 || rep.WithoutBoundary[0] != "G-none" {
			t.Fatalf("got %+v", rep)
		}
		kinds := map[string]atlas.CoverageProblem{}
		for _, p := range rep.Problems {
			kinds[p.Kind] = p
			if p.AreaM2 <= 0 || len(p.Geometry) == 0 || string(p.Geometry) == "null" {
				t.Errorf("problem %+v has no area or outline", p)
			}
		}
		if len(rep.Problems) != 2 {
			t.Errorf("got %d problems, want a gap and an overlap: %+v", len(rep.Problems), rep.Problems)
		}
		// The gap is 0.01° × 0.004°, the overlap 0.002° × 0.016°: about
		// 914 m × 445 m and 183 m × 1780 m at 34.7° N.
		if g := kinds["gap"].AreaM2; g < 0.35e6 || g > 0.45e6 {
			t.Errorf("gap area %v m²", g)
		}
		if o := kinds["overlap"]; o.AreaM2 < 0.28e6 || o.AreaM2 > 0.36e6 || len(o.Grids) != 2 {
			t.Errorf("overlap %+v", o)
		}
		_, err = e.svc.Coverage(reader("410102"), community)
		orgtest.WantCode(t, err, apperr.NotFound)
		_, err = e.svc.Coverage(city, "410105001")
		orgtest.WantField(t, err, apperr.Invalid, "unit_code")
	})
}

func ptr[T any](v T) *T { return &v }
