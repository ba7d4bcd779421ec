package org_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"0371-12345678", "0371-****5678"},
		{"037112345678", "037*****5678"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := org.MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStaffValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		ok := org.StaffInput{Name: "王芳", UnitCode: "410105001001"}
		with := func(change func(*org.StaffInput)) org.StaffInput { in := ok; change(&in); return in }
		tests := []struct {
			name  string
			in    org.StaffInput
			field string
		}{
			{"no name", with(func(in *org.StaffInput) { in.Name = " " }), "name"},
			{"short mobile", with(func(in *org.StaffInput) { in.Phone = "1381234567" }), "phone"},
			{"mobile starting 12", with(func(in *org.StaffInput) { in.Phone = "12812345678" }), "phone"},
			{"letters", with(func(in *org.StaffInput) { in.Phone = "call me" }), "phone"},
			{"unknown team", with(func(in *org.StaffInput) { in.Team = "cleaners" }), "team"},
			{"no unit", with(func(in *org.StaffInput) { in.UnitCode = "" }), "unit_code"},
			{"unit of another district", with(func(in *org.StaffInput) { in.UnitCode = "410102001001" }), "unit_code"},
			{"unknown grid", with(func(in *org.StaffInput) { in.GridCodes = []string{"nope"} }), "grid_codes"},
			{"grid of another district", with(func(in *org.StaffInput) { in.GridCodes = []string{"G410102001001"} }), "grid_codes"},
		}
		before := rowCount(t, d, "staff")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateStaff(ctx, tt.in)
				wantField(t, err, tt.field)
			})
		}
		if got := rowCount(t, d, "staff"); got != before {
			t.Errorf("got %d staff after failed creates, want %d", got, before)
		}
		// The platform may not put a community's worker on another district's grid either.
		_, err := f.svc.CreateStaff(f.sys, with(func(in *org.StaffInput) { in.GridCodes = []string{"G410102001001"} }))
		wantField(t, err, "grid_codes")
		for _, phone := range []string{"13912345678", "0371-66668888", "037166668888", "010-1234567"} {
			if _, err := f.svc.CreateStaff(ctx, with(func(in *org.StaffInput) { in.Phone = phone })); err != nil {
				t.Errorf("phone %s: got %v, want it accepted", phone, err)
			}
		}
	})
}

func TestStaffScopeAndMasking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			name      string
			ctx       context.Context
			id        int64
			wantErr   apperr.Code
			wantPhone string
		}{
			{"admin sees the full phone", districtAdmin(), f.staffJS.ID, "", "13812345678"},
			{"reader sees it masked", districtReader(), f.staffJS.ID, "", "138****5678"},
			{"system sees it in full", f.sys, f.staffZY.ID, "", "0371-66668888"},
			{"another district is not found", districtAdmin(), f.staffZY.ID, apperr.NotFound, ""},
			{"a missing id is not found", districtAdmin(), 99999, apperr.NotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, err := f.svc.StaffMember(tt.ctx, tt.id)
				wantCode(t, err, tt.wantErr)
				if err == nil && s.Phone != tt.wantPhone {
					t.Errorf("got phone %q, want %q", s.Phone, tt.wantPhone)
				}
			})
		}
		list, total, err := f.svc.Staff(districtReader(), org.StaffFilter{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("got %d staff (total %d) %v, want 1", len(list), total, err)
		}
		if list[0].Phone != "138****5678" || !reflect.DeepEqual(list[0].GridCodes, []string{"G410105001001"}) {
			t.Errorf("got %+v, want masked phone and grid G410105001001", list[0])
		}
		yes, no := true, false
		filters := []struct {
			name string
			f    org.StaffFilter
			want int
		}{
			{"all", org.StaffFilter{}, 2},
			{"by unit", org.StaffFilter{UnitCode: "410102"}, 1},
			{"by grid", org.StaffFilter{GridCode: "G410105001001"}, 1},
			{"by team", org.StaffFilter{Team: org.GridLeader}, 1},
			{"by name", org.StaffFilter{Q: "李"}, 1},
			{"phones are not searchable", org.StaffFilter{Q: "1381"}, 0},
			{"active", org.StaffFilter{Active: &yes}, 2},
			{"inactive", org.StaffFilter{Active: &no}, 0},
		}
		for _, tt := range filters {
			t.Run(tt.name, func(t *testing.T) {
				_, total, err := f.svc.Staff(f.sys, tt.f)
				if err != nil || total != tt.want {
					t.Errorf("got total %d %v, want %d", total, err, tt.want)
				}
			})
		}
		_, _, err = f.svc.Staff(f.sys, org.StaffFilter{Team: "x"})
		wantField(t, err, "team")
	})
}

