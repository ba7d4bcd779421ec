package places_test

import (
	"bytes"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

func TestOrganisations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		in := places.OrganisationInput{Kind: "enterprise", Name: "郑州某某科技有限公司", USCC: " 91110108551385082q ",
			LegalRep: "张三", Phone: ptr("138-3712-5678"), Employees: ptr(42), GridCode: "G410105001001", Source: registry.SourceBase}
		o := must(f.svc.CreateOrganisation(w, in))
		if o.USCC != "91110108551385082Q" || o.Phone != "138****5678" || *o.Employees != 42 || o.Source != registry.SourceBase {
			t.Fatalf("created %+v", o)
		}
		// The phone is stored sealed: no plain digits in the row.
		var enc []byte
		var mask string
		if err := d.QueryRow(f.sys, `SELECT phone_enc, phone_mask FROM organisations WHERE id = ?`, o.ID).Scan(&enc, &mask); err != nil {
			t.Fatal(err)
		}
		if len(enc) == 0 || bytes.Contains(enc, []byte("13837125678")) || mask != "138****5678" {
			t.Fatalf("stored phone %x %s", enc, mask)
		}
		var n int
		if err := d.QueryRow(f.sys, `SELECT count(*) FROM audit_log WHERE detail LIKE ?`, "%13837125678%").Scan(&n); err != nil || n != 0 {
			t.Fatalf("plain phone in the audit log: %d %v", n, err)
		}

		_, err := f.svc.CreateOrganisation(w, places.OrganisationInput{Kind: "social", Name: "另一家", USCC: "91110108551385082Q", GridCode: "G410105001001"})
		wantField(t, err, apperr.Conflict, "uscc")
		_, err = f.svc.CreateOrganisation(w, places.OrganisationInput{Kind: "club", USCC: "91110108551385082X", Phone: ptr("12345"), GridCode: "G410105001001"})
		for _, field := range []string{"kind", "name", "uscc", "phone"} {
			wantField(t, err, apperr.Invalid, field)
		}
		if msg := apperr.As(err).Fields["phone"]; bytes.Contains([]byte(msg), []byte("12345")) {
			t.Fatalf("the phone problem echoes the number: %s", msg)
		}
		s2 := must(f.svc.CreateOrganisation(w, places.OrganisationInput{Kind: "social", Name: "经八路志愿者协会", GridCode: "G410105001002"}))

		list := func(of places.OrganisationFilter) []places.Organisation {
			t.Helper()
			os, total, err := f.svc.Organisations(w, of)
			if err != nil || total != len(os) {
				t.Fatalf("organisations %+v: %d %d %v", of, len(os), total, err)
			}
			return os
		}
		if os := list(places.OrganisationFilter{Kind: "social"}); len(os) != 1 || os[0].ID != s2.ID {
			t.Fatalf("kind: %+v", os)
		}
		if os := list(places.OrganisationFilter{Name: "郑州某"}); len(os) != 1 || os[0].ID != o.ID {
			t.Fatalf("name: %+v", os)
		}
		if os := list(places.OrganisationFilter{USCC: "91110108551385082q"}); len(os) != 1 || os[0].ID != o.ID {
			t.Fatalf("uscc: %+v", os)
		}
		if os := list(places.OrganisationFilter{Phone: "13837125678"}); len(os) != 1 || os[0].ID != o.ID {
			t.Fatalf("phone: %+v", os)
		}
		if os := list(places.OrganisationFilter{GridCode: "G410105001002"}); len(os) != 1 || os[0].ID != s2.ID {
			t.Fatalf("grid: %+v", os)
		}
		if os := list(places.OrganisationFilter{UnitCode: "410105001001"}); len(os) != 1 || os[0].ID != o.ID {
			t.Fatalf("unit: %+v", os)
		}
		_, err = f.svc.OrganisationByID(as("410102", rw...), o.ID)
		wantCode(t, err, apperr.NotFound)

		// Update keeps the phone when none is given; a stale version conflicts.
		in.Phone, in.Version, in.Name = nil, 1, "郑州某某科技股份有限公司"
		up := must(f.svc.UpdateOrganisation(w, o.ID, in))
		if up.Phone != "138****5678" || up.Version != 2 || up.Name != in.Name {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdateOrganisation(w, o.ID, in)
		wantCode(t, err, apperr.Conflict)
		in.Phone, in.Version = ptr(""), 2
		if up = must(f.svc.UpdateOrganisation(w, o.ID, in)); up.Phone != "" {
			t.Fatalf("phone not cleared: %+v", up)
		}
		in.Version, in.USCC = 0, ""
		_, err = f.svc.UpdateOrganisation(w, s2.ID, places.OrganisationInput{Kind: "social", Name: "x", USCC: "91110108551385082Q", GridCode: "G410105001002"})
		wantField(t, err, apperr.Conflict, "uscc")
		if v := must(f.svc.VerifyOrganisation(w, o.ID, "")); v.VerifiedAt == nil {
			t.Fatalf("not verified: %+v", v)
		}
		if n := f.auditCount(t, "organisation.update", "organisation", o.ID); n != 2 {
			t.Fatalf("update audit rows %d", n)
		}
	})
}

