package registry_test

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
)

func TestHouseholds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		zhang := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		li := f.person(t, "李四", idLi, phoneLi, gridJBL)
		wang := f.person(t, "王五", idWang, "", gridJBL)
		w := ppAs("410105001001", ppWriter...)
		_, err := f.reg.CreateHousehold(w, registry.HouseholdInput{Number: "H1", Kind: "tent", GridCode: gridJBL})
		ppField(t, err, apperr.Invalid, "kind")
		_, err = f.reg.CreateHousehold(ppAs("410102", ppWriter...), registry.HouseholdInput{Number: "H1", GridCode: gridJBL})
		ppCode(t, err, apperr.NotFound)
		h, err := f.reg.CreateHousehold(w, registry.HouseholdInput{Number: "H1", Address: "经八路1号院", GridCode: gridJBL})
		if err != nil || h.Kind != "family" || h.UnitCode != "410105001001" || len(h.Members) != 0 {
			t.Fatalf("create: %v %+v", err, h)
		}
		_, err = f.reg.CreateHousehold(w, registry.HouseholdInput{Number: "H1", GridCode: gridJBL})
		ppField(t, err, apperr.Conflict, "number")
		h2, err := f.reg.CreateHousehold(w, registry.HouseholdInput{Number: "H2", GridCode: gridJBL})
		ppCode(t, err, "")

		_, err = f.reg.SetHouseholdMember(w, h.ID, zhang.ID, "户主")
		ppField(t, err, apperr.Invalid, "relation")
		h, err = f.reg.SetHouseholdMember(w, h.ID, zhang.ID, "02")
		if err != nil || h.HeadPersonID == nil || *h.HeadPersonID != zhang.ID {
			t.Fatalf("head: %v %+v", err, h)
		}
		h, err = f.reg.SetHouseholdMember(w, h.ID, li.ID, "10")
		if err != nil || len(h.Members) != 2 {
			t.Fatalf("spouse: %v %+v", err, h)
		}
		_, err = f.reg.SetHouseholdMember(w, h.ID, wang.ID, "01")
		ppField(t, err, apperr.Conflict, "relation")
		_, err = f.reg.SetHouseholdMember(w, h2.ID, li.ID, "02")
		ppField(t, err, apperr.Conflict, "person_id")
		if p, _ := f.reg.PersonByID(w, li.ID); p.HouseholdID == nil || *p.HouseholdID != h.ID {
			t.Fatalf("people.household_id not kept: %+v", p.HouseholdID)
		}
		// A key-group member is left out for a reader without
		// registry.keygroup, and so is a head they may not see.
		f.keyGroup(t, zhang.ID)
		seen, err := f.reg.HouseholdByID(ppAs("410105001001", ppReader...), h.ID)
		if err != nil || len(seen.Members) != 1 || seen.Members[0].PersonID != li.ID || seen.HeadPersonID != nil {
			t.Fatalf("a key-group member is shown: %v %+v", err, seen)
		}
		if all, _ := f.reg.HouseholdByID(ppAs("410105001001", ppOfficer...), h.ID); len(all.Members) != 2 || all.HeadPersonID == nil {
			t.Fatalf("an officer with registry.keygroup misses members: %+v", all)
		}
		if _, err := f.d.Exec(context.Background(), `UPDATE people SET key_group = ? WHERE id = ?`, false, zhang.ID); err != nil {
			t.Fatal(err)
		}
		// Moving 李四: removal, then addition.
		h, err = f.reg.RemoveHouseholdMember(w, h.ID, li.ID)
		if err != nil || len(h.Members) != 1 {
			t.Fatalf("remove: %v %+v", err, h)
		}
		_, err = f.reg.RemoveHouseholdMember(w, h.ID, li.ID)
		ppCode(t, err, apperr.NotFound)
		if h2, err = f.reg.SetHouseholdMember(w, h2.ID, li.ID, "02"); err != nil || *h2.HeadPersonID != li.ID {
			t.Fatalf("move: %v", err)
		}
		// The head leaves: the household has none.
		h, err = f.reg.RemoveHouseholdMember(w, h.ID, zhang.ID)
		if err != nil || h.HeadPersonID != nil || len(h.Members) != 0 {
			t.Fatalf("head leaves: %v %+v", err, h)
		}
		if p, _ := f.reg.PersonByID(w, zhang.ID); p.HouseholdID != nil {
			t.Fatal("people.household_id not cleared")
		}
		_, err = f.reg.HouseholdByID(ppAs("410102", ppReader...), h.ID)
		ppCode(t, err, apperr.NotFound)
		// Removing a person takes them out of their household.
		ppCode(t, f.reg.RemovePerson(w, li.ID, "死亡注销"), "")
		if h2, _ = f.reg.HouseholdByID(w, h2.ID); len(h2.Members) != 0 || h2.HeadPersonID != nil {
			t.Fatalf("after removal: %+v", h2)
		}
	})
}