func TestUpdateStaff(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		if _, err := f.svc.CreateGrid(ctx, org.GridInput{Code: "G410105001002", Name: "黄河路网格", Level: 3, UnitCode: "410105001002"}); err != nil {
			t.Fatal(err)
		}
		grids := []string{"G410105001002", "G410105001001", "G410105001002"}
		phone, inactive := "13900001111", false
		s, err := f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{GridCodes: &grids, Phone: &phone, Active: &inactive})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"G410105001001", "G410105001002"}; !reflect.DeepEqual(s.GridCodes, want) || s.Active {
			t.Errorf("got grids %v active %v, want %v inactive", s.GridCodes, s.Active, want)
		}
		got, err := f.svc.StaffMember(ctx, f.staffJS.ID)
		if err != nil || got.Phone != phone || got.Active || len(got.GridCodes) != 2 {
			t.Errorf("got %+v %v, want the update stored", got, err)
		}
		var detail string
		if err := d.QueryRow(context.Background(), `SELECT detail FROM audit_log WHERE action = ?`, "org.staff.update").Scan(&detail); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(detail, "13900001111") || strings.Contains(detail, "13812345678") || !strings.Contains(detail, "139****1111") {
			t.Errorf("got audit detail %s, want masked phones only", detail)
		}

		none := []string{}
		if s, err = f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{GridCodes: &none}); err != nil || len(s.GridCodes) != 0 {
			t.Errorf("got %v %v, want no grids", s.GridCodes, err)
		}
		bad := []string{"G410102001001"}
		_, err = f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{GridCodes: &bad})
		wantField(t, err, "grid_codes")
		other := "410102001001"
		_, err = f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{UnitCode: &other})
		wantField(t, err, "unit_code")
		_, err = f.svc.UpdateStaff(ctx, f.staffZY.ID, org.StaffUpdate{Phone: &phone})
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.UpdateStaff(districtReader(), f.staffJS.ID, org.StaffUpdate{Phone: &phone})
		wantCode(t, err, apperr.Forbidden)
		badPhone := "123"
		_, err = f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{Phone: &badPhone})
		wantField(t, err, "phone")
		if n := auditCount(t, d, "org.staff.update"); n != 2 {
			t.Errorf("got %d staff update entries, want 2", n)
		}
	})
}

func TestStaffMoves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		var s org.Staff
		var err error
		// Moving to a street keeps their grids valid in the street's area.
		street := "410105001"
		back := []string{"G410105001001"}
		if s, err = f.svc.UpdateStaff(ctx, f.staffJS.ID, org.StaffUpdate{UnitCode: &street, GridCodes: &back}); err != nil ||
			s.UnitCode != street || s.UnitName != "经八路街道" {
			t.Errorf("got %+v %v, want moved to %s", s, err, street)
		}
		// Moving without new grids keeps the old ones only where they still fit.
		away := "410102001001"
		_, err = f.svc.UpdateStaff(f.sys, f.staffJS.ID, org.StaffUpdate{UnitCode: &away})
		wantField(t, err, "grid_codes")
		if n := auditCount(t, d, "org.staff.update"); n != 1 {
			t.Errorf("got %d staff update entries, want 1", n)
		}
		if n := auditCount(t, d, "org.staff.create"); n != 2 {
			t.Errorf("got %d staff create entries, want 2", n)
		}
		// A department's staff may serve grids of the territory it serves.
		dep, err := f.svc.CreateStaff(f.sys, org.StaffInput{Name: "赵强", UnitCode: "D410100-01-1", Team: org.Deployed,
			GridCodes: []string{"G410102001001", "G410105001001"}})
		if err != nil || len(dep.GridCodes) != 2 {
			t.Errorf("got %+v %v, want a deployed city officer on two grids", dep, err)
		}
		res, err := f.log.Verify(context.Background())
		if err != nil || !res.OK {
			t.Errorf("audit chain: %+v %v", res, err)
		}
	})
}
