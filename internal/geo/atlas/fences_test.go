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

func TestFences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		jinshui := writer("410105")
		area, err := e.svc.CreateFence(jinshui, atlas.FenceInput{Name: "工地", Kind: "polygon",
			Geometry: square(113.60, 34.70, 0.01, 0.01), BoundTo: "grid", BoundRef: orgtest.GridJBL, UnitCode: "410105001001"})
		if err != nil {
			t.Fatal(err)
		}
		circle, err := e.svc.CreateFence(jinshui, atlas.FenceInput{Name: "学校", Kind: "circle", Lat: 34.705, Lng: 113.605,
			RadiusM: 200, UnitCode: "410105"})
		if err != nil {
			t.Fatal(err)
		}
		if !area.Active || area.Version != 1 || auditCount(t, d, "geo.fence.create") != 2 {
			t.Fatalf("got %+v", area)
		}
		t.Run("refused", func(t *testing.T) {
			_, err := e.svc.CreateFence(jinshui, atlas.FenceInput{Name: "x", Kind: "polygon", Geometry: bowtie, UnitCode: "410105"})
			orgtest.WantField(t, err, apperr.Invalid, "geometry")
			_, err = e.svc.CreateFence(jinshui, atlas.FenceInput{Name: "x", Kind: "circle", Lat: 34.7, Lng: 113.6, UnitCode: "410105"})
			orgtest.WantField(t, err, apperr.Invalid, "radius_m")
			_, err = e.svc.CreateFence(jinshui, atlas.FenceInput{Name: "x", Kind: "circle", Lat: 34.7, Lng: 113.6, RadiusM: 5,
				BoundTo: "grid", BoundRef: "nope", UnitCode: "410105"})
			orgtest.WantField(t, err, apperr.Invalid, "bound_ref")
			_, err = e.svc.CreateFence(writer("410102"), atlas.FenceInput{Name: "x", Kind: "circle", Lat: 34.7, Lng: 113.6,
				RadiusM: 5, UnitCode: "410105"})
			orgtest.WantCode(t, err, apperr.NotFound)
		})
		t.Run("in and out", func(t *testing.T) {
			for _, c := range []struct {
				id       int64
				lat, lng float64
				in       bool
			}{{area.ID, 34.705, 113.605, true}, {area.ID, 34.72, 113.605, false},
				{circle.ID, 34.706, 113.605, true}, {circle.ID, 34.71, 113.605, false}} {
				got, err := e.svc.TestFence(reader("410105"), c.id, c.lat, c.lng)
				if err != nil || got != c.in {
					t.Errorf("fence %d at %v,%v: got %v, %v; want %v", c.id, c.lat, c.lng, got, err, c.in)
				}
			}
			_, err := e.svc.TestFence(reader("410102"), area.ID, 34.7, 113.6)
			orgtest.WantCode(t, err, apperr.NotFound)
		})
		t.Run("fences at", func(t *testing.T) {
			got, err := e.svc.FencesAt(reader("410105"), 34.705, 113.605, "")
			if err != nil || len(got) != 2 {
				t.Fatalf("got %v, %v", got, err)
			}
			got, _ = e.svc.FencesAt(reader("410105"), 34.705, 113.605, "grid")
			if len(got) != 1 || got[0].ID != area.ID {
				t.Errorf("bound to grid: %v", got)
			}
			got, _ = e.svc.FencesAt(reader("410105001001"), 34.705, 113.605, "")
			if len(got) != 1 || got[0].ID != area.ID {
				t.Errorf("community scope: %v", got) // the circle belongs to the district
			}
		})
		t.Run("update and delete", func(t *testing.T) {
			moved := square(113.70, 34.70, 0.01, 0.01)
			g := json.RawMessage(moved)
			up, err := e.svc.UpdateFence(jinshui, area.ID, atlas.FenceUpdate{Geometry: &g, Version: 1})
			if err != nil || up.Version != 2 {
				t.Fatalf("got %+v, %v", up, err)
			}
			_, err = e.svc.UpdateFence(jinshui, area.ID, atlas.FenceUpdate{Name: ptr("y"), Version: 1})
			orgtest.WantCode(t, err, apperr.Conflict)
			got, _ := e.svc.FencesAt(reader("410105"), 34.705, 113.605, "")
			if len(got) != 1 || got[0].ID != circle.ID {
				t.Errorf("after moving the area: %v", got)
			}
			off := false
			if _, err := e.svc.UpdateFence(jinshui, circle.ID, atlas.FenceUpdate{Active: &off}); err != nil {
				t.Fatal(err)
			}
			if got, _ := e.svc.FencesAt(reader("410105"), 34.705, 113.605, ""); len(got) != 0 {
				t.Errorf("inactive fence answers: %v", got)
			}
			if err := e.svc.DeleteFence(jinshui, area.ID); err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.FenceByID(jinshui, area.ID)
			orgtest.WantCode(t, err, apperr.NotFound)
			list, _ := e.svc.Fences(reader("410100"), atlas.FenceFilter{})
			if len(list) != 1 || auditCount(t, d, "geo.fence.delete") != 1 || auditCount(t, d, "geo.fence.update") != 2 {
				t.Errorf("list %v", list)
			}
		})
	})
}
