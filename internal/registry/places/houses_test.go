package places_test

import (
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

func TestHouses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		owner := f.person(t, "张三", "G410105001001", false)
		h := must(f.svc.CreateHouse(w, places.HouseInput{Code: "H-001", Address: "经八路1号院3号楼2单元201",
			Building: "3", Entrance: "2", Room: "201", Rented: true, Area: ptr(89.5), OwnerID: &owner,
			GridCode: "G410105001001", Extra: map[string]string{"floor": "2"}}))
		if h.UnitCode != "410105001001" || h.Use != "residential" || h.Source != registry.SourceOwn || h.Version != 1 ||
			*h.OwnerID != owner || h.Extra["floor"] != "2" || !h.Rented {
			t.Fatalf("created %+v", h)
		}
		if n := f.auditCount(t, "house.create", "house", h.ID); n != 1 {
			t.Fatalf("audit rows %d", n)
		}
		// Placed by coordinates through the locator.
		located := must(f.svc.CreateHouse(w, places.HouseInput{Address: "经八路2号", Lat: ptr(34.77), Lng: ptr(113.68), Use: "commercial"}))
		if located.GridCode != "G410105001001" {
			t.Fatalf("located in %q", located.GridCode)
		}
		// Awaiting a grid, held by the street.
		waiting := must(f.svc.CreateHouse(w, places.HouseInput{Address: "待分配路9号", UnitCode: "410105001"}))
		if waiting.GridCode != "" || waiting.UnitCode != "410105001" {
			t.Fatalf("waiting %+v", waiting)
		}

		_, err := f.svc.CreateHouse(w, places.HouseInput{Code: "H-001", Address: "重复", GridCode: "G410105001001"})
		wantField(t, err, apperr.Conflict, "code")
		_, err = f.svc.CreateHouse(w, places.HouseInput{Address: "", Use: "castle", GridCode: "G410105001001", Lat: ptr(34.0)})
		for _, field := range []string{"address", "use", "lat"} {
			wantField(t, err, apperr.Invalid, field)
		}
		_, err = f.svc.CreateHouse(w, places.HouseInput{Address: "林山寨1号", GridCode: "G410102001001"})
		wantField(t, err, apperr.Invalid, "grid_code") // outside the writer's scope
		_, err = f.svc.CreateHouse(as(jinshui, registry.PermRead), places.HouseInput{Address: "x", GridCode: "G410105001001"})
		wantCode(t, err, apperr.Forbidden)
		other := f.person(t, "李四", "G410102001001", false)
		_, err = f.svc.CreateHouse(w, places.HouseInput{Address: "x", GridCode: "G410105001001", OwnerID: &other})
		wantField(t, err, apperr.Invalid, "owner_id") // the owner is not visible to the writer

		// Lists.
		list := func(hf places.HouseFilter) []places.House {
			t.Helper()
			hs, total, err := f.svc.Houses(w, hf)
			if err != nil || total != len(hs) {
				t.Fatalf("houses %+v: %d %d %v", hf, len(hs), total, err)
			}
			return hs
		}
		if hs := list(places.HouseFilter{}); len(hs) != 3 {
			t.Fatalf("all: %d", len(hs))
		}
		if hs := list(places.HouseFilter{Address: "3号楼"}); len(hs) != 1 || hs[0].ID != h.ID {
			t.Fatalf("address: %+v", hs)
		}
		if hs := list(places.HouseFilter{Rented: ptr(true)}); len(hs) != 1 || hs[0].ID != h.ID {
			t.Fatalf("rented: %+v", hs)
		}
		if hs := list(places.HouseFilter{Use: "commercial"}); len(hs) != 1 || hs[0].ID != located.ID {
			t.Fatalf("use: %+v", hs)
		}
		if hs := list(places.HouseFilter{AwaitingGrid: true}); len(hs) != 1 || hs[0].ID != waiting.ID {
			t.Fatalf("awaiting: %+v", hs)
		}
		if hs := list(places.HouseFilter{UnitCode: "410105001002"}); len(hs) != 0 {
			t.Fatalf("unit: %+v", hs)
		}
		if hs, total, err := f.svc.Houses(w, places.HouseFilter{Limit: 2, Offset: 2}); err != nil || len(hs) != 1 || total != 3 {
			t.Fatalf("page: %d %d %v", len(hs), total, err)
		}

		// Scope: another district sees nothing and gets not_found.
		zy := as("410102", rw...)
		if hs, total, err := f.svc.Houses(zy, places.HouseFilter{}); err != nil || total != 0 || len(hs) != 0 {
			t.Fatalf("other district lists %d", total)
		}
		_, err = f.svc.HouseByID(zy, h.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.UpdateHouse(zy, h.ID, places.HouseInput{Address: "x", GridCode: "G410102001001"})
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.HouseByID(w, 999999)
		wantCode(t, err, apperr.NotFound)

		// Update with the version; a stale version is a conflict.
		in := places.HouseInput{Code: "H-001", Address: "经八路1号院3号楼2单元201", Use: "mixed", GridCode: "G410105001002", Version: 1}
		up := must(f.svc.UpdateHouse(w, h.ID, in))
		if up.Version != 2 || up.Use != "mixed" || up.UnitCode != "410105001002" || up.OwnerID != nil {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdateHouse(w, h.ID, in)
		wantCode(t, err, apperr.Conflict)
		v := must(f.svc.VerifyHouse(w, h.ID, "入户核对"))
		if v.VerifiedAt == nil || !v.VerifiedAt.Equal(f.clk.Now()) || v.Version != 3 {
			t.Fatalf("verified %+v", v)
		}
		if n := f.auditCount(t, "house.verify", "house", h.ID); n != 1 {
			t.Fatalf("verify audit rows %d", n)
		}
	})
}

