package groups_test

import (
	"bytes"
	"context"
	"gridgov/internal/registry/places"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/seal"
)

// mapFixture is the groups fixture with a registry (which the key-group
// layer logs disclosures through).
func mapFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	f := newFixture(t, d)
	sealer, err := seal.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(d, f.clk)
	reg := registry.NewService(d, log, f.clk, sealer, nil)
	f.svc = groups.NewService(reg, places.NewService(reg, d, log, f.clk), d, log, f.clk, nil)
	return f
}

// livesAt gives person id a house at (lat, lng) in their community.
func (f *fixture) livesAt(t *testing.T, id int64, community string, lat, lng float64) {
	t.Helper()
	now := f.clk.Now()
	var hid int64
	err := f.d.QueryRow(context.Background(), `INSERT INTO houses (address, lat, lng, grid_code, unit_code, unit_path, source, created_at, updated_at)
		VALUES ('经八路1号', ?, ?, ?, ?, ?, 'own', ?, ?) RETURNING id`, lat, lng, "G"+community, community, pathOf(community), now, now).Scan(&hid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.d.Exec(context.Background(), `UPDATE people SET house_id = ? WHERE id = ?`, hid, id); err != nil {
		t.Fatal(err)
	}
}

// accessRows counts person_access rows of a person with an action.
func (f *fixture) accessRows(t *testing.T, id int64, action string) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), `SELECT count(*) FROM person_access WHERE person_id = ? AND action = ?`,
		id, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMapKeyGroup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := mapFixture(t, d)
		k := as("410105001", keyed...)
		key := f.person(t, "李四", "410105001001")
		plain := f.person(t, "王五", "410105001001")
		other := f.person(t, "赵六", "410105001002")
		for _, p := range []int64{key, other} {
			if _, err := f.svc.AddMember(k, p, groups.MemberInput{Kind: "key_petitioner", StartedOn: "2026-01-01", RiskLevel: "medium",
				Attrs: map[string]string{"petition_matter": "征地补偿"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.AddMember(k, key, groups.MemberInput{Kind: "community_corrections", RiskLevel: "high", Attrs: map[string]string{
			"correction_no": "JZ-001", "correction_type": "probation", "correction_start": "2026-02-01"}}); err != nil {
			t.Fatal(err)
		}
		f.livesAt(t, key, "410105001001", 34.77, 113.68)
		f.livesAt(t, plain, "410105001001", 34.771, 113.681)
		f.livesAt(t, other, "410105001002", 34.78, 113.69)
		city := orb.Bound{Min: orb.Point{113, 34}, Max: orb.Point{114, 35}}

		pts, more, err := f.svc.MapKeyGroup(as("410105001001", keyed...), city, 0)
		if err != nil || more || len(pts) != 1 {
			t.Fatalf("经八路社区: %+v, more %v, %v; want the one key-group person", pts, more, err)
		}
		p := pts[0]
		if p.PersonID != key || p.Lat != 34.77 || p.Lng != 113.68 || p.RiskLevel != "high" ||
			!slices.Equal(p.Kinds, []string{"community_corrections", "key_petitioner"}) {
			t.Errorf("point: got %+v", p)
		}
		if n := f.accessRows(t, key, registry.AccessList); n != 1 {
			t.Errorf("person_access rows of the shown person: got %d, want 1", n)
		}
		if n := f.accessRows(t, other, registry.AccessList); n != 0 {
			t.Errorf("person_access rows of a person not shown: got %d, want 0", n)
		}

		pts, _, _ = f.svc.MapKeyGroup(as("410105", keyed...), city, 0)
		if len(pts) != 2 {
			t.Errorf("金水区: got %+v, want both key-group people", pts)
		}
		pts, more, _ = f.svc.MapKeyGroup(as("410105", keyed...), city, 1)
		if len(pts) != 1 || !more {
			t.Errorf("limit 1: got %d, more %v", len(pts), more)
		}
		if n := f.accessRows(t, other, registry.AccessList); n != 1 {
			t.Errorf("person_access rows after the district's map: got %d, want 1", n)
		}

		// Without registry.keygroup: refused, and nothing logged.
		_, _, err = f.svc.MapKeyGroup(as("410105", writer...), city, 0)
		wantCode(t, err, apperr.Forbidden)
		// Out of scope: nothing.
		pts, _, err = f.svc.MapKeyGroup(as("410105001002", keyed...), orb.Bound{Min: orb.Point{113.6, 34.7}, Max: orb.Point{113.685, 34.775}}, 0)
		if err != nil || len(pts) != 0 {
			t.Errorf("黄河路社区 in 经八路's box: got %+v (%v), want none", pts, err)
		}
		_, _, err = f.svc.MapKeyGroup(as("410105", keyed...), orb.Bound{}, 0)
		if e := apperr.As(err); e == nil || e.Fields["bbox"] == "" {
			t.Errorf("empty box: got %v, want a bbox field error", err)
		}
		sys := actor.With(context.Background(), actor.SystemActor("t"))
		if _, _, err := f.svc.MapKeyGroup(sys, city, 0); err != nil {
			t.Errorf("system: %v", err)
		}
	})
}
