package org_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

func TestUnitScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		noOrg := as("410105", "/410100/410105/", rbac.GridRead)
		tests := []struct {
			name string
			ctx  context.Context
			code string
			want apperr.Code
		}{
			{"system reads the city", f.sys, "410100", ""},
			{"district admin reads own district", districtAdmin(), "410105", ""},
			{"district admin reads own community", districtAdmin(), "410105001001", ""},
			{"district admin gets 404 for another district", districtAdmin(), "410102", apperr.NotFound},
			{"district admin gets 404 for another district's community", districtAdmin(), "410102001001", apperr.NotFound},
			{"district admin gets 404 for the city above", districtAdmin(), "410100", apperr.NotFound},
			{"district admin gets 404 for a missing code", districtAdmin(), "410199", apperr.NotFound},
			{"out of scope and missing answer alike", districtAdmin(), "no-such-unit", apperr.NotFound},
			{"without org.read anywhere", noOrg, "410105", apperr.Forbidden},
			{"without an actor", context.Background(), "410105", apperr.Unauthenticated},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u, err := f.svc.Unit(tt.ctx, tt.code)
				wantCode(t, err, tt.want)
				if tt.want == "" && u.Code != tt.code {
					t.Errorf("got unit %q, want %q", u.Code, tt.code)
				}
			})
		}
	})
}

func TestDescendantCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			code string
			want map[string]int
		}{
			{"410100", map[string]int{"district": 2, "street": 3, "community": 4}},
			{"410105", map[string]int{"street": 2, "community": 3}},
			{"410102", map[string]int{"street": 1, "community": 1}},
			{"410105001", map[string]int{"community": 2}},
			{"410105002001", nil},
			{"D410100-01", nil},
		}
		for _, tt := range tests {
			t.Run(tt.code, func(t *testing.T) {
				u, err := f.svc.Unit(f.sys, tt.code)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(u.DescendantCounts, tt.want) {
					t.Errorf("got %v, want %v", u.DescendantCounts, tt.want)
				}
			})
		}
		u, err := f.svc.Unit(f.sys, "410100")
		if err != nil {
			t.Fatal(err)
		}
		if u.ChildCount != 3 || u.Level != org.City || u.ParentCode != "" {
			t.Errorf("got child_count %d level %s parent %q, want 3 city \"\"", u.ChildCount, u.Level, u.ParentCode)
		}
	})
}

func codesOf(us []org.Unit) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Code)
	}
	return out
}

func TestUnitsList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			name      string
			ctx       context.Context
			filter    org.UnitFilter
			want      []string
			wantTotal int
		}{
			{"system: children of the city by sort", f.sys, org.UnitFilter{ParentCode: "410100"},
				[]string{"410102", "410105", "D410100-01"}, 3},
			{"district admin: children of the city are only their district", districtAdmin(),
				org.UnitFilter{ParentCode: "410100"}, []string{"410105"}, 1},
			{"district admin: communities in scope only", districtAdmin(), org.UnitFilter{Level: org.Community},
				[]string{"410105001001", "410105001002", "410105002001"}, 3},
			{"system: every community", f.sys, org.UnitFilter{Level: org.Community, Limit: 2},
				[]string{"410102001001", "410105001001"}, 4},
			{"system: second page", f.sys, org.UnitFilter{Level: org.Community, Limit: 2, Offset: 2},
				[]string{"410105001002", "410105002001"}, 4},
			{"under a street", f.sys, org.UnitFilter{Under: "410105001"},
				[]string{"410105001001", "410105001002"}, 2},
			{"district admin under another district sees nothing", districtAdmin(),
				org.UnitFilter{Under: "410102"}, []string{}, 0},
			{"under a missing unit is empty", f.sys, org.UnitFilter{Under: "nope"}, []string{}, 0},
			{"departments", f.sys, org.UnitFilter{Kind: org.Department}, []string{"D410100-01"}, 1},
			{"search by name", f.sys, org.UnitFilter{Q: "花园路"}, []string{"410105002", "410105002001"}, 2},
			{"search wildcard is literal", f.sys, org.UnitFilter{Q: "%"}, []string{}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				us, total, err := f.svc.Units(tt.ctx, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := codesOf(us); !reflect.DeepEqual(got, tt.want) || total != tt.wantTotal {
					t.Errorf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.wantTotal)
				}
			})
		}
		us, _, err := f.svc.Units(f.sys, org.UnitFilter{ParentCode: "410105"})
		if err != nil {
			t.Fatal(err)
		}
		if len(us) != 2 || us[0].ChildCount != 2 || us[1].ChildCount != 1 {
			t.Errorf("got child counts %+v, want 410105001: 2, 410105002: 1", us)
		}
		for _, bad := range []struct {
			f     org.UnitFilter
			field string
		}{{org.UnitFilter{Level: "province"}, "level"}, {org.UnitFilter{Kind: "shop"}, "kind"},
			{org.UnitFilter{Limit: -1}, "limit"}, {org.UnitFilter{Offset: -5}, "offset"},
			{org.UnitFilter{Q: strings.Repeat("区", 101)}, "q"}} {
			_, _, err := f.svc.Units(f.sys, bad.f)
			wantField(t, err, bad.field)
		}
	})
}