func TestComponents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		lamp := places.ComponentInput{ObjectCode: "4101050105000001", CategoryCode: "C010105", Name: "路灯",
			OwnerDept: "410105-szj", Lat: ptr(34.7701), Lng: ptr(113.6801), GridCode: "G410105001001"}
		c := must(f.svc.CreateComponent(w, lamp))
		if c.Status != "intact" || c.OwnerDept != "410105-szj" || c.UnitCode != "410105001001" {
			t.Fatalf("created %+v", c)
		}
		_, err := f.svc.CreateComponent(w, lamp)
		wantField(t, err, apperr.Conflict, "object_code")
		for _, code := range []string{
			"410105010500001",  // 15 digits
			"41010501050000a1", // a letter
			"4109990105000001", // an unknown district
			"4101000105000009", // the city, not a district
			"4101050201000001", // category 0201, not C010105's 0105
		} {
			in := lamp
			in.ObjectCode = code
			_, err := f.svc.CreateComponent(w, in)
			wantField(t, err, apperr.Invalid, "object_code")
		}
		_, err = f.svc.CreateComponent(w, places.ComponentInput{ObjectCode: "4101050105000002", Status: "broken", OwnerDept: "nope", GridCode: "G410105001001"})
		for _, field := range []string{"name", "category_code", "status", "owner_dept"} {
			wantField(t, err, apperr.Invalid, field)
		}
		// A category that is not a catalogue code is not matched.
		must(f.svc.CreateComponent(w, places.ComponentInput{ObjectCode: "4101050999000001", CategoryCode: "local-99",
			Name: "其他", Status: "damaged", Lat: ptr(34.9), Lng: ptr(113.9), GridCode: "G410105001002"}))
		must(f.svc.CreateComponent(w, places.ComponentInput{ObjectCode: "4101050201000001", CategoryCode: "C020101",
			Name: "交通标志牌", GridCode: "G410105001001"}))

		list := func(cf places.ComponentFilter) []places.Component {
			t.Helper()
			cs, total, err := f.svc.Components(w, cf)
			if err != nil || total != len(cs) {
				t.Fatalf("components %+v: %d %d %v", cf, len(cs), total, err)
			}
			return cs
		}
		if cs := list(places.ComponentFilter{CategoryCode: "C01"}); len(cs) != 1 || cs[0].ID != c.ID {
			t.Fatalf("category: %+v", cs)
		}
		if cs := list(places.ComponentFilter{Status: "damaged"}); len(cs) != 1 || cs[0].CategoryCode != "local-99" {
			t.Fatalf("status: %+v", cs)
		}
		if cs := list(places.ComponentFilter{MinLat: ptr(34.7), MinLng: ptr(113.6), MaxLat: ptr(34.8), MaxLng: ptr(113.7)}); len(cs) != 1 || cs[0].ID != c.ID {
			t.Fatalf("bbox: %+v", cs)
		}
		if cs := list(places.ComponentFilter{GridCode: "G410105001001"}); len(cs) != 2 {
			t.Fatalf("grid: %+v", cs)
		}
		_, _, err = f.svc.Components(w, places.ComponentFilter{MinLat: ptr(34.7)})
		wantField(t, err, apperr.Invalid, "min_lat")
		_, err = f.svc.ComponentByID(as("410102", rw...), c.ID)
		wantCode(t, err, apperr.NotFound)

		lamp.Status, lamp.Version = "damaged", 1
		up := must(f.svc.UpdateComponent(w, c.ID, lamp))
		if up.Status != "damaged" || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdateComponent(w, c.ID, lamp)
		wantCode(t, err, apperr.Conflict)
		if v := must(f.svc.VerifyComponent(w, c.ID, "巡查核对")); v.VerifiedAt == nil || v.Version != 3 {
			t.Fatalf("verified %+v", v)
		}
		if n := f.auditCount(t, "component.create", "component", c.ID); n != 1 {
			t.Fatalf("audit rows %d", n)
		}
	})
}

