package org_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// importSet is a city with districts × streets × communities, children
// listed before parents to show that input order does not matter.
func importSet(city string, districts, streets, communities int) []org.UnitInput {
	var out []org.UnitInput
	for d := 1; d <= districts; d++ {
		dc := fmt.Sprintf("%s%02d", city[:4], d)
		for s := 1; s <= streets; s++ {
			sc := fmt.Sprintf("%s%03d", dc, s)
			for c := 1; c <= communities; c++ {
				out = append(out, org.UnitInput{Code: fmt.Sprintf("%s%03d", sc, c), Name: fmt.Sprintf("社区%d-%d-%d", d, s, c),
					Level: org.Community, ParentCode: sc, Sort: c})
			}
			out = append(out, org.UnitInput{Code: sc, Name: fmt.Sprintf("街道%d-%d", d, s), Level: org.Street, ParentCode: dc, Sort: s})
		}
		out = append(out, org.UnitInput{Code: dc, Name: fmt.Sprintf("区%d", d), Level: org.District, ParentCode: city, Sort: d})
	}
	return append(out, org.UnitInput{Code: city, Name: "测试市", Level: org.City})
}

func TestImportUnits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		set := importSet("420100", 3, 4, 5)
		res, err := f.svc.ImportUnits(f.sys, set)
		if err != nil {
			t.Fatal(err)
		}
		want := map[org.Level]int{org.City: 1, org.District: 3, org.Street: 12, org.Community: 60}
		if !reflect.DeepEqual(res.Created, want) || len(res.Updated)+len(res.Unchanged) != 0 {
			t.Errorf("first run: got %+v, want created %v only", res, want)
		}
		got, err := f.svc.CountUnder(context.Background(), "420100")
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got counts %v %v, want %v", got, err, want)
		}
		u, err := f.svc.Unit(f.sys, "420101002003")
		if err != nil || u.Path != "/420100/420101/420101002/420101002003/" {
			t.Errorf("got %q %v, want path /420100/420101/420101002/420101002003/", u.Path, err)
		}
		if n := auditCount(t, d, "org.unit.import"); n != 1 {
			t.Errorf("got %d import entries, want 1", n)
		}

		// A second identical run changes nothing, updated_at included.
		f.clk.Advance(time.Hour)
		res, err = f.svc.ImportUnits(f.sys, set)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Unchanged, want) || len(res.Created)+len(res.Updated) != 0 {
			t.Errorf("second run: got %+v, want unchanged %v only", res, want)
		}
		var changedSince int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM org_units WHERE updated_at > ?`,
			f.clk.Now().Add(-time.Minute)).Scan(&changedSince); err != nil || changedSince != 0 {
			t.Errorf("got %d units touched by an unchanged import (%v), want 0", changedSince, err)
		}
		if n := auditCount(t, d, "org.unit.import"); n != 1 {
			t.Errorf("got %d import entries after a no-op run, want 1", n)
		}

		// A renamed street and a new community.
		set[5].Name = "新名字街道"
		set = append(set, org.UnitInput{Code: "420101001999", Name: "新社区", Level: org.Community, ParentCode: "420101001"})
		res, err = f.svc.ImportUnits(f.sys, set)
		if err != nil {
			t.Fatal(err)
		}
		if res.Updated[org.Street] != 1 || res.Created[org.Community] != 1 || res.Unchanged[org.Community] != 60 {
			t.Errorf("third run: got %+v, want 1 street updated, 1 community created, 60 unchanged", res)
		}
		if n := auditCount(t, d, "org.unit.import"); n != 2 {
			t.Errorf("got %d import entries, want 2", n)
		}
	})
}

func TestImportUnitsMove(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// 经八路街道 moves from 金水区 to 中原区, with its communities.
		res, err := f.svc.ImportUnits(f.sys, []org.UnitInput{
			{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410102"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Updated[org.Street] != 1 {
			t.Errorf("got %+v, want one street updated", res)
		}
		p, err := f.svc.UnitPath(context.Background(), "410105001002")
		if err != nil || p != "/410100/410102/410105001/410105001002/" {
			t.Errorf("got %q %v, want the community moved along", p, err)
		}
		_, err = f.svc.Unit(districtAdmin(), "410105001002")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestImportUnitsRejects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		good := org.UnitInput{Code: "410105777", Name: "好街道", Level: org.Street, ParentCode: "410105"}
		tests := []struct {
			name  string
			ctx   context.Context
			in    []org.UnitInput
			field string
			code  apperr.Code
		}{
			{"bad code in the second row", f.sys, []org.UnitInput{good, {Code: "4101 05", Name: "x", Level: org.Street, ParentCode: "410105"}},
				"units[1].code", apperr.Invalid},
			{"missing name", f.sys, []org.UnitInput{good, {Code: "410105778", Level: org.Street, ParentCode: "410105"}},
				"units[1].name", apperr.Invalid},
			{"duplicate code", f.sys, []org.UnitInput{good, good}, "units[1].code", apperr.Invalid},
			{"unknown parent", f.sys, []org.UnitInput{good, {Code: "410105778", Name: "x", Level: org.Community, ParentCode: "410105999"}},
				"units[1].parent_code", apperr.Invalid},
			{"wrong level under parent", f.sys, []org.UnitInput{good, {Code: "410105778", Name: "x", Level: org.Community, ParentCode: "410105"}},
				"units[1].parent_code", apperr.Invalid},
			{"cycle", f.sys, []org.UnitInput{{Code: "A1", Name: "a", Level: org.Street, ParentCode: "B1"},
				{Code: "B1", Name: "b", Level: org.District, ParentCode: "A1"}}, "units[0].parent_code", apperr.Invalid},
			{"district admin under another district", districtAdmin(), []org.UnitInput{good,
				{Code: "410102778", Name: "x", Level: org.Street, ParentCode: "410102"}}, "units[1].parent_code", apperr.Invalid},
			{"district admin renaming another district's unit", districtAdmin(), []org.UnitInput{
				{Code: "410102001", Name: "x", Level: org.Street, ParentCode: "410105"}}, "units[0].code", apperr.Invalid},
			{"case-folded twin of an existing code", f.sys, []org.UnitInput{{Code: "d410100-01", Name: "x", Kind: org.Department, ParentCode: "410100"}},
				"", apperr.Conflict},
			{"read-only actor", districtReader(), []org.UnitInput{good}, "", apperr.Forbidden},
		}
		units, audits := rowCount(t, d, "org_units"), rowCount(t, d, "audit_log")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.ImportUnits(tt.ctx, tt.in)
				wantCode(t, err, tt.code)
				if tt.field != "" {
					wantField(t, err, tt.field)
				}
			})
		}
		if got := rowCount(t, d, "org_units"); got != units {
			t.Errorf("got %d units after failed imports, want %d (nothing half-written)", got, units)
		}
		if got := rowCount(t, d, "audit_log"); got != audits {
			t.Errorf("got %d audit entries after failed imports, want %d", got, audits)
		}
		// The district admin may import under their own district.
		res, err := f.svc.ImportUnits(districtAdmin(), []org.UnitInput{good})
		if err != nil || res.Created[org.Street] != 1 {
			t.Errorf("got %+v %v, want one street created", res, err)
		}
	})
}