func TestAncestors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			name string
			ctx  context.Context
			code string
			want []string
			err  apperr.Code
		}{
			{"system sees the whole chain", f.sys, "410105001001", []string{"410100", "410105", "410105001"}, ""},
			{"district admin sees from their district", districtAdmin(), "410105001001", []string{"410105", "410105001"}, ""},
			{"the root has none", f.sys, "410100", []string{}, ""},
			{"out of scope is not found", districtAdmin(), "410102001", nil, apperr.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				us, err := f.svc.Ancestors(tt.ctx, tt.code)
				wantCode(t, err, tt.err)
				if tt.err == "" && !reflect.DeepEqual(codesOf(us), tt.want) {
					t.Errorf("got %v, want %v", codesOf(us), tt.want)
				}
			})
		}
	})
}

func TestCreateUnitValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tests := []struct {
			name  string
			ctx   context.Context
			in    org.UnitInput
			field string
		}{
			{"empty code", f.sys, org.UnitInput{Name: "x", Level: org.Street, ParentCode: "410105"}, "code"},
			{"code with a wildcard", f.sys, org.UnitInput{Code: "41%", Name: "x", Level: org.Street, ParentCode: "410105"}, "code"},
			{"code with a slash", f.sys, org.UnitInput{Code: "4/1", Name: "x", Level: org.Street, ParentCode: "410105"}, "code"},
			{"code too long", f.sys, org.UnitInput{Code: strings.Repeat("1", 33), Name: "x", Level: org.Street, ParentCode: "410105"}, "code"},
			{"blank name", f.sys, org.UnitInput{Code: "410105009", Name: "  ", Level: org.Street, ParentCode: "410105"}, "name"},
			{"name too long", f.sys, org.UnitInput{Code: "410105009", Name: strings.Repeat("街", 101), Level: org.Street, ParentCode: "410105"}, "name"},
			{"unknown level", f.sys, org.UnitInput{Code: "410105009", Name: "x", Level: "town", ParentCode: "410105"}, "level"},
			{"unknown kind", f.sys, org.UnitInput{Code: "410105009", Name: "x", Kind: "shop", ParentCode: "410105"}, "kind"},
			{"unknown parent", f.sys, org.UnitInput{Code: "410105009", Name: "x", Level: org.Street, ParentCode: "419999"}, "parent_code"},
			{"street under a city", f.sys, org.UnitInput{Code: "410100009", Name: "x", Level: org.Street, ParentCode: "410100"}, "parent_code"},
			{"district without parent", f.sys, org.UnitInput{Code: "410199", Name: "x", Level: org.District}, "parent_code"},
			{"department under a street", f.sys, org.UnitInput{Code: "D1", Name: "x", Kind: org.Department, ParentCode: "410105001"}, "parent_code"},
			{"department with the wrong level", f.sys, org.UnitInput{Code: "D1", Name: "x", Kind: org.Department, Level: org.Street, ParentCode: "410105"}, "level"},
			{"office under a territory unit", f.sys, org.UnitInput{Code: "O1", Name: "x", Kind: org.Office, ParentCode: "410105"}, "parent_code"},
			{"district admin under another district", districtAdmin(), org.UnitInput{Code: "410102009", Name: "x", Level: org.Street, ParentCode: "410102"}, "parent_code"},
			{"district admin creating a city", districtAdmin(), org.UnitInput{Code: "410200", Name: "x", Level: org.City}, "parent_code"},
		}
		units, audits := rowCount(t, d, "org_units"), rowCount(t, d, "audit_log")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateUnit(tt.ctx, tt.in)
				wantField(t, err, tt.field)
			})
		}
		if got := rowCount(t, d, "org_units"); got != units {
			t.Errorf("got %d units after failed creates, want %d", got, units)
		}
		if got := rowCount(t, d, "audit_log"); got != audits {
			t.Errorf("got %d audit entries after failed creates, want %d", got, audits)
		}
	})
}

func TestCreateUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := districtAdmin()
		u, err := f.svc.CreateUnit(ctx, org.UnitInput{Code: "410105003", Name: " 丰产路街道 ", Level: org.Street, ParentCode: "410105"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/410100/410105/410105003/" || u.Name != "丰产路街道" {
			t.Errorf("got path %q name %q, want /410100/410105/410105003/ 丰产路街道", u.Path, u.Name)
		}
		dep, err := f.svc.CreateUnit(ctx, org.UnitInput{Code: "D410105-01", Name: "区民政局", Kind: org.Department, ParentCode: "410105"})
		if err != nil {
			t.Fatal(err)
		}
		if dep.Level != org.District {
			t.Errorf("got department level %s, want district", dep.Level)
		}
		off, err := f.svc.CreateUnit(ctx, org.UnitInput{Code: "D410105-01-1", Name: "社会事务科", Kind: org.Office, ParentCode: "D410105-01"})
		if err != nil || off.Level != org.District {
			t.Errorf("got office %+v, %v; want district level", off, err)
		}
		if n := auditCount(t, d, "org.unit.create"); n != len(treeUnits)+3 {
			t.Errorf("got %d org.unit.create entries, want %d", n, len(treeUnits)+3)
		}
		for _, tt := range []struct{ name, code string }{{"same code", "410105003"}, {"same code but case", "d410105-01"}} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.CreateUnit(f.sys, org.UnitInput{Code: tt.code, Name: "x", Level: org.Street, ParentCode: "410105"})
				wantCode(t, err, apperr.Conflict)
			})
		}
		// The audit entry names who did it.
		var who, role string
		if err := d.QueryRow(context.Background(), `SELECT username, role FROM audit_log WHERE action = ? AND object_id = ?`,
			"org.unit.create", "410105003").Scan(&who, &role); err != nil {
			t.Fatal(err)
		}
		if who != "u-410105" || role != "r" {
			t.Errorf("got audit by %q as %q, want u-410105 as r", who, role)
		}
	})
}

func TestUpdateDeleteUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		name, sort := "经八路街道办事处", 5
		f.clk.Advance(3600e9)
		u, err := f.svc.UpdateUnit(districtAdmin(), "410105001", org.UnitUpdate{Name: &name, Sort: &sort})
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != name || u.Sort != 5 || !u.UpdatedAt.Equal(f.clk.Now()) {
			t.Errorf("got %q sort %d updated %v, want %q 5 %v", u.Name, u.Sort, u.UpdatedAt, name, f.clk.Now())
		}
		if _, err := f.svc.UpdateUnit(districtAdmin(), "410105001", org.UnitUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, d, "org.unit.update"); n != 1 {
			t.Errorf("got %d update entries, want 1 (a no-op update writes nothing)", n)
		}
		empty := ""
		_, err = f.svc.UpdateUnit(districtAdmin(), "410105001", org.UnitUpdate{Name: &empty})
		wantField(t, err, "name")
		_, err = f.svc.UpdateUnit(districtAdmin(), "410102001", org.UnitUpdate{Name: &name})
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.UpdateUnit(districtReader(), "410105001", org.UnitUpdate{Name: &name})
		wantCode(t, err, apperr.Forbidden)

		tests := []struct {
			name string
			ctx  context.Context
			code string
			want apperr.Code
		}{
			{"unit with children", f.sys, "410105002", apperr.Conflict},
			{"unit with grids and staff", f.sys, "410105001001", apperr.Conflict},
			{"other district", districtAdmin(), "410102001001", apperr.NotFound},
			{"missing", f.sys, "nope", apperr.NotFound},
			{"empty leaf", districtAdmin(), "410105001002", ""},
			{"already deleted", districtAdmin(), "410105001002", apperr.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, f.svc.DeleteUnit(tt.ctx, tt.code), tt.want)
			})
		}
		err = f.svc.DeleteUnit(f.sys, "410105002")
		if e := apperr.As(err); !strings.Contains(e.Message, "1 child units") {
			t.Errorf("got message %q, want it to say 1 child units", e.Message)
		}
		if n := auditCount(t, d, "org.unit.delete"); n != 1 {
			t.Errorf("got %d delete entries, want 1", n)
		}
		res, err := f.log.Verify(context.Background())
		if err != nil || !res.OK {
			t.Errorf("audit chain: %+v %v", res, err)
		}
	})
}

func TestCountUnderAndUnitPath(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background() // no actor: the command line's view
		got, err := f.svc.CountUnder(ctx, "410100")
		if err != nil {
			t.Fatal(err)
		}
		want := map[org.Level]int{org.City: 1, org.District: 2, org.Street: 3, org.Community: 4}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		got, err = f.svc.CountUnder(ctx, "410105002")
		if want := (map[org.Level]int{org.Street: 1, org.Community: 1}); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got %v %v, want %v", got, err, want)
		}
		_, err = f.svc.CountUnder(ctx, "nope")
		wantCode(t, err, apperr.NotFound)
		p, err := f.svc.UnitPath(ctx, "410105001001")
		if err != nil || p != "/410100/410105/410105001/410105001001/" {
			t.Errorf("got %q %v, want /410100/410105/410105001/410105001001/", p, err)
		}
	})
}

func TestWritePermissions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		readOnly := actor.With(context.Background(), &actor.Actor{UserID: 2, Username: "ro",
			Grants: []actor.Grant{{Role: "viewer", ScopeCode: "410100", ScopePath: "/410100/",
				Perms: map[string]bool{rbac.OrgRead: true}}}})
		_, err := f.svc.CreateUnit(readOnly, org.UnitInput{Code: "410105009", Name: "x", Level: org.Street, ParentCode: "410105"})
		wantCode(t, err, apperr.Forbidden)
		for i, code := range []string{"410105", "410105001"} {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				wantCode(t, f.svc.DeleteUnit(readOnly, code), apperr.Forbidden)
			})
		}
	})
}
