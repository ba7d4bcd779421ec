package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
)

// geoFixture is the API fixture with the map service and one grid with a
// boundary in 金水区社区1 (410105001001).
type geoFixture struct {
	*fixture
	admin, jinshui, zhongyuan string
}

func geoSquare(x, y, d float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		x, y, x+d, y, x+d, y+d, x, y+d, x, y))
}

func newGeoFixture(t *testing.T, d *db.DB) *geoFixture {
	f := newFixture(t, d)
	for _, g := range []org.GridInput{
		{Code: "G1", Name: "一网格", Level: 3, UnitCode: "410105001001", Boundary: geoSquare(113.60, 34.70, 0.01)},
		{Code: "G2", Name: "二网格", Level: 3, UnitCode: "410102001001"},
	} {
		if _, err := f.org.CreateGrid(f.sys, g); err != nil {
			t.Fatal(err)
		}
	}
	return &geoFixture{fixture: f, admin: f.login("admin"), jinshui: f.login("admin-410105"), zhongyuan: f.login("admin-410102")}
}

func wantGeoStatus(t *testing.T, res response, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("got %d %s, want %d", res.status, res.body, want)
	}
}

// upload posts a multipart import.
func (f *geoFixture) upload(token, filename string, data []byte, fields map[string]string) response {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	part, _ := mw.CreateFormFile("file", filename)
	_, _ = part.Write(data)
	_ = mw.Close()
	return f.doHeader("POST", "/api/v1/geo/import", token, body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
}

func TestGeoAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newGeoFixture(t, d)
		t.Run("locate", func(t *testing.T) {
			res := f.do("GET", "/api/v1/geo/locate?lat=34.705&lng=113.605", f.zhongyuan, nil)
			wantGeoStatus(t, res, 200)
			var got atlas.Located
			res.json(t, &got)
			if got != (atlas.Located{GridCode: "G1", UnitCode: "410105001001"}) {
				t.Errorf("got %+v", got)
			}
			wantGeoStatus(t, f.do("GET", "/api/v1/geo/locate?lat=34.9&lng=113.9", f.admin, nil), 404)
			res = f.do("GET", "/api/v1/geo/locate?lng=113.9", f.admin, nil)
			wantGeoStatus(t, res, 422)
			if _, ok := res.errorBody(t).Fields["lat"]; !ok {
				t.Errorf("got %s", res.body)
			}
			wantGeoStatus(t, f.do("GET", "/api/v1/geo/locate?lat=34.7&lng=113.6", "", nil), 401)
		})
		t.Run("grids", func(t *testing.T) {
			res := f.do("GET", "/api/v1/geo/grids?bbox=113.5,34.6,113.7,34.8&level=3", f.admin, nil)
			wantGeoStatus(t, res, 200)
			if ct := res.header.Get("Content-Type"); ct != "application/geo+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var fc struct {
				Type     string
				Total    int
				Features []struct {
					ID         string
					Properties map[string]any
					Geometry   json.RawMessage
				}
			}
			res.json(t, &fc)
			if fc.Type != "FeatureCollection" || fc.Total != 1 || fc.Features[0].ID != "G1" ||
				fc.Features[0].Properties["unit_name"] != "金水区社区1" || len(fc.Features[0].Geometry) < 10 {
				t.Errorf("got %s", res.body)
			}
			res = f.do("GET", "/api/v1/geo/grids", f.zhongyuan, nil)
			res.json(t, &fc)
			if fc.Total != 0 {
				t.Errorf("中原区 sees %s", res.body)
			}
			wantGeoStatus(t, f.do("GET", "/api/v1/geo/grids?bbox=1,2", f.admin, nil), 422)
		})
		t.Run("unit boundary", func(t *testing.T) {
			body := map[string]any{"boundary": geoSquare(113.60, 34.70, 0.02), "boundary_source": "测绘"}
			wantGeoStatus(t, f.do("PUT", "/api/v1/geo/units/410105001001/boundary", f.zhongyuan, body), 404)
			wantGeoStatus(t, f.do("PUT", "/api/v1/geo/units/410105001001/boundary", f.jinshui,
				map[string]any{"boundary": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{1, 1}, {2, 2}, {1, 1}}}}}), 422)
			wantGeoStatus(t, f.do("PUT", "/api/v1/geo/units/410105001001/boundary", f.jinshui, body), 200)
			res := f.do("GET", "/api/v1/geo/units?level=community", f.admin, nil)
			wantGeoStatus(t, res, 200)
			if !strings.Contains(string(res.body), `"410105001001"`) || res.header.Get("Content-Type") != "application/geo+json" {
				t.Errorf("got %s", res.body)
			}
		})
		t.Run("coverage", func(t *testing.T) {
			res := f.do("GET", "/api/v1/geo/coverage/410105001001", f.jinshui, nil)
			wantGeoStatus(t, res, 200)
			var rep atlas.CoverageReport
			res.json(t, &rep)
			if rep.OK || len(rep.Problems) != 1 || rep.Problems[0].Kind != "gap" {
				t.Errorf("got %s", res.body)
			}
			wantGeoStatus(t, f.do("GET", "/api/v1/geo/coverage/410105001001", f.zhongyuan, nil), 404)
		})
		t.Run("import and export", func(t *testing.T) {
			data := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"WGBM":"G2"},"geometry":` +
				string(geoSquare(113.50, 34.70, 0.01)) + `}]}`)
			fields := map[string]string{"target": "grids", "code_property": "WGBM", "dry_run": "true"}
			res := f.upload(f.jinshui, "g.geojson", data, fields)
			wantGeoStatus(t, res, 422) // G2 is 中原区's: unknown to 金水区
			var rep atlas.ImportReport
			res.json(t, &rep)
			if rep.Applied || rep.Invalid != 1 || !strings.Contains(rep.Features[0].Error, "unknown code") {
				t.Errorf("got %s", res.body)
			}
			res = f.upload(f.zhongyuan, "g.geojson", data, fields)
			wantGeoStatus(t, res, 200)
			res.json(t, &rep)
			if rep.Applied || !rep.DryRun || rep.Changed != 1 {
				t.Errorf("dry run: %s", res.body)
			}
			delete(fields, "dry_run")
			res = f.upload(f.zhongyuan, "g.geojson", data, fields)
			wantGeoStatus(t, res, 200)
			res = f.do("GET", "/api/v1/geo/locate?lat=34.705&lng=113.505", f.admin, nil)
			wantGeoStatus(t, res, 200)
			wantGeoStatus(t, f.upload(f.zhongyuan, "g.geojson", data, map[string]string{"target": "roads", "code_property": "WGBM"}), 422)

			res = f.do("GET", "/api/v1/geo/export?target=grids&format=geojson", f.zhongyuan, nil)
			wantGeoStatus(t, res, 200)
			feats, err := geo.ReadGeoJSONFeatures(res.body)
			if err != nil || len(feats) != 1 || feats[0].Properties["code"] != "G2" {
				t.Errorf("export: %v %s", err, res.body)
			}
			res = f.do("GET", "/api/v1/geo/export?target=grids&format=shapefile", f.admin, nil)
			wantGeoStatus(t, res, 200)
			if !strings.Contains(res.header.Get("Content-Disposition"), "grids.zip") {
				t.Errorf("Content-Disposition %q", res.header.Get("Content-Disposition"))
			}
			feats, err = geo.ReadShapefileZip(bytes.NewReader(res.body), int64(len(res.body)))
			if err != nil || len(feats) != 2 {
				t.Errorf("shapefile export: %v, %d features", err, len(feats))
			}
		})
		t.Run("fences", func(t *testing.T) {
			in := map[string]any{"name": "工地", "kind": "circle", "lat": 34.705, "lng": 113.605, "radius_m": 300,
				"bound_to": "grid", "bound_ref": "G1", "unit_code": "410105001001"}
			wantGeoStatus(t, f.do("POST", "/api/v1/geo/fences", f.zhongyuan, in), 404)
			res := f.do("POST", "/api/v1/geo/fences", f.jinshui, in)
			wantGeoStatus(t, res, 201)
			var fence atlas.Fence
			res.json(t, &fence)
			path := fmt.Sprintf("/api/v1/geo/fences/%d", fence.ID)
			if res.header.Get("Location") != path {
				t.Errorf("Location %q", res.header.Get("Location"))
			}
			wantGeoStatus(t, f.do("GET", path, f.admin, nil), 200)
			wantGeoStatus(t, f.do("GET", path, f.zhongyuan, nil), 404)
			res = f.do("GET", "/api/v1/geo/fences/test?lat=34.705&lng=113.606", f.jinshui, nil)
			wantGeoStatus(t, res, 200)
			var list struct {
				Items []atlas.Fence
				Total int
			}
			res.json(t, &list)
			if list.Total != 1 || list.Items[0].ID != fence.ID {
				t.Errorf("fences at: %s", res.body)
			}
			res = f.do("GET", fmt.Sprintf("/api/v1/geo/fences/test?lat=34.8&lng=113.606&id=%d", fence.ID), f.jinshui, nil)
			wantGeoStatus(t, res, 200)
			if !strings.Contains(string(res.body), `"inside":false`) {
				t.Errorf("test: %s", res.body)
			}
			res = f.do("PATCH", path, f.jinshui, map[string]any{"radius_m": 50, "version": 1})
			wantGeoStatus(t, res, 200)
			wantGeoStatus(t, f.do("PATCH", path, f.jinshui, map[string]any{"radius_m": 60, "version": 1}), 409)
			res = f.do("GET", "/api/v1/geo/fences?bound_to=grid", f.admin, nil)
			res.json(t, &list)
			if list.Total != 1 || list.Items[0].RadiusM != 50 {
				t.Errorf("list: %s", res.body)
			}
			wantGeoStatus(t, f.do("DELETE", path, f.jinshui, nil), 204)
			wantGeoStatus(t, f.do("GET", path, f.admin, nil), 404)
		})
		t.Run("postgis", func(t *testing.T) {
			res := f.do("GET", "/api/v1/geo/postgis", f.admin, nil)
			wantGeoStatus(t, res, 200)
			var st atlas.PostGISStatus
			res.json(t, &st)
			if st.Engine != string(d.Dialect) || (d.Dialect == db.SQLite && st.Available) {
				t.Errorf("got %s", res.body)
			}
			if st.Available && st.Grids != 2 {
				t.Errorf("grid_geoms holds %d grids, want 2", st.Grids)
			}
		})
	})
}
