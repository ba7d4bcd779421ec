package places_test

import (
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
)

func TestMapPlaces(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		zy := as("410102", rw...)
		house := must(f.svc.CreateHouse(w, places.HouseInput{Address: "经八路1号院3号楼2单元201", Lat: ptr(34.77), Lng: ptr(113.68),
			GridCode: "G410105001001"}))
		must(f.svc.CreateHouse(w, places.HouseInput{Address: "经八路无坐标", GridCode: "G410105001001"}))
		far := must(f.svc.CreateHouse(zy, places.HouseInput{Address: "林山寨5号", Lat: ptr(34.75), Lng: ptr(113.60),
			GridCode: "G410102001001"}))
		org := must(f.svc.CreateOrganisation(w, places.OrganisationInput{Kind: "social", Name: "经八路志愿者协会",
			Lat: ptr(34.771), Lng: ptr(113.681), GridCode: "G410105001001"}))
		lamp := must(f.svc.CreateComponent(w, places.ComponentInput{ObjectCode: "4101050105000001", CategoryCode: "C010105",
			Name: "路灯", OwnerDept: "410105-szj", Lat: ptr(34.7701), Lng: ptr(113.6801), GridCode: "G410105001001"}))
		city := orb.Bound{Min: orb.Point{113, 34}, Max: orb.Point{114, 35}}

		hs, more, err := f.svc.MapHouses(as("410100", registry.PermRead), city, 0)
		if err != nil || more || len(hs) != 2 {
			t.Fatalf("city houses: %+v, more %v, %v; want the two located houses", hs, more, err)
		}
		if hs[0].ID != house.ID || hs[0].Label != seal.MaskAddress(house.Address) || hs[0].Label == house.Address ||
			hs[0].Lat != 34.77 || hs[0].Lng != 113.68 || hs[0].Kind != "residential" {
			t.Errorf("house point: got %+v, want the address masked at building level", hs[0])
		}
		hs, _, _ = f.svc.MapHouses(w, city, 0)
		if len(hs) != 1 || hs[0].ID != house.ID {
			t.Errorf("金水区 houses: got %+v, want only %d", hs, house.ID)
		}
		hs, _, _ = f.svc.MapHouses(as("410105001002", rw...), city, 0)
		if len(hs) != 0 {
			t.Errorf("黄河路社区 houses: got %+v, want none", hs)
		}
		hs, more, _ = f.svc.MapHouses(as("410100", registry.PermRead), city, 1)
		if len(hs) != 1 || !more {
			t.Errorf("limit 1: got %d, more %v; want 1 and more", len(hs), more)
		}
		hs, _, _ = f.svc.MapHouses(as("410100", registry.PermRead), orb.Bound{Min: orb.Point{113.5, 34.7}, Max: orb.Point{113.65, 34.76}}, 0)
		if len(hs) != 1 || hs[0].ID != far.ID {
			t.Errorf("west box: got %+v, want only %d", hs, far.ID)
		}

		os, _, err := f.svc.MapOrganisations(w, city, 0)
		if err != nil || len(os) != 1 || os[0].ID != org.ID || os[0].Label != "经八路志愿者协会" || os[0].Kind != "social" {
			t.Errorf("organisations: got %+v (%v)", os, err)
		}
		if os, _, _ = f.svc.MapOrganisations(zy, city, 0); len(os) != 0 {
			t.Errorf("中原区 organisations: got %+v, want none", os)
		}
		cs, _, err := f.svc.MapComponents(w, city, 0)
		if err != nil || len(cs) != 1 || cs[0].ID != lamp.ID || cs[0].Label != "路灯" || cs[0].Kind != "C010105" || cs[0].Status != "intact" {
			t.Errorf("components: got %+v (%v)", cs, err)
		}
		if cs, _, _ = f.svc.MapComponents(zy, city, 0); len(cs) != 0 {
			t.Errorf("中原区 components: got %+v, want none", cs)
		}

		_, _, err = f.svc.MapHouses(as("410100"), city, 0)
		wantCode(t, err, apperr.Forbidden)
		for _, b := range []orb.Bound{{}, {Min: orb.Point{114, 34}, Max: orb.Point{113, 35}}, {Min: orb.Point{113, -91}, Max: orb.Point{114, 35}}} {
			_, _, err = f.svc.MapComponents(w, b, 0)
			wantField(t, err, apperr.Invalid, "bbox")
		}
		// The paging rule: above the cap is clamped, negative is invalid.
		if _, _, err = f.svc.MapOrganisations(w, city, places.MapCap+1); err != nil {
			t.Errorf("limit above the cap: got %v, want it clamped", err)
		}
		_, _, err = f.svc.MapOrganisations(w, city, -1)
		wantField(t, err, apperr.Invalid, "limit")
	})
}