func TestRosters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		vol := f.person(t, "钱八", "G410105001001", false)
		keyP := f.person(t, "周九", "G410105001002", true)
		house := must(f.svc.CreateHouse(w, places.HouseInput{Address: "黄河路3号楼", GridCode: "G410105001002"}))

		_, err := f.svc.CreateRosterEntry(w, "knitting_club", places.RosterInput{Name: "x", GridCode: "G410105001001"})
		wantCode(t, err, apperr.NotFound)
		e := must(f.svc.CreateRosterEntry(w, "volunteer", places.RosterInput{PersonID: &vol, Role: "巡逻", GridCode: "G410105001001"}))
		if e.Name != "钱八" || !e.Active || e.Version != 1 || e.Source != registry.SourceOwn {
			t.Fatalf("created %+v", e)
		}
		// A building head takes the house's place.
		head := must(f.svc.CreateRosterEntry(w, "building_head", places.RosterInput{Name: "吴十", HouseID: &house.ID}))
		if head.GridCode != "G410105001002" || head.UnitCode != "410105001002" {
			t.Fatalf("building head %+v", head)
		}
		_, err = f.svc.CreateRosterEntry(w, "volunteer", places.RosterInput{GridCode: "G410105001001"})
		wantField(t, err, apperr.Invalid, "name")
		_, err = f.svc.CreateRosterEntry(w, "volunteer", places.RosterInput{PersonID: &keyP, GridCode: "G410105001002"})
		wantField(t, err, apperr.Invalid, "person_id")
		kw := as(jinshui, rwKey...)
		ke := must(f.svc.CreateRosterEntry(kw, "volunteer", places.RosterInput{PersonID: &keyP, GridCode: "G410105001002"}))

		vols, total, err := f.svc.RosterEntries(w, places.RosterFilter{Roster: "volunteer"})
		if err != nil || total != 1 || vols[0].ID != e.ID {
			t.Fatalf("volunteers without key group: %d %+v %v", total, vols, err)
		}
		if _, total, _ = f.svc.RosterEntries(kw, places.RosterFilter{Roster: "volunteer"}); total != 2 {
			t.Fatalf("volunteers with key group: %d", total)
		}
		_, err = f.svc.RosterEntryByID(w, "volunteer", ke.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.RosterEntryByID(w, "building_head", e.ID) // wrong roster
		wantCode(t, err, apperr.NotFound)
		if hs, _, _ := f.svc.RosterEntries(w, places.RosterFilter{Roster: "building_head", Name: "吴"}); len(hs) != 1 {
			t.Fatalf("name prefix: %+v", hs)
		}
		if _, total, _ = f.svc.RosterEntries(as("410102", rw...), places.RosterFilter{Roster: "volunteer"}); total != 0 {
			t.Fatalf("other district: %d", total)
		}

		up := must(f.svc.UpdateRosterEntry(w, "volunteer", e.ID, places.RosterInput{PersonID: &vol, Active: ptr(false),
			GridCode: "G410105001001", Version: 1}))
		if up.Active || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		_, err = f.svc.UpdateRosterEntry(w, "volunteer", e.ID, places.RosterInput{Name: "x", GridCode: "G410105001001", Version: 1})
		wantCode(t, err, apperr.Conflict)
		if act, _, _ := f.svc.RosterEntries(w, places.RosterFilter{Roster: "volunteer", Active: ptr(true)}); len(act) != 0 {
			t.Fatalf("active: %+v", act)
		}
		if v := must(f.svc.VerifyRosterEntry(w, "volunteer", e.ID, "")); v.VerifiedAt == nil {
			t.Fatalf("not verified %+v", v)
		}
		if n := f.auditCount(t, "roster_entry.update", "roster_entry", e.ID); n != 1 {
			t.Fatalf("audit rows %d", n)
		}
	})
}
