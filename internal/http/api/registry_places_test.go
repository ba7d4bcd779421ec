package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/registry/places"
)

// withPlaces gives the fixture a grid in a community of each district
// (G410105001001, G410102001001).
func withPlaces(t *testing.T, f *fixture) {
	t.Helper()
	for _, g := range []org.GridInput{
		{Code: "G410105001001", Name: "金水一网格", Level: 3, UnitCode: "410105001001"},
		{Code: "G410102001001", Name: "中原一网格", Level: 3, UnitCode: "410102001001"},
	} {
		if _, err := f.org.CreateGrid(f.sys, g); err != nil {
			t.Fatal(err)
		}
	}
}

// placesPerson adds a person of a community's grid.
func (f *fixture) placesPerson(t *testing.T, name, grid, community string) int64 {
	t.Helper()
	var path string
	if err := f.db.QueryRow(context.Background(), `SELECT path FROM org_units WHERE code = ?`, community).Scan(&path); err != nil {
		t.Fatal(err)
	}
	var id int64
	now := f.clock.Now()
	if err := f.db.QueryRow(context.Background(), `INSERT INTO people (name, grid_code, unit_code, unit_path, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'own', ?, ?) RETURNING id`, name, grid, community, path, now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// want fails unless res has status.
func want(t *testing.T, res response, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("got %d %s, want %d", res.status, res.body, status)
	}
}

func TestPlacesHousesEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withPlaces(t, f)
		js, zy := f.login("admin-410105"), f.login("admin-410102")
		owner := f.placesPerson(t, "张三", "G410105001001", "410105001001")

		var h places.House
		res := f.do("POST", "/api/v1/houses", js, map[string]any{"code": "H1", "address": "经八路1号院2号楼", "rented": true,
			"owner_id": owner, "lat": 34.7701, "lng": 113.6801, "grid_code": "G410105001001"})
		want(t, res, http.StatusCreated)
		res.json(t, &h)
		if h.ID == 0 || h.Version != 1 || h.UnitCode != "410105001001" || *h.OwnerID != owner {
			t.Fatalf("created %s", res.body)
		}
		want(t, f.do("POST", "/api/v1/houses", js, map[string]any{"code": "H1", "address": "x", "grid_code": "G410105001001"}), http.StatusConflict)
		res = f.do("POST", "/api/v1/houses", js, map[string]any{"address": "", "grid_code": "G410105001001"})
		want(t, res, http.StatusUnprocessableEntity)
		if res.errorBody(t).Fields["address"] == "" {
			t.Fatalf("422 without the address field: %s", res.body)
		}
		want(t, f.do("POST", "/api/v1/houses", js, map[string]any{"address": "x", "grid_code": "G410105001001", "bogus": 1}), http.StatusUnprocessableEntity)
		must200 := func(path, token string, v any) {
			t.Helper()
			res := f.do("GET", path, token, nil)
			want(t, res, http.StatusOK)
			res.json(t, v)
		}
		var hl list[places.House]
		must200("/api/v1/houses?rented=true&address=2%E5%8F%B7%E6%A5%BC&limit=10", js, &hl)
		if hl.Total != 1 || len(hl.Items) != 1 || hl.Items[0].ID != h.ID {
			t.Fatalf("list: %+v", hl)
		}
		must200("/api/v1/houses", zy, &hl)
		if hl.Total != 0 {
			t.Fatalf("other district lists %d", hl.Total)
		}
		want(t, f.do("GET", "/api/v1/houses?rented=maybe", js, nil), http.StatusUnprocessableEntity)
		path := fmt.Sprintf("/api/v1/houses/%d", h.ID)
		want(t, f.do("GET", path, zy, nil), http.StatusNotFound)

		// PATCH keeps what it leaves out; a stale version is 409.
		res = f.do("PATCH", path, js, map[string]any{"use": "mixed", "version": 1})
		want(t, res, http.StatusOK)
		res.json(t, &h)
		if h.Use != "mixed" || h.Code != "H1" || !h.Rented || h.Version != 2 {
			t.Fatalf("patched %s", res.body)
		}
		want(t, f.do("PATCH", path, js, map[string]any{"use": "office", "version": 1}), http.StatusConflict)
		res = f.do("POST", path+"/verify", js, map[string]any{"note": "入户核对"})
		want(t, res, http.StatusOK)
		res.json(t, &h)
		if h.VerifiedAt == nil {
			t.Fatalf("not verified: %s", res.body)
		}
		want(t, f.do("POST", path+"/verify", js, nil), http.StatusOK)

		// Occupants.
		tenant := f.placesPerson(t, "王五", "G410105001001", "410105001001")
		res = f.do("POST", path+"/occupants", js, map[string]any{"person_id": tenant, "role": "tenant", "started_on": "2026-01-01"})
		want(t, res, http.StatusCreated)
		res.json(t, &h)
		if len(h.Occupants) != 1 || h.Occupants[0].Name != "王五" {
			t.Fatalf("occupants %s", res.body)
		}
		want(t, f.do("POST", path+"/occupants", js, map[string]any{"person_id": tenant, "role": "tenant"}), http.StatusConflict)
		want(t, f.do("DELETE", fmt.Sprintf("%s/occupants/%d?role=owner", path, tenant), js, nil), http.StatusNotFound)
		res = f.do("DELETE", fmt.Sprintf("%s/occupants/%d", path, tenant), js, nil)
		want(t, res, http.StatusOK)
		h = places.House{}
		res.json(t, &h)
		if h.ID == 0 || len(h.Occupants) != 0 {
			t.Fatalf("after delete %s", res.body)
		}

		// Reverse geocoding and geocoding.
		var near list[places.NearHouse]
		must200("/api/v1/houses/nearest?lat=34.77&lng=113.68&limit=5", js, &near)
		if near.Total != 1 || near.Items[0].ID != h.ID || near.Items[0].DistanceM <= 0 || near.Items[0].DistanceM > 20 {
			t.Fatalf("nearest %+v", near)
		}
		want(t, f.do("GET", "/api/v1/houses/nearest?lat=34.77", js, nil), http.StatusUnprocessableEntity)
		want(t, f.do("PATCH", "/api/v1/houses/nearest", js, map[string]any{}), http.StatusMethodNotAllowed)
		must200("/api/v1/houses/geocode?address=%E7%BB%8F%E5%85%AB%E8%B7%AF", js, &hl)
		if hl.Total != 1 || hl.Items[0].ID != h.ID {
			t.Fatalf("geocode %+v", hl)
		}
	})
}

func TestPlacesRecordsEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		withPlaces(t, f)
		js, zy := f.login("admin-410105"), f.login("admin-410102")

		// Organisations: USCC checked and unique, the phone masked.
		var o places.Organisation
		res := f.do("POST", "/api/v1/organisations", js, map[string]any{"kind": "enterprise", "name": "郑州某某科技有限公司",
			"uscc": "914403001922038216", "phone": "13837125678", "grid_code": "G410105001001"})
		want(t, res, http.StatusCreated)
		res.json(t, &o)
		if o.Phone != "138****5678" || bytes.Contains(res.body, []byte("13837125678")) {
			t.Fatalf("created %s", res.body)
		}
		res = f.do("POST", "/api/v1/organisations", js, map[string]any{"kind": "social", "name": "x", "uscc": "914403001922038216", "grid_code": "G410105001001"})
		want(t, res, http.StatusConflict)
		if _, ok := res.errorBody(t).Fields["uscc"]; !ok {
			t.Fatalf("409 without uscc: %s", res.body)
		}
		res = f.do("POST", "/api/v1/organisations", js, map[string]any{"kind": "social", "name": "x", "uscc": "914403001922038217", "grid_code": "G410105001001"})
		want(t, res, http.StatusUnprocessableEntity)
		opath := fmt.Sprintf("/api/v1/organisations/%d", o.ID)
		res = f.do("PATCH", opath, js, map[string]any{"name": "郑州某某科技股份有限公司"})
		want(t, res, http.StatusOK)
		res.json(t, &o)
		if o.Phone != "138****5678" || o.Version != 2 {
			t.Fatalf("patched %s", res.body)
		}
		var ol list[places.Organisation]
		res = f.do("GET", "/api/v1/organisations?phone=13837125678&kind=enterprise", js, nil)
		want(t, res, http.StatusOK)
		res.json(t, &ol)
		if ol.Total != 1 {
			t.Fatalf("by phone %s", res.body)
		}
		want(t, f.do("GET", opath, zy, nil), http.StatusNotFound)
		want(t, f.do("POST", opath+"/verify", js, nil), http.StatusOK)

		// Components.
		var c places.Component
		res = f.do("POST", "/api/v1/components", js, map[string]any{"object_code": "4101050105000001", "category_code": "C010105",
			"name": "路灯", "lat": 34.77, "lng": 113.68, "grid_code": "G410105001001"})
		want(t, res, http.StatusCreated)
		res.json(t, &c)
		res = f.do("POST", "/api/v1/components", js, map[string]any{"object_code": "4101050201000001", "category_code": "C010105",
			"name": "路灯", "grid_code": "G410105001001"})
		want(t, res, http.StatusUnprocessableEntity)
		if res.errorBody(t).Fields["object_code"] == "" {
			t.Fatalf("422 without object_code: %s", res.body)
		}
		var cl list[places.Component]
		res = f.do("GET", "/api/v1/components?min_lat=34.7&min_lng=113.6&max_lat=34.8&max_lng=113.7&status=intact", js, nil)
		want(t, res, http.StatusOK)
		res.json(t, &cl)
		if cl.Total != 1 || cl.Items[0].ID != c.ID {
			t.Fatalf("bbox %s", res.body)
		}
		want(t, f.do("GET", "/api/v1/components?min_lat=91", js, nil), http.StatusUnprocessableEntity)
		cpath := fmt.Sprintf("/api/v1/components/%d", c.ID)
		res = f.do("PATCH", cpath, js, map[string]any{"status": "damaged", "version": 1})
		want(t, res, http.StatusOK)
		res.json(t, &c)
		if c.Status != "damaged" || c.Version != 2 {
			t.Fatalf("patched %s", res.body)
		}
		want(t, f.do("GET", cpath, zy, nil), http.StatusNotFound)
		want(t, f.do("POST", cpath+"/verify", js, map[string]any{}), http.StatusOK)

		// Rosters.
		var kinds struct{ Rosters []string }
		res = f.do("GET", "/api/v1/rosters", js, nil)
		want(t, res, http.StatusOK)
		res.json(t, &kinds)
		if len(kinds.Rosters) != len(places.Rosters) {
			t.Fatalf("rosters %s", res.body)
		}
		want(t, f.do("POST", "/api/v1/rosters/knitting", js, map[string]any{"name": "x", "grid_code": "G410105001001"}), http.StatusNotFound)
		p := f.placesPerson(t, "钱八", "G410105001001", "410105001001")
		var e places.RosterEntry
		res = f.do("POST", "/api/v1/rosters/volunteer", js, map[string]any{"person_id": p, "role": "巡逻", "grid_code": "G410105001001"})
		want(t, res, http.StatusCreated)
		res.json(t, &e)
		if e.Name != "钱八" || !e.Active {
			t.Fatalf("entry %s", res.body)
		}
		epath := fmt.Sprintf("/api/v1/rosters/volunteer/%d", e.ID)
		want(t, f.do("GET", fmt.Sprintf("/api/v1/rosters/activist/%d", e.ID), js, nil), http.StatusNotFound)
		res = f.do("PATCH", epath, js, map[string]any{"active": false})
		want(t, res, http.StatusOK)
		res.json(t, &e)
		if e.Active || e.Version != 2 || e.Role != "巡逻" {
			t.Fatalf("patched %s", res.body)
		}
		var el list[places.RosterEntry]
		res = f.do("GET", "/api/v1/rosters/volunteer?active=false&name=%E9%92%B1", js, nil)
		want(t, res, http.StatusOK)
		res.json(t, &el)
		if el.Total != 1 {
			t.Fatalf("list %s", res.body)
		}
		res = f.do("GET", "/api/v1/rosters/volunteer", zy, nil)
		want(t, res, http.StatusOK)
		res.json(t, &el)
		if el.Total != 0 {
			t.Fatalf("other district %s", res.body)
		}
		want(t, f.do("POST", epath+"/verify", js, nil), http.StatusOK)
	})
}
