package server

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
)

// TestTerritoryCentre: the portal's map opens at the centre of the
// districts' outlines; without outlines or without the service, nowhere.
func TestTerritoryCentre(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.System{}
		log := audit.New(d, clk)
		orgs := org.NewService(d, log, clk)
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		for _, u := range []org.UnitInput{
			{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
			{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
			{Code: "410102", Name: "中原区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
		} {
			if _, err := orgs.CreateUnit(sys, u); err != nil {
				t.Fatal(err)
			}
		}
		geo := atlas.NewService(d, log, clk, orgs, nil, nil)
		if _, ok := territoryCentre(nil); ok {
			t.Error("a centre without the atlas service")
		}
		if _, ok := territoryCentre(geo); ok {
			t.Error("a centre without any outline")
		}
		for code, ring := range map[string]string{
			"410105": `[[113.6,34.7],[113.7,34.7],[113.7,34.8],[113.6,34.8],[113.6,34.7]]`,
			"410102": `[[113.5,34.7],[113.6,34.7],[113.6,34.9],[113.5,34.9],[113.5,34.7]]`,
		} {
			if _, err := geo.SetUnitBoundary(sys, code, json.RawMessage(`{"type":"Polygon","coordinates":[`+ring+`]}`), "test"); err != nil {
				t.Fatalf("boundary %s: %v", code, err)
			}
		}
		c, ok := territoryCentre(geo)
		if !ok || math.Abs(c[0]-34.8) > 1e-9 || math.Abs(c[1]-113.6) > 1e-9 {
			t.Fatalf("centre %v %v, want (34.8, 113.6)", c, ok)
		}
	})
}