// caseSummaries adapts the case service as cmd/gridgov does.
type caseSummaries struct{ svc *cases.Service }

func (c caseSummaries) CaseSummary(ctx context.Context, id int64) (string, string, string, error) {
	k, err := c.svc.CaseByID(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	return k.Number, string(k.Status), k.CategoryName, nil
}

func TestPersonCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		cs := cases.NewService(d, f.log, f.clk, calendar.Default(), nil)
		if err := cs.EnsureCatalogue(f.sys); err != nil {
			t.Fatal(err)
		}
		f.with(registry.WithCases(caseSummaries{cs}))
		mk := func(grid string) cases.Case {
			c, _, err := cs.CreateCase(f.sys, cases.CaseCreate{CategoryCode: "E010101", Description: "邻里纠纷",
				GridCode: grid, Address: "经八路", Source: cases.SourcePatrol})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		here, there := mk(gridJBL), mk(gridLSZ)
		p := f.person(t, "张三", idZhang, phoneZhang, gridJBL)
		w := ppAs("410105001001", ppWriter[0], ppWriter[1], cases.PermCaseRead)
		ppCode(t, f.reg.LinkCase(w, p.ID, here.ID, "party"), "")
		ppField(t, f.reg.LinkCase(w, p.ID, there.ID, "party"), apperr.Invalid, "case_id")
		ppField(t, f.reg.LinkCase(w, p.ID, here.ID, "boss"), apperr.Invalid, "role")
		ppCode(t, f.reg.LinkCase(f.sys, p.ID, there.ID, "subject"), "")
		refs, err := f.reg.PersonCases(w, p.ID)
		if err != nil || len(refs) != 1 || refs[0].CaseID != here.ID || refs[0].Number != here.Number || refs[0].Role != "party" ||
			refs[0].Category == "" || refs[0].Status == "" {
			t.Fatalf("refs: %v %+v", err, refs)
		}
		if all, _ := f.reg.PersonCases(ppAs("410100", registry.PermRead, cases.PermCaseRead), p.ID); len(all) != 2 {
			t.Fatalf("city sees %d cases, want 2", len(all))
		}
		_, err = f.reg.PersonCases(ppAs("410102", registry.PermRead, cases.PermCaseRead), p.ID)
		ppCode(t, err, apperr.NotFound)
		if f.audits(t, registry.ActPersonLinkCase, p.ID) != 2 {
			t.Fatal("links not audited")
		}
	})
}

// TestHouseholdHouseScope: a household can't be tied to a house the
// creator may not see, and the answer is the same as for a missing house.
func TestHouseholdHouseScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newPeopleFixture(t, d)
		now := time.Now().UTC()
		var house int64
		if err := d.QueryRow(context.Background(), `INSERT INTO houses (address, unit_code, unit_path, source, created_at,
			updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, "中原区某路1号", "410102", ppPath("410102"), "own", now, now).Scan(&house); err != nil {
			t.Fatal(err)
		}
		w := ppAs("410105001001", ppWriter...)
		for _, id := range []int64{house, house + 1000} {
			_, err := f.reg.CreateHousehold(w, registry.HouseholdInput{Number: "H9", GridCode: gridJBL, HouseID: &id})
			ppField(t, err, apperr.Invalid, "house_id")
		}
		if _, err := f.reg.CreateHousehold(f.sys, registry.HouseholdInput{Number: "H9", GridCode: gridJBL, HouseID: &house}); err != nil {
			t.Fatalf("the system may link any house: %v", err)
		}
	})
}
