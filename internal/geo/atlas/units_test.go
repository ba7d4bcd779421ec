package atlas_test

import (
	"encoding/json"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/orgtest"
)

func TestUnitBoundary(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		jinshui := writer("410105")
		u, err := e.svc.SetUnitBoundary(jinshui, "410105001001", square(113.6, 34.7, 0.02, 0.02), "survey 2026")
		if err != nil {
			t.Fatal(err)
		}
		if u.BoundarySource != "survey 2026" || len(u.Boundary) == 0 {
			t.Fatalf("got %+v", u)
		}
		if n := auditCount(t, d, "geo.unit.boundary"); n != 1 {
			t.Errorf("audit entries = %d, want 1", n)
		}
		t.Run("bad geometry", func(t *testing.T) {
			_, err := e.svc.SetUnitBoundary(jinshui, "410105001001", bowtie, "")
			orgtest.WantField(t, err, apperr.Invalid, "boundary")
		})
		t.Run("out of scope", func(t *testing.T) {
			_, err := e.svc.SetUnitBoundary(writer("410102"), "410105001001", square(113.6, 34.7, 0.01, 0.01), "")
			orgtest.WantCode(t, err, apperr.NotFound)
			_, err = e.svc.SetUnitBoundary(reader("410105"), "410105001001", square(113.6, 34.7, 0.01, 0.01), "")
			orgtest.WantCode(t, err, apperr.Forbidden)
		})
		t.Run("department", func(t *testing.T) {
			_, err := e.svc.SetUnitBoundary(jinshui, "410105-cgj", square(113.6, 34.7, 0.01, 0.01), "")
			orgtest.WantField(t, err, apperr.Invalid, "code")
		})
		t.Run("shapes", func(t *testing.T) {
			got, err := e.svc.UnitShapes(reader("410100"), atlas.UnitShapeFilter{Level: "community"})
			if err != nil || len(got) != 1 || got[0].Code != "410105001001" {
				t.Fatalf("got %v, %v", got, err)
			}
			far := &atlas.BBox{MinLng: 100, MinLat: 30, MaxLng: 101, MaxLat: 31}
			got, _ = e.svc.UnitShapes(reader("410100"), atlas.UnitShapeFilter{BBox: far})
			if len(got) != 0 {
				t.Errorf("far bbox: got %d units", len(got))
			}
			got, _ = e.svc.UnitShapes(reader("410102"), atlas.UnitShapeFilter{})
			if len(got) != 0 {
				t.Errorf("other district sees %d units", len(got))
			}
		})
		t.Run("remove", func(t *testing.T) {
			u, err := e.svc.SetUnitBoundary(jinshui, "410105001001", json.RawMessage("null"), "")
			if err != nil || u.Boundary != nil {
				t.Fatalf("got %+v, %v", u, err)
			}
		})
	})
}
