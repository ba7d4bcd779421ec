package org_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

const square = `{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]]]}`

func TestGridBoundaryValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			name     string
			boundary string
			want     string // stored geometry, or "" for a rejected boundary
			problem  string // part of the message for a rejected one
		}{
			{"polygon is stored compactly", strings.ReplaceAll(square, ",", ", "), square, ""},
			{"feature keeps only its geometry",
				`{"type":"Feature","properties":{"name":"x"},"geometry":` + square + `}`, square, ""},
			{"multipolygon", `{"type":"MultiPolygon","coordinates":[[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.7]]]]}`,
				`{"type":"MultiPolygon","coordinates":[[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.7]]]]}`, ""},
			{"ring not closed", `{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8]]]}`, "", "not closed"},
			{"too few positions", `{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.7],[113.6,34.7]]]}`, "", "at least 4"},
			{"latitude out of range", `{"type":"Polygon","coordinates":[[[113.6,94.7],[113.7,34.7],[113.7,34.8],[113.6,94.7]]]}`, "", "latitude"},
			{"longitude out of range", `{"type":"Polygon","coordinates":[[[213.6,34.7],[113.7,34.7],[113.7,34.8],[213.6,34.7]]]}`, "", "longitude"},
			{"bow-tie crossing itself", `{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.8],[113.7,34.7],[113.6,34.8],[113.6,34.7]]]}`, "", "cross"},
			{"hole outside its shell", `{"type":"Polygon","coordinates":[[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]],[[113.8,34.7],[113.9,34.7],[113.9,34.8],[113.8,34.7]]]}`, "", "hole"},
			{"a point", `{"type":"Point","coordinates":[113.6,34.7]}`, "", "Polygon or MultiPolygon"},
			{"feature without geometry", `{"type":"Feature","geometry":null}`, "", "no geometry"},
			{"not JSON", `{"type":`, "", "GeoJSON"},
			{"strings for numbers", `{"type":"Polygon","coordinates":[[["a","b"]]]}`, "", "Polygon coordinates"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code := "GB" + string(rune('A'+i))
				g, err := f.svc.CreateGrid(f.sys, org.GridInput{Code: code, Name: "网格", Level: 3,
					UnitCode: "410105001002", Boundary: json.RawMessage(tt.boundary)})
				if tt.want == "" {
					wantField(t, err, "boundary")
					if msg := apperr.As(err).Fields["boundary"]; !strings.Contains(msg, tt.problem) {
						t.Errorf("got message %q, want it to mention %q", msg, tt.problem)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.svc.Grid(f.sys, code)
				if err != nil {
					t.Fatal(err)
				}
				if string(got.Boundary) != tt.want || string(g.Boundary) != tt.want {
					t.Errorf("got stored %s, want %s", got.Boundary, tt.want)
				}
			})
		}
	})
}

// gridLevels adds a level-1 grid for 金水区 and a level-2 grid under it
// for 经八路街道, as the district administrator.
func gridLevels(t *testing.T, f *fixture) {
	t.Helper()
	ctx := districtAdmin()
	if _, err := f.svc.CreateGrid(ctx, org.GridInput{Code: "G1-410105", Name: "金水一级", Level: 1, UnitCode: "410105"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateGrid(ctx, org.GridInput{Code: "G2-410105001", Name: "经八路二级", Level: 2,
		UnitCode: "410105001", ParentGridCode: "G1-410105", Boundary: json.RawMessage(square)}); err != nil {
		t.Fatal(err)
	}
}

func TestCreateGrid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gridLevels(t, f)
		ctx := districtAdmin()
		bad := []struct {
			name  string
			in    org.GridInput
			field string
		}{
			{"level 0", org.GridInput{Code: "X1", Name: "x", Level: 0, UnitCode: "410105001"}, "level"},
			{"level 4", org.GridInput{Code: "X1", Name: "x", Level: 4, UnitCode: "410105001"}, "level"},
			{"no unit", org.GridInput{Code: "X1", Name: "x", Level: 3}, "unit_code"},
			{"unit of another district", org.GridInput{Code: "X1", Name: "x", Level: 3, UnitCode: "410102001001"}, "unit_code"},
			{"unit is a department", org.GridInput{Code: "X1", Name: "x", Level: 3, UnitCode: "D410100-01"}, "unit_code"},
			{"parent grid of the wrong level", org.GridInput{Code: "X1", Name: "x", Level: 3, UnitCode: "410105001001", ParentGridCode: "G1-410105"}, "parent_grid_code"},
			{"parent grid of another branch", org.GridInput{Code: "X1", Name: "x", Level: 3, UnitCode: "410105002001", ParentGridCode: "G2-410105001"}, "parent_grid_code"},
			{"parent grid unknown", org.GridInput{Code: "X1", Name: "x", Level: 3, UnitCode: "410105001001", ParentGridCode: "nope"}, "parent_grid_code"},
			{"parent grid out of scope", org.GridInput{Code: "X1", Name: "x", Level: 2, UnitCode: "410105001", ParentGridCode: "G410102001001"}, "parent_grid_code"},
			{"bad code", org.GridInput{Code: "X 1", Name: "x", Level: 3, UnitCode: "410105001001"}, "code"},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateGrid(ctx, tt.in)
				wantField(t, err, tt.field)
			})
		}
		audits := rowCount(t, d, "audit_log")
		_, err := f.svc.CreateGrid(ctx, org.GridInput{Code: "G1-410105", Name: "x", Level: 1, UnitCode: "410105"})
		wantCode(t, err, apperr.Conflict)
		if got := rowCount(t, d, "audit_log"); got != audits {
			t.Errorf("got %d audit entries after a conflict, want %d", got, audits)
		}
		if n := auditCount(t, d, "org.grid.create"); n != 4 {
			t.Errorf("got %d grid create entries, want 4", n)
		}
	})
}

func TestGridScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		gridLevels(t, f)
		ctx := districtAdmin()
		g, err := f.svc.Grid(ctx, "G410105001001")
		if err != nil || g.UnitName != "经八路社区" || g.StaffCount != 1 {
			t.Errorf("got %+v %v, want unit 经八路社区 with 1 staff", g, err)
		}
		_, err = f.svc.Grid(ctx, "G410102001001")
		wantCode(t, err, apperr.NotFound)

		list := []struct {
			name string
			ctx  context.Context
			f    org.GridFilter
			want []string
		}{
			{"district admin sees their grids", ctx, org.GridFilter{}, []string{"G1-410105", "G2-410105001", "G410105001001"}},
			{"system sees all level 3", f.sys, org.GridFilter{Level: 3}, []string{"G410102001001", "G410105001001"}},
			{"under a street", ctx, org.GridFilter{UnitCode: "410105001"}, []string{"G2-410105001", "G410105001001"}},
			{"under another district", ctx, org.GridFilter{UnitCode: "410102"}, []string{}},
			{"by name", f.sys, org.GridFilter{Q: "林山寨"}, []string{"G410102001001"}},
		}
		for _, tt := range list {
			t.Run(tt.name, func(t *testing.T) {
				gs, total, err := f.svc.Grids(tt.ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, g := range gs {
					got = append(got, g.Code)
					if g.Boundary != nil {
						t.Errorf("grid %s: got a boundary in a list without WithBoundary", g.Code)
					}
				}
				if !reflect.DeepEqual(got, tt.want) || total != len(tt.want) {
					t.Errorf("got %v (total %d), want %v", got, total, tt.want)
				}
			})
		}
		gs, _, err := f.svc.Grids(ctx, org.GridFilter{UnitCode: "410105001", Level: 2, WithBoundary: true})
		if err != nil || len(gs) != 1 || string(gs[0].Boundary) != square {
			t.Errorf("got %+v %v, want the level-2 grid with its boundary", gs, err)
		}
		_, _, err = f.svc.Grids(ctx, org.GridFilter{Level: 7})
		wantField(t, err, "level")
	})
}

func TestUpdateDeleteGrid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		b := json.RawMessage(square)
		src := "民政区划"
		g, err := f.svc.UpdateGrid(ctx, "G410105001001", org.GridUpdate{Boundary: &b, BoundarySource: &src})
		if err != nil || string(g.Boundary) != square || g.BoundarySource != src {
			t.Fatalf("got %+v %v, want the boundary set", g, err)
		}
		null := json.RawMessage("null")
		if g, err = f.svc.UpdateGrid(ctx, "G410105001001", org.GridUpdate{Boundary: &null}); err != nil || g.Boundary != nil {
			t.Fatalf("got %s %v, want the boundary removed", g.Boundary, err)
		}
		if got, _ := f.svc.Grid(ctx, "G410105001001"); got.Boundary != nil {
			t.Errorf("got stored boundary %s, want none", got.Boundary)
		}
		broken := json.RawMessage(`{"type":"Polygon","coordinates":[]}`)
		_, err = f.svc.UpdateGrid(ctx, "G410105001001", org.GridUpdate{Boundary: &broken})
		wantField(t, err, "boundary")
		_, err = f.svc.UpdateGrid(ctx, "G410102001001", org.GridUpdate{BoundarySource: &src})
		wantCode(t, err, apperr.NotFound)
		if n := auditCount(t, d, "org.grid.update"); n != 2 {
			t.Errorf("got %d grid update entries, want 2", n)
		}

		if _, err := f.svc.CreateGrid(f.sys, org.GridInput{Code: "P2", Name: "二级", Level: 2, UnitCode: "410105001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateGrid(f.sys, org.GridInput{Code: "C3", Name: "三级", Level: 3, UnitCode: "410105001002", ParentGridCode: "P2"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.DeleteGrid(ctx, "P2"), apperr.Conflict)
		wantCode(t, f.svc.DeleteGrid(ctx, "G410102001001"), apperr.NotFound)
		wantCode(t, f.svc.DeleteGrid(districtReader(), "C3"), apperr.Forbidden)
		wantCode(t, f.svc.DeleteGrid(ctx, "C3"), "")
		wantCode(t, f.svc.DeleteGrid(ctx, "P2"), "")
		// Deleting a grid releases the staff responsible for it.
		wantCode(t, f.svc.DeleteGrid(ctx, "G410105001001"), "")
		s, err := f.svc.StaffMember(ctx, f.staffJS.ID)
		if err != nil || len(s.GridCodes) != 0 {
			t.Errorf("got grids %v %v, want none", s.GridCodes, err)
		}
		if n := auditCount(t, d, "org.grid.delete"); n != 3 {
			t.Errorf("got %d grid delete entries, want 3", n)
		}
	})
}