func TestOccupants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		h := must(f.svc.CreateHouse(w, places.HouseInput{Address: "经八路5号", GridCode: "G410105001001"}))
		tenant := f.person(t, "王五", "G410105001001", false)
		keyP := f.person(t, "赵六", "G410105001001", true)
		outside := f.person(t, "孙七", "G410102001001", false)

		got := must(f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: tenant, Role: "tenant", StartedOn: "2026-01-01"}))
		if len(got.Occupants) != 1 || got.Occupants[0].Name != "王五" || got.Occupants[0].Role != "tenant" || got.Version != 2 {
			t.Fatalf("occupants %+v", got)
		}
		_, err := f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: tenant, Role: "tenant"})
		wantField(t, err, apperr.Conflict, "person_id")
		_, err = f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: tenant, Role: "guest", StartedOn: "1/1/2026"})
		wantField(t, err, apperr.Invalid, "role")
		wantField(t, err, apperr.Invalid, "started_on")
		_, err = f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: outside, Role: "resident"})
		wantField(t, err, apperr.Invalid, "person_id")
		// A key-group person needs registry.keygroup.
		_, err = f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: keyP, Role: "resident"})
		wantField(t, err, apperr.Invalid, "person_id")
		kw := as(jinshui, rwKey...)
		got = must(f.svc.AddOccupant(kw, h.ID, places.OccupantInput{PersonID: keyP, Role: "resident"}))
		if len(got.Occupants) != 2 {
			t.Fatalf("with key group: %+v", got.Occupants)
		}
		// Without registry.keygroup the key-group occupant is left out.
		if hv := must(f.svc.HouseByID(w, h.ID)); len(hv.Occupants) != 1 || hv.Occupants[0].PersonID != tenant {
			t.Fatalf("without key group: %+v", hv.Occupants)
		}
		_, err = f.svc.RemoveOccupant(w, h.ID, keyP, "")
		wantCode(t, err, apperr.NotFound)
		got = must(f.svc.RemoveOccupant(kw, h.ID, keyP, "resident"))
		if len(got.Occupants) != 1 {
			t.Fatalf("after remove: %+v", got.Occupants)
		}
		_, err = f.svc.RemoveOccupant(w, h.ID, tenant, "owner")
		wantCode(t, err, apperr.NotFound)
		got = must(f.svc.RemoveOccupant(w, h.ID, tenant, ""))
		if len(got.Occupants) != 0 {
			t.Fatalf("after remove all: %+v", got.Occupants)
		}
		if n := f.auditCount(t, "house.occupant_add", "house", h.ID); n != 2 {
			t.Fatalf("occupant audit rows %d", n)
		}
	})
}

func TestNearestAndAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		mk := func(addr string, lat, lng float64, grid string) places.House {
			return must(f.svc.CreateHouse(f.sys, places.HouseInput{Address: addr, Lat: &lat, Lng: &lng, GridCode: grid}))
		}
		near := mk("经八路10号", 34.7701, 113.6801, "G410105001001")    // ~15 m
		mid := mk("经八路10号院2号楼", 34.7750, 113.6800, "G410105001001") // ~550 m
		far := mk("黄河路100号", 34.8200, 113.7000, "G410105001002")    // ~5.9 km
		mk("林山寨1号", 34.7702, 113.6802, "G410102001001")             // out of scope
		must(f.svc.CreateHouse(f.sys, places.HouseInput{Address: "经八路10号附1", GridCode: "G410105001001"}))

		got := must(f.svc.NearestHouses(w, 34.77, 113.68, 2))
		if len(got) != 2 || got[0].ID != near.ID || got[1].ID != mid.ID || got[0].DistanceM > 20 || got[1].DistanceM < 500 {
			t.Fatalf("nearest 2: %+v", got)
		}
		got = must(f.svc.NearestHouses(w, 34.77, 113.68, 10))
		if len(got) != 3 || got[2].ID != far.ID {
			t.Fatalf("nearest 10: %+v", got)
		}
		_, err := f.svc.NearestHouses(w, 91, 113.68, 1)
		wantField(t, err, apperr.Invalid, "lat")

		hs := must(f.svc.HousesByAddress(w, "经八路10号", 5))
		if len(hs) != 1 || hs[0].ID != near.ID {
			t.Fatalf("exact: %+v", hs)
		}
		hs = must(f.svc.HousesByAddress(w, "经八路", 5))
		if len(hs) != 2 || hs[0].ID != near.ID || hs[1].ID != mid.ID {
			t.Fatalf("prefix: %+v", hs)
		}
		if hs = must(f.svc.HousesByAddress(w, "林山寨", 5)); len(hs) != 0 {
			t.Fatalf("out of scope: %+v", hs)
		}
	})
}
