package places_test

import (
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
)

// TestDeleteHouse removes a house with a reason: out of scope it is not
// found, without a reason or with a stale version it is refused, a house an
// organisation points at is kept, and the occupants go with the house.
func TestDeleteHouse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		w := as(jinshui, rw...)
		h := must(f.svc.CreateHouse(w, places.HouseInput{Address: "经八路5号", GridCode: "G410105001001"}))
		p := f.person(t, "王五", "G410105001001", false)
		h = must(f.svc.AddOccupant(w, h.ID, places.OccupantInput{PersonID: p, Role: "tenant"}))

		wantCode(t, f.svc.DeleteHouse(as("410102", rw...), h.ID, h.Version, "gone"), apperr.NotFound)
		wantCode(t, f.svc.DeleteHouse(as(jinshui, registry.PermRead), h.ID, h.Version, "gone"), apperr.Forbidden)
		wantField(t, f.svc.DeleteHouse(w, h.ID, h.Version, "  "), apperr.Invalid, "reason")
		wantCode(t, f.svc.DeleteHouse(w, h.ID, h.Version-1, "gone"), apperr.Conflict)

		org := must(f.svc.CreateOrganisation(w, places.OrganisationInput{Kind: "enterprise", Name: "店", HouseID: &h.ID,
			GridCode: "G410105001001"}))
		wantCode(t, f.svc.DeleteHouse(w, h.ID, h.Version, "gone"), apperr.Conflict)
		in := org.Input()
		in.HouseID = nil
		must(f.svc.UpdateOrganisation(w, org.ID, in))

		if err := f.svc.DeleteHouse(w, h.ID, h.Version, "demolished"); err != nil {
			t.Fatalf("delete: %v", err)
		}
		_, err := f.svc.HouseByID(w, h.ID)
		wantCode(t, err, apperr.NotFound)
		var n int
		if err := d.QueryRow(f.sys, `SELECT count(*) FROM house_occupants WHERE house_id = ?`, h.ID).Scan(&n); err != nil || n != 0 {
			t.Fatalf("occupants left %d (%v)", n, err)
		}
		if n := f.auditCount(t, "house.delete", "house", h.ID); n != 1 {
			t.Fatalf("audit rows %d", n)
		}
	})
}
