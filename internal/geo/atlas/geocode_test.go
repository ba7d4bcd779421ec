package atlas_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
)

// geoEnv is the atlas env with boundaries for the orgtest territory and
// the registry's places wired in for geocoding.
type geoEnv struct {
	*env
	places *places.Service
}

// The test geography: 经八路社区 is a U open to the north (its grid the
// same U), 黄河路社区 a square east of it (one grid), the street and the
// district the box around both; 中原区 and its units have no boundary,
// only 林山寨一网格 has one.
var (
	jblU = json.RawMessage(`{"type":"Polygon","coordinates":[[[113.60,34.70],[113.63,34.70],[113.63,34.73],
		[113.62,34.73],[113.62,34.71],[113.61,34.71],[113.61,34.73],[113.60,34.73],[113.60,34.70]]]}`)
	hhlSquare = square(113.63, 34.70, 0.03, 0.03)
	jbStreet  = square(113.60, 34.70, 0.06, 0.03)
	lszSquare = square(113.50, 34.70, 0.01, 0.01)
)

func newGeoEnv(t *testing.T, d *db.DB) *geoEnv {
	t.Helper()
	e := newEnv(t, d)
	for code, b := range map[string]json.RawMessage{orgtest.GridJBL: jblU, orgtest.GridHHL: hhlSquare, orgtest.GridLSZ: lszSquare} {
		if _, err := e.orgs.UpdateGrid(e.sys, code, org.GridUpdate{Boundary: ptr(b)}); err != nil {
			t.Fatal(err)
		}
	}
	for code, b := range map[string]json.RawMessage{"410105001001": jblU, "410105001002": hhlSquare,
		"410105001": jbStreet, "410105": jbStreet} {
		if _, err := e.svc.SetUnitBoundary(e.sys, code, b, "test"); err != nil {
			t.Fatal(err)
		}
	}
	sealer, err := seal.NewSealer(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := audit.New(d, e.clock)
	reg := registry.NewService(d, log, e.clock, sealer, orgtest.Locator{})
	pl := places.NewService(reg, d, log, e.clock)
	e.svc = atlas.NewService(d, log, e.clock, e.orgs, geo.NewFreshLocator(e.orgs, 0, e.clock.Now), pl)
	if err := e.svc.Start(e.sys); err != nil {
		t.Fatal(err)
	}
	return &geoEnv{env: e, places: pl}
}

// addHouse registers a located house in a grid.
func (e *geoEnv) addHouse(t *testing.T, addr, grid string, lat, lng float64) places.House {
	t.Helper()
	h, err := e.places.CreateHouse(e.sys, places.HouseInput{Address: addr, Use: "residential", GridCode: grid,
		Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestGeocode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newGeoEnv(t, d)
		e.addHouse(t, "经八路1号院2号楼3单元301", orgtest.GridJBL, 34.705, 113.605)
		e.addHouse(t, "林山寨路9号院1号楼1单元101", orgtest.GridLSZ, 34.705, 113.505)
		city := orgtest.As("410100", rbac.GridRead, registry.PermRead)
		jinshui := orgtest.As("410105", rbac.GridRead, registry.PermRead)
		gridsOnly := orgtest.As("410100", rbac.GridRead)

		t.Run("registry house first, masked at building level", func(t *testing.T) {
			got, err := e.svc.Geocode(city, "经八路1号院2号楼", "", 0)
			if err != nil || len(got) == 0 {
				t.Fatalf("got %+v, %v", got, err)
			}
			want := atlas.Candidate{Lat: 34.705, Lng: 113.605, GridCode: orgtest.GridJBL, UnitCode: "410105001001",
				Precision: "house", Source: "registry", Label: "经八路1号院2号楼…"}
			if got[0] != want {
				t.Errorf("got %+v, want %+v", got[0], want)
			}
		})
		t.Run("houses outside the actor's scope are not used", func(t *testing.T) {
			got, err := e.svc.Geocode(jinshui, "林山寨路9号院", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if c.Source == "registry" {
					t.Errorf("house outside scope: %+v", c)
				}
			}
			got, _ = e.svc.Geocode(gridsOnly, "经八路1号院2号楼", "", 0)
			for _, c := range got {
				if c.Source == "registry" {
					t.Errorf("house without registry.read: %+v", c)
				}
			}
		})
		t.Run("deepest place named, parents agreeing, point inside", func(t *testing.T) {
			got, err := e.svc.Geocode(city, "郑州市金水区经八路街道经八路社区门口", "", 0)
			if err != nil || len(got) != 1 {
				t.Fatalf("got %+v, %v", got, err)
			}
			c := got[0]
			if c.Precision != "community" || c.UnitCode != "410105001001" || c.GridCode != orgtest.GridJBL ||
				c.Source != "gazetteer" || c.Label != "金水区 经八路街道 经八路社区" {
				t.Errorf("got %+v", c)
			}
			poly, _ := geo.ParseBoundary(jblU)
			if !planar.PolygonContains(poly.(orb.Polygon), orb.Point{c.Lng, c.Lat}) {
				t.Errorf("point %v, %v is outside the concave community", c.Lat, c.Lng)
			}
		})
		t.Run("a community of another street is dropped", func(t *testing.T) {
			got, _ := e.svc.Geocode(city, "中原区林山寨街道黄河路社区", "", 0)
			if len(got) == 0 || got[0].UnitCode != "410102001" || got[0].Precision != "street" || got[0].GridCode != "" {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("grid name and exact name", func(t *testing.T) {
			got, _ := e.svc.Geocode(city, "黄河路一网格", "", 0)
			if len(got) != 1 || got[0].Precision != "grid" || got[0].GridCode != orgtest.GridHHL ||
				got[0].UnitCode != "410105001002" {
				t.Errorf("got %+v", got)
			}
			got, _ = e.svc.Geocode(city, "经八路街道", "", 0)
			if len(got) != 1 || got[0].Precision != "street" || got[0].UnitCode != "410105001" {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("a unit without boundary is placed inside its grid", func(t *testing.T) {
			got, _ := e.svc.Geocode(city, "林山寨社区", "", 0)
			if len(got) != 1 || got[0].GridCode != orgtest.GridLSZ || got[0].Lat < 34.70 || got[0].Lat > 34.71 ||
				got[0].Lng < 113.50 || got[0].Lng > 113.51 {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("gcj02 output, errors", func(t *testing.T) {
			w, _ := e.svc.Geocode(city, "黄河路一网格", "", 0)
			g, _ := e.svc.Geocode(city, "黄河路一网格", "gcj02", 0)
			if glat, glng := geo.WGS84ToGCJ02(w[0].Lat, w[0].Lng); g[0].Lat != glat || g[0].Lng != glng {
				t.Errorf("gcj02: got %+v from %+v", g[0], w[0])
			}
			_, err := e.svc.Geocode(city, "  ", "", 0)
			orgtest.WantField(t, err, apperr.Invalid, "address")
			_, err = e.svc.Geocode(orgtest.As("410100", rbac.CaseRead), "经八路街道", "", 0)
			orgtest.WantCode(t, err, apperr.Forbidden)
			got, err := e.svc.Geocode(city, "火星路", "", 0)
			if err != nil || len(got) != 0 {
				t.Errorf("unknown: got %+v, %v", got, err)
			}
		})
		t.Run("gazetteer follows boundary changes", func(t *testing.T) {
			e.clock.Advance(1e9)
			if _, err := e.orgs.UpdateGrid(e.sys, orgtest.GridHHL, org.GridUpdate{Boundary: ptr(square(113.70, 34.80, 0.01, 0.01))}); err != nil {
				t.Fatal(err)
			}
			got, _ := e.svc.Geocode(city, "黄河路一网格", "", 0)
			if len(got) != 1 || got[0].Lat < 34.80 || got[0].Lng < 113.70 {
				t.Errorf("got %+v", got)
			}
		})
	})
}

func TestLocateAddress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newGeoEnv(t, d)
		e.addHouse(t, "经八路1号院2号楼3单元301", orgtest.GridJBL, 34.705, 113.605)
		e.addHouse(t, "同名路5号", orgtest.GridJBL, 34.705, 113.605)
		e.addHouse(t, "同名路5号", orgtest.GridHHL, 34.715, 113.645)
		// A reporter with case rights only: no grid.read, no registry.read.
		reporter := orgtest.As("410105", registry.PermRead)
		tests := []struct {
			addr, grid string
			ok         bool
		}{
			{"经八路1号院2号楼3单元301", orgtest.GridJBL, true},
			{"金水区经八路街道黄河路社区", orgtest.GridHHL, true}, // community with one grid
			{"经八路街道", "", false},                     // a street names no grid
			{"同名路5号", "", false},                     // two houses, two grids: ambiguous
			{"火星路", "", false},
			{"", "", false},
		}
		for _, tt := range tests {
			c, ok, err := e.svc.LocateAddress(reporter, tt.addr)
			if err != nil || ok != tt.ok || c.GridCode != tt.grid && tt.ok {
				t.Errorf("%q: got %+v %v %v, want grid %q %v", tt.addr, c, ok, err, tt.grid, tt.ok)
			}
		}
	})
}

func TestReverse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newGeoEnv(t, d)
		h := e.addHouse(t, "经八路1号院2号楼3单元301", orgtest.GridJBL, 34.705, 113.605)
		e.addHouse(t, "林山寨路9号院1号楼1单元101", orgtest.GridLSZ, 34.705, 113.505)
		jinshui := orgtest.As("410105", rbac.GridRead, registry.PermRead)
		got, err := e.svc.Reverse(jinshui, 34.7051, 113.6051, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.GridCode != orgtest.GridJBL || got.UnitCode != "410105001001" || len(got.Units) != 3 ||
			got.Units[0].Name != "金水区" || got.Units[2].Name != "经八路社区" {
			t.Errorf("got %+v", got)
		}
		if len(got.Houses) != 1 || got.Houses[0].ID != h.ID || got.Houses[0].Label != "经八路1号院2号楼…" ||
			got.Houses[0].DistanceM <= 0 || got.Houses[0].DistanceM > 30 {
			t.Errorf("houses (the 中原区 one is out of scope): %+v", got.Houses)
		}
		// In the U's notch: no grid, but inside the street's boundary.
		got, err = e.svc.Reverse(jinshui, 34.725, 113.615, "")
		if err != nil || got.GridCode != "" || got.UnitCode != "410105001" || len(got.Units) != 2 {
			t.Errorf("notch: got %+v, %v", got, err)
		}
		glat, glng := geo.WGS84ToGCJ02(34.7051, 113.6051)
		got, err = e.svc.Reverse(jinshui, glat, glng, "gcj02")
		if err != nil || got.GridCode != orgtest.GridJBL {
			t.Errorf("gcj02: got %+v, %v", got, err)
		}
		_, err = e.svc.Reverse(jinshui, 91, 113, "")
		orgtest.WantField(t, err, apperr.Invalid, "lat")
		_, err = e.svc.Reverse(orgtest.As("410105", registry.PermRead), 34.7, 113.6, "")
		orgtest.WantCode(t, err, apperr.Forbidden)
	})
}
