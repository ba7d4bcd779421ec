package seed_test

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
	"gridgov/internal/seed"
)

// withRegistry adds the registry services to the env's deps.
func withRegistry(t *testing.T, e env) env {
	t.Helper()
	e.deps.Registry, e.deps.Transfer, e.deps.Places, e.deps.Groups = e.app.Registry, e.app.Transfer, e.app.Places,
		e.app.Groups
	return e
}

// baseTestDistricts keeps the test's base data small: 上街区, the smallest
// district (the default districts are measured by `gridgov seed demo`).
var baseTestDistricts = []string{"410106"}

// checkBase checks the demo base data of 上街区 (TestDemo seeds it).
func checkBase(t *testing.T, e env, res seed.Result) {
	t.Helper()
	b := res.Base
	if b == nil {
		t.Fatal("Result.Base is nil, want the base data counts")
	}
	checkBaseCounts(t, e, b)
	checkFoundByID(t, e)
	checkKeyGroupHidden(t, e)
	due, total, err := e.deps.Groups.VisitsDue(e.ctx, groups.DueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || len(due) == 0 {
		t.Errorf("visits due = %d, want some", total)
	}
}

func checkBaseCounts(t *testing.T, e env, b *seed.BaseResult) {
	t.Helper()
	// 上街区 has 64 communities with DefaultPeoplePerGrid people each, in 6 streets.
	if want := 64 * seed.DefaultPeoplePerGrid; b.People != want {
		t.Errorf("people = %d, want %d", b.People, want)
	}
	if b.ImportJobs != 6 {
		t.Errorf("import jobs = %d, want one per street of 上街区 (6)", b.ImportJobs)
	}
	for _, c := range []struct {
		name  string
		got   int
		query string
	}{
		{"people", b.People, "SELECT COUNT(*) FROM people WHERE source = 'base'"},
		{"awaiting grid", b.AwaitingGrid, "SELECT COUNT(*) FROM people WHERE grid_code IS NULL"},
		{"households", b.Households, "SELECT COUNT(*) FROM households"},
		{"household members", b.People, "SELECT COUNT(*) FROM household_members"},
		{"houses", b.Houses, "SELECT COUNT(*) FROM houses"},
		{"occupants", b.Occupants, "SELECT COUNT(*) FROM house_occupants"},
		{"organisations", b.Organisations, "SELECT COUNT(*) FROM organisations"},
		{"components", b.Components, "SELECT COUNT(*) FROM components"},
		{"roster entries", b.RosterEntries, "SELECT COUNT(*) FROM roster_entries"},
		{"visits", b.Visits, "SELECT COUNT(*) FROM visits"},
		{"key-group people", b.KeyGroup, "SELECT COUNT(*) FROM people WHERE key_group = ?"},
	} {
		var args []any
		if c.name == "key-group people" {
			args = append(args, true)
		}
		if n := count(t, e, c.query, args...); n != c.got || n == 0 {
			t.Errorf("%s: %d rows, result says %d; want equal and not 0", c.name, n, c.got)
		}
	}
	if n := count(t, e, "SELECT COUNT(*) FROM houses WHERE rented = ?", true); n != b.Rented || n == 0 {
		t.Errorf("rented houses = %d, result %d", n, b.Rented)
	}
	if b.AwaitingGrid*100 > b.People*5 {
		t.Errorf("awaiting grid = %d of %d, want about 2%%", b.AwaitingGrid, b.People)
	}
	// Awaiting people are held by their street (of 上街区).
	if n := count(t, e, `SELECT COUNT(*) FROM people p JOIN org_units u ON u.code = p.unit_code
		WHERE p.grid_code IS NULL AND u.level = 'street' AND u.parent_code = '410106'`); n != b.AwaitingGrid {
		t.Errorf("awaiting people held by a street of 上街区 = %d, want %d", n, b.AwaitingGrid)
	}
	for _, kind := range []string{"elderly", "elderly_alone", "disabled", "low_income"} {
		if b.Members[kind] == 0 {
			t.Errorf("members of %s = 0, want some", kind)
		}
	}
	elderly := count(t, e, `SELECT COUNT(*) FROM group_members WHERE group_kind = 'elderly'`)
	if elderly != b.Members["elderly"] {
		t.Errorf("elderly memberships = %d, result %d", elderly, b.Members["elderly"])
	}
	// The organisation codes pass the places service's check.
	rows, err := e.deps.DB.Query(e.ctx, "SELECT uscc FROM organisations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			t.Fatal(err)
		}
		if err := places.CheckUSCC(code); err != nil {
			t.Errorf("USCC %s: %v", code, err)
		}
	}
}

// checkFoundByID finds a demo person by their ID-card number, opened by
// unmasking a person first.
func checkFoundByID(t *testing.T, e env) {
	t.Helper()
	var id int64
	if err := e.deps.DB.QueryRow(e.ctx, "SELECT id FROM people WHERE key_group = ? ORDER BY id LIMIT 1", false).Scan(&id); err != nil {
		t.Fatal(err)
	}
	p, err := e.deps.Registry.UnmaskPerson(e.ctx, id, "seed test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seal.ParseIDCard(p.IDNumber, time.Now()); err != nil || p.IDNumber[:4] != "4101" {
		t.Errorf("ID number of a demo person does not pass GB 11643 or is not of 4101xx: %v", err)
	}
	found, n, err := e.deps.Registry.People(e.ctx, registry.PeopleFilter{IDNumber: p.IDNumber})
	if err != nil || n != 1 || len(found) != 1 || found[0].ID != id {
		t.Errorf("People by the ID number = %d people, %v; want person %d", n, err, id)
	}
}

// checkKeyGroupHidden: a viewer of 上街区 with registry.read but not
// registry.keygroup does not see a key-group person; one with both does.
func checkKeyGroupHidden(t *testing.T, e env) {
	t.Helper()
	var id int64
	if err := e.deps.DB.QueryRow(e.ctx, "SELECT id FROM people WHERE key_group = ? ORDER BY id LIMIT 1", true).Scan(&id); err != nil {
		t.Fatal(err)
	}
	var path string
	if err := e.deps.DB.QueryRow(e.ctx, "SELECT path FROM org_units WHERE code = '410106'").Scan(&path); err != nil {
		t.Fatal(err)
	}
	as := func(perms ...rbac.Permission) context.Context {
		m := map[string]bool{}
		for _, p := range perms {
			m[p] = true
		}
		return actor.With(context.Background(), &actor.Actor{UserID: 9000 + int64(len(perms)), Username: "viewer",
			UnitCode: "410106", Grants: []actor.Grant{{Role: "r", ScopeCode: "410106", ScopePath: path, Perms: m}}})
	}
	viewer := as(registry.PermRead)
	if _, err := e.deps.Registry.PersonByID(viewer, id); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("key-group person seen by a viewer without registry.keygroup: %v, want not_found", err)
	}
	_, n, err := e.deps.Registry.People(viewer, registry.PeopleFilter{KeyGroupOnly: true})
	if err != nil || n != 0 {
		t.Errorf("key-group people listed for a viewer = %d, %v; want 0", n, err)
	}
	if _, err := e.deps.Registry.PersonByID(as(registry.PermRead, registry.PermKeyGroup), id); err != nil {
		t.Errorf("key-group person for a viewer with registry.keygroup: %v", err)
	}
}
