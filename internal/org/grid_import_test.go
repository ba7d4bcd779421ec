package org_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// jinshuiGrids is a three-level grid set for 金水区, children first.
func jinshuiGrids() []org.GridInput {
	return []org.GridInput{
		{Code: "J3-1", Name: "经八路社区一网格", Level: 3, UnitCode: "410105001001", ParentGridCode: "J2-1"},
		{Code: "J3-2", Name: "黄河路社区一网格", Level: 3, UnitCode: "410105001002", ParentGridCode: "J2-1"},
		{Code: "J3-3", Name: "花园路社区一网格", Level: 3, UnitCode: "410105002001", ParentGridCode: "J2-2"},
		{Code: "J2-1", Name: "经八路街道网格", Level: 2, UnitCode: "410105001", ParentGridCode: "J1"},
		{Code: "J2-2", Name: "花园路街道网格", Level: 2, UnitCode: "410105002", ParentGridCode: "J1"},
		{Code: "J1", Name: "金水区网格", Level: 1, UnitCode: "410105", Boundary: json.RawMessage(square), BoundarySource: "测试"},
	}
}

func TestImportGrids(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		set := jinshuiGrids()
		res, err := f.svc.ImportGrids(ctx, set)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int]int{1: 1, 2: 2, 3: 3}; !reflect.DeepEqual(res.Created, want) {
			t.Errorf("got created %v, want %v", res.Created, want)
		}
		g, err := f.svc.Grid(ctx, "J1")
		if err != nil || string(g.Boundary) != square || g.UnitName != "金水区" {
			t.Errorf("got %+v %v, want J1 with its boundary", g, err)
		}
		if g, err := f.svc.Grid(ctx, "J3-2"); err != nil || g.ParentGridCode != "J2-1" {
			t.Errorf("got %+v %v, want parent J2-1", g, err)
		}
		res, err = f.svc.ImportGrids(ctx, set)
		if want := map[int]int{1: 1, 2: 2, 3: 3}; err != nil || !reflect.DeepEqual(res.Unchanged, want) ||
			len(res.Created)+len(res.Updated) != 0 {
			t.Errorf("second run: got %+v %v, want all unchanged", res, err)
		}
		if n := auditCount(t, d, "org.grid.import"); n != 1 {
			t.Errorf("got %d import entries, want 1", n)
		}
		set[1].Name = "黄河路社区第一网格"
		set[5].Boundary = nil
		res, err = f.svc.ImportGrids(ctx, set)
		if err != nil || res.Updated[3] != 1 || res.Updated[1] != 1 || res.Unchanged[2] != 2 {
			t.Errorf("third run: got %+v %v, want one level-1 and one level-3 grid updated", res, err)
		}
		if g, _ := f.svc.Grid(ctx, "J1"); g.Boundary != nil {
			t.Errorf("got boundary %s, want it removed", g.Boundary)
		}
	})
}

func TestImportGridsRejects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		with := func(i int, change func(*org.GridInput)) []org.GridInput {
			set := jinshuiGrids()
			change(&set[i])
			return set
		}
		tests := []struct {
			name  string
			in    []org.GridInput
			field string
		}{
			{"unit of another district", with(0, func(g *org.GridInput) { g.UnitCode = "410102001001"; g.ParentGridCode = "" }), "grids[0].unit_code"},
			{"unknown unit", with(0, func(g *org.GridInput) { g.UnitCode = "nope" }), "grids[0].unit_code"},
			{"department", with(0, func(g *org.GridInput) { g.UnitCode = "D410100-01"; g.ParentGridCode = "" }), "grids[0].unit_code"},
			{"parent of another street", with(2, func(g *org.GridInput) { g.ParentGridCode = "J2-1" }), "grids[2].parent_grid_code"},
			{"parent two levels up", with(0, func(g *org.GridInput) { g.ParentGridCode = "J1" }), "grids[0].parent_grid_code"},
			{"unknown parent", with(0, func(g *org.GridInput) { g.ParentGridCode = "nope" }), "grids[0].parent_grid_code"},
			{"duplicate code", with(1, func(g *org.GridInput) { g.Code = "J3-1" }), "grids[1].code"},
			{"bad boundary", with(5, func(g *org.GridInput) { g.Boundary = json.RawMessage(`{"type":"Point"}`) }), "grids[5].boundary"},
			{"level 4", with(0, func(g *org.GridInput) { g.Level = 4 }), "grids[0].level"},
			{"existing grid changes level", with(4, func(g *org.GridInput) { g.Code = "G410105001001" }), "grids[4].code"},
		}
		grids, audits := rowCount(t, d, "grids"), rowCount(t, d, "audit_log")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.ImportGrids(districtAdmin(), tt.in)
				wantField(t, err, tt.field)
			})
		}
		_, err := f.svc.ImportGrids(districtReader(), jinshuiGrids())
		wantCode(t, err, apperr.Forbidden)
		if got := rowCount(t, d, "grids"); got != grids {
			t.Errorf("got %d grids after failed imports, want %d", got, grids)
		}
		if got := rowCount(t, d, "audit_log"); got != audits {
			t.Errorf("got %d audit entries after failed imports, want %d", got, audits)
		}
	})
}
