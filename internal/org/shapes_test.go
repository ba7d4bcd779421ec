package org_test

import (
	"encoding/json"
	"testing"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/org"
)

func TestGridShapesFeedTheLocator(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		v1, err := f.svc.GridsVersion(f.sys)
		if err != nil {
			t.Fatal(err)
		}
		square := `{"type":"Polygon","coordinates":[[[113.60,34.70],[113.70,34.70],[113.70,34.80],[113.60,34.80],[113.60,34.70]]]}`
		if _, err := f.svc.CreateGrid(f.sys, org.GridInput{Code: "SHAPE-1", Name: "方格", Level: 3,
			UnitCode: "410105001002", Boundary: json.RawMessage(square)}); err != nil {
			t.Fatal(err)
		}
		v2, _ := f.svc.GridsVersion(f.sys)
		if v1 == v2 {
			t.Errorf("version unchanged after a new grid: %s", v2)
		}
		f.clk.Advance(time.Minute)
		name := "改名"
		if _, err := f.svc.UpdateGrid(f.sys, "SHAPE-1", org.GridUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if v3, _ := f.svc.GridsVersion(f.sys); v3 == v2 {
			t.Errorf("version unchanged after an update: %s", v3)
		}
		loc := geo.NewLocator(f.svc)
		g, ok, err := loc.Locate(f.sys, 34.75, 113.65)
		if err != nil || !ok || g.Code != "SHAPE-1" || g.UnitCode != "410105001002" || g.Level != 3 {
			t.Errorf("inside: got %+v ok=%v err=%v, want SHAPE-1 of 410105001002", g, ok, err)
		}
		if _, ok, _ := loc.Locate(f.sys, 34.95, 113.65); ok {
			t.Error("outside every grid: got a grid, want none")
		}
	})
}

func TestFreshLocatorSeesNewGrids(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		loc := geo.NewFreshLocator(f.svc, time.Second, f.clk.Now)
		if _, ok, err := loc.GridCode(f.sys, 34.75, 113.65); err != nil || ok {
			t.Fatalf("before any boundary: got ok=%v err=%v, want no grid", ok, err)
		}
		square := `{"type":"Polygon","coordinates":[[[113.60,34.70],[113.70,34.70],[113.70,34.80],[113.60,34.80],[113.60,34.70]]]}`
		if _, err := f.svc.CreateGrid(f.sys, org.GridInput{Code: "SHAPE-2", Name: "方格", Level: 3,
			UnitCode: "410105001002", Boundary: json.RawMessage(square)}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := loc.GridCode(f.sys, 34.75, 113.65); ok {
			t.Error("within the check interval: got the new grid, want the cached answer")
		}
		f.clk.Advance(2 * time.Second)
		if code, ok, err := loc.GridCode(f.sys, 34.75, 113.65); err != nil || !ok || code != "SHAPE-2" {
			t.Errorf("after the interval: got %q ok=%v err=%v, want SHAPE-2", code, ok, err)
		}
	})
}
