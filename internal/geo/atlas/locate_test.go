package atlas_test

import (
	"context"
	"encoding/json"
	"math/rand"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"

	"github.com/paulmach/orb"
)

func TestLocateAndGridLayer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for code, b := range map[string]json.RawMessage{orgtest.GridJBL: square(113.60, 34.70, 0.01, 0.01),
			orgtest.GridLSZ: square(113.50, 34.70, 0.01, 0.01)} {
			if _, err := e.orgs.UpdateGrid(e.sys, code, org.GridUpdate{Boundary: ptr(b)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.orgs.CreateStaff(e.sys, org.StaffInput{Name: "张网格", UnitCode: "410105001001", Team: "grid_leader",
			GridCodes: []string{orgtest.GridJBL}})
		if err != nil {
			t.Fatal(err)
		}
		anyone := orgtest.As("410102001001", rbac.GridRead)
		got, err := e.svc.Locate(anyone, 34.705, 113.605, "wgs84")
		if err != nil || got != (atlas.Located{GridCode: orgtest.GridJBL, UnitCode: "410105001001"}) {
			t.Fatalf("got %+v, %v", got, err)
		}
		glat, glng := geo.WGS84ToGCJ02(34.705, 113.605)
		if got, err := e.svc.Locate(anyone, glat, glng, "gcj02"); err != nil || got.GridCode != orgtest.GridJBL {
			t.Errorf("gcj02: %+v, %v", got, err)
		}
		_, err = e.svc.Locate(anyone, 34.9, 113.9, "")
		orgtest.WantCode(t, err, apperr.NotFound)
		_, err = e.svc.Locate(anyone, 95, 113.9, "")
		orgtest.WantField(t, err, apperr.Invalid, "lat")
		_, err = e.svc.Locate(orgtest.As("410100", rbac.CaseRead), 34.705, 113.605, "")
		orgtest.WantCode(t, err, apperr.Forbidden)

		layer, err := e.svc.GridsGeoJSON(reader("410100"), atlas.GridMapFilter{})
		if err != nil || layer.Total != 2 {
			t.Fatalf("got %+v, %v", layer, err)
		}
		f := layer.Features[0]
		if f.Code != orgtest.GridLSZ || layer.Features[1].UnitName != "经八路社区" {
			t.Errorf("got %+v", layer.Features)
		}
		if l := layer.Features[1]; len(l.Leaders) != 1 || l.Leaders[0] != "张网格" || len(l.Staff) != 1 {
			t.Errorf("staff: %+v", l)
		}
		box, _ := atlas.ParseBBox("113.595,34.695,113.7,34.8")
		layer, _ = e.svc.GridsGeoJSON(reader("410100"), atlas.GridMapFilter{BBox: box})
		if layer.Total != 1 || layer.Features[0].Code != orgtest.GridJBL {
			t.Errorf("bbox: %+v", layer)
		}
		layer, _ = e.svc.GridsGeoJSON(reader("410102"), atlas.GridMapFilter{})
		if layer.Total != 1 || layer.Features[0].Code != orgtest.GridLSZ {
			t.Errorf("scope: %+v", layer)
		}
		layer, _ = e.svc.GridsGeoJSON(reader("410100"), atlas.GridMapFilter{Limit: 1, Offset: 1})
		if layer.Total != 2 || len(layer.Features) != 1 || layer.Features[0].Code != orgtest.GridJBL {
			t.Errorf("paging: %+v", layer)
		}
		if _, err := atlas.ParseBBox("1,2,3"); err == nil {
			t.Error("a three-number bbox passed")
		}
	})
}

// TestPostGISLocate compares gridgov_locate with geo.Index on random points
// over a synthetic tiling with a level-2 grid on top (PostgreSQL only).
func TestPostGISLocate(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	e := newEnv(t, d)
	if !e.svc.PostGIS() {
		t.Skip("PostGIS extension cannot be created on this server (see the log line of Start)")
	}
	tiles := geo.SynthTiling(7, 40)
	var shapes []geo.GridShape
	for _, g := range tiles {
		in := org.GridInput{Code: g.Code, Name: g.Code, Level: 3, UnitCode: "410105001001", Boundary: g.Geometry}
		if _, err := e.orgs.CreateGrid(e.sys, in); err != nil {
			t.Fatal(err)
		}
	}
	all, err := e.orgs.GridShapes(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	bound := geoBound(t, all)
	// A level-2 grid over the middle of the extent wins nowhere (level 3 is
	// deeper) except where no level-3 grid is.
	mid := square(bound.Min[0]+0.3*(bound.Max[0]-bound.Min[0]), bound.Min[1]+0.3*(bound.Max[1]-bound.Min[1]),
		0.6*(bound.Max[0]-bound.Min[0]), 0.6*(bound.Max[1]-bound.Min[1]))
	if _, err := e.orgs.CreateGrid(e.sys, org.GridInput{Code: "L2", Name: "二级", Level: 2, UnitCode: "410105001", Boundary: mid}); err != nil {
		t.Fatal(err)
	}
	// Move one grid after start: the trigger keeps grid_geoms in step.
	if _, err := e.orgs.UpdateGrid(e.sys, tiles[0].Code, org.GridUpdate{Boundary: ptr(square(bound.Max[0]+0.01, bound.Min[1], 0.02, 0.02))}); err != nil {
		t.Fatal(err)
	}
	if err := e.orgs.DeleteGrid(e.sys, tiles[1].Code); err != nil {
		t.Fatal(err)
	}
	shapes, err = e.orgs.GridShapes(e.sys)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(shapes)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.PostGISStatus(e.sys)
	if err != nil || st.Grids != len(shapes) {
		t.Fatalf("status %+v, %v; want %d grids", st, err, len(shapes))
	}
	rng := rand.New(rand.NewSource(1))
	w, h := bound.Max[0]-bound.Min[0]+0.04, bound.Max[1]-bound.Min[1]+0.02
	found := 0
	for i := 0; i < 400; i++ {
		lng, lat := bound.Min[0]-0.01+rng.Float64()*w, bound.Min[1]-0.01+rng.Float64()*h
		want, wok := ix.Locate(lat, lng)
		got, gok, err := e.svc.LocateSQL(context.Background(), lat, lng)
		if err != nil {
			t.Fatal(err)
		}
		if wok != gok || got.GridCode != want.Code || (gok && got.UnitCode != want.UnitCode) {
			t.Fatalf("point %v,%v: PostGIS %+v %v, index %s %v", lat, lng, got, gok, want.Code, wok)
		}
		if wok {
			found++
		}
	}
	if found < 100 {
		t.Errorf("only %d of 400 points in a grid: the test says little", found)
	}
}

// geoBound is the bounding box of the grids' boundaries.
func geoBound(t *testing.T, shapes []geo.GridShape) orb.Bound {
	t.Helper()
	var b orb.Bound
	for i, s := range shapes {
		g, err := geo.ParseBoundary(s.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			b = g.Bound()
		} else {
			b = b.Union(g.Bound())
		}
	}
	return b
}
