package api

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
	"gridgov/internal/registry/places"
)

// newGeocodeFixture is the API fixture with the map service geocoding
// through the registry's houses: grid G1 (a square in 金水区社区1,
// 410105001001) holds a house at 经八路1号院2号楼3单元301.
func newGeocodeFixture(t *testing.T, d *db.DB) (*fixture, places.House) {
	t.Helper()
	f := newFixture(t, d)
	if _, err := f.org.CreateGrid(f.sys, org.GridInput{Code: "G1", Name: "经八路一网格", Level: 3,
		UnitCode: "410105001001", Boundary: geoSquare(113.60, 34.70, 0.01)}); err != nil {
		t.Fatal(err)
	}
	pl := f.app.Places
	lat, lng := 34.705, 113.605
	h, err := pl.CreateHouse(f.sys, places.HouseInput{Address: "经八路1号院2号楼3单元301", Use: "residential",
		GridCode: "G1", Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	return f, h
}

func TestGeocodeAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f, h := newGeocodeFixture(t, d)
		admin, zhongyuan := f.login("admin"), f.login("admin-410102")
		f.createUser("nobody", "410105", "")
		nobody := f.login("nobody")
		type cands struct {
			Items []atlas.Candidate `json:"items"`
			Total int               `json:"total"`
		}
		geocode := func(token, addr, extra string) response {
			return f.do("GET", "/api/v1/geo/geocode?address="+url.QueryEscape(addr)+extra, token, nil)
		}

		res := geocode(admin, "经八路1号院2号楼", "")
		wantGeoStatus(t, res, http.StatusOK)
		var got cands
		res.json(t, &got)
		want := atlas.Candidate{Lat: 34.705, Lng: 113.605, GridCode: "G1", UnitCode: "410105001001",
			Precision: "house", Source: "registry", Label: "经八路1号院2号楼…"}
		if got.Total != 1 || len(got.Items) != 1 || got.Items[0] != want {
			t.Errorf("house: got %s", res.body)
		}

		// Another district's administrator sees no house, and no place is
		// named "经八路1号院…": nothing.
		res = geocode(zhongyuan, "经八路1号院2号楼", "")
		res.json(t, &got)
		if res.status != http.StatusOK || got.Total != 0 || len(got.Items) != 0 {
			t.Errorf("out of scope: got %d %s", res.status, res.body)
		}

		res = geocode(admin, "金水区金水区一街道金水区社区1", "&crs=gcj02&limit=5")
		res.json(t, &got)
		if res.status != http.StatusOK || len(got.Items) != 1 || got.Items[0].Precision != "community" ||
			got.Items[0].GridCode != "G1" || got.Items[0].Lat == 34.705 {
			t.Errorf("place name: got %d %s", res.status, res.body)
		}

		wantGeoStatus(t, geocode(admin, "", ""), http.StatusUnprocessableEntity)
		// The paging rule: above the maximum is clamped, non-numeric is invalid.
		wantGeoStatus(t, geocode(admin, "x", "&limit=99"), http.StatusOK)
		if e := geocode(admin, "x", "&limit=many").errorBody(t); e.Fields["limit"] == "" {
			t.Errorf("limit: got %+v", e)
		}
		wantGeoStatus(t, geocode(admin, "x", "&crs=bd09"), http.StatusUnprocessableEntity)
		wantGeoStatus(t, geocode(nobody, "经八路1号院", ""), http.StatusForbidden)
		wantGeoStatus(t, geocode("", "经八路1号院", ""), http.StatusUnauthorized)

		var rev atlas.Reversed
		res = f.do("GET", "/api/v1/geo/reverse?lat=34.7051&lng=113.6051", admin, nil)
		wantGeoStatus(t, res, http.StatusOK)
		res.json(t, &rev)
		if rev.GridCode != "G1" || rev.UnitCode != "410105001001" || len(rev.Units) != 3 || rev.Units[0].Code != "410105" ||
			len(rev.Houses) != 1 || rev.Houses[0].ID != h.ID || rev.Houses[0].Label != "经八路1号院2号楼…" {
			t.Errorf("reverse: got %s", res.body)
		}
		glat, glng := geo.WGS84ToGCJ02(34.7051, 113.6051)
		res = f.do("GET", "/api/v1/geo/reverse?crs=gcj02&lat="+ftoa(glat)+"&lng="+ftoa(glng), zhongyuan, nil)
		res.json(t, &rev)
		if res.status != http.StatusOK || rev.GridCode != "G1" || len(rev.Houses) != 0 {
			t.Errorf("reverse gcj02, house out of scope: got %d %s", res.status, res.body)
		}
		res = f.do("GET", "/api/v1/geo/reverse?lat=abc&lng=113.6", admin, nil)
		if e := res.errorBody(t); res.status != http.StatusUnprocessableEntity || e.Fields["lat"] == "" {
			t.Errorf("bad lat: got %d %s", res.status, res.body)
		}
	})
}

// ftoa prints degrees for a query string.
func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
