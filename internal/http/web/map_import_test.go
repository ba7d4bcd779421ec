package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo/atlas"
)

// newGeoFixture is the map fixture with the app's atlas service.
func newGeoFixture(t *testing.T, d *db.DB) (*mapFixture, *atlas.Service) {
	t.Helper()
	f := newMapFixture(t, d)
	return f, f.app.Geo
}

// boundaryFile is a GeoJSON FeatureCollection of (code, geometry) pairs
// under the property prop.
func boundaryFile(prop string, pairs ...any) []byte {
	var fs []string
	for i := 0; i+1 < len(pairs); i += 2 {
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{%q:%q,"name":"x"},"geometry":%s}`,
			prop, pairs[i], pairs[i+1]))
	}
	return []byte(`{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`)
}

// postImport posts the import form as multipart; file may be nil (then
// fields should name an upload token).
func (c *client) postImport(csrf string, file []byte, fields map[string]string) page {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "boundaries.geojson")
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+"/map/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	return c.do(req)
}

var uploadRe = regexp.MustCompile(`name="upload" value="([^"]+)"`)

func TestBoundaryImportPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f, _ := newGeoFixture(t, d)
		sys := actor.With(context.Background(), actor.SystemActor("t"))
		dist, viewer := f.client(t), f.client(t)
		dist.mustLogin("admin-410105")
		viewer.mustLogin("viewer-410105")
		boundary := func(code string) string {
			g, err := f.org.Grid(sys, code)
			if err != nil {
				t.Fatal(err)
			}
			return string(g.Boundary)
		}

		p := dist.get("/map/import")
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, `id="import-form"`, `value="grids"`, `value="units"`, "/map/export?target=grids&amp;format=geojson")
		tok := dist.csrf(p)

		t.Run("viewer", func(t *testing.T) {
			wantStatus(t, viewer.get("/map/import"), http.StatusForbidden)
			vp := viewer.get("/map")
			wantNoBody(t, vp, `href="/map/import"`)
			wantBody(t, vp, `href="/map/coverage"`)
			p := viewer.postImport(csrfAttr(t, viewer.get("/map").body), boundaryFile("code", "G410105001001", cell(113.68, 34.77, 0.011)),
				map[string]string{"target": "grids", "crs": "wgs84"})
			wantStatus(t, p, http.StatusForbidden)
		})

		t.Run("bad feature", func(t *testing.T) {
			before := boundary("G410105001001")
			file := boundaryFile("code", "G410105001001", cell(113.68, 34.77, 0.011),
				"G410102001", cell(113.60, 34.75, 0.011), // 中原区: not in the district's scope
				"NOPE", cell(113.70, 34.77, 0.01))
			p := dist.postImport(tok, file, map[string]string{"target": "grids", "crs": "wgs84", "dry_run": "1"})
			wantStatus(t, p, http.StatusUnprocessableEntity)
			wantBody(t, p, `id="import-features"`, "NOPE", "G410102001", `id="import-nothing"`, "未写入任何边界",
				`<dd id="c-invalid">2</dd>`)
			wantNoBody(t, p, `id="import-apply"`)
			// Without the dry run too: nothing applied.
			p = dist.postImport(tok, file, map[string]string{"target": "grids", "crs": "wgs84"})
			wantStatus(t, p, http.StatusUnprocessableEntity)
			if got := boundary("G410105001001"); got != before {
				t.Errorf("a failed import changed the boundary: %s", got)
			}
		})

		t.Run("dry run then apply", func(t *testing.T) {
			file := boundaryFile("GRID_CODE", "G410105001003", cell(113.70, 34.77, 0.01))
			p := dist.postImport(tok, file, map[string]string{"target": "grids", "crs": "wgs84", "dry_run": "1"})
			wantStatus(t, p, http.StatusOK)
			wantBody(t, p, `id="import-apply"`, `<option value="GRID_CODE" selected>`, `<option value="name">`)
			if b := boundary("G410105001003"); b != "" && b != "null" {
				t.Fatalf("the dry run wrote a boundary: %s", b)
			}
			m := uploadRe.FindStringSubmatch(p.body)
			if m == nil {
				t.Fatal("no upload token after the dry run")
			}
			// Another user cannot use the token.
			zy := f.client(t)
			zy.mustLogin("zy")
			zp := zy.postImport(zy.csrf(zy.get("/map/import")), nil, map[string]string{"upload": m[1], "target": "grids",
				"code_property": "GRID_CODE", "crs": "wgs84"})
			wantStatus(t, zp, http.StatusUnprocessableEntity)
			wantBody(t, zp, "重新选择")
			p = dist.postImport(tok, nil, map[string]string{"upload": m[1], "target": "grids", "code_property": "GRID_CODE", "crs": "wgs84"})
			wantStatus(t, p, http.StatusOK)
			wantBody(t, p, "导入完成", "新设边界")
			var all fc
			dist.getJSON("/map/data/grids", &all)
			found := false
			for _, ft := range all.Features {
				found = found || ft.Properties["code"] == "G410105001003"
			}
			if !found {
				t.Errorf("the imported grid is not on the map: %+v", all.Features)
			}
		})

		t.Run("export", func(t *testing.T) {
			p := dist.get("/map/export?target=grids&format=geojson")
			wantStatus(t, p, http.StatusOK)
			if cd := p.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "grids.geojson") {
				t.Errorf("Content-Disposition: %q", cd)
			}
			var out struct {
				Type     string `json:"type"`
				Features []struct {
					Properties map[string]any  `json:"properties"`
					Geometry   json.RawMessage `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal([]byte(p.body), &out); err != nil || out.Type != "FeatureCollection" {
				t.Fatalf("export: %v, type %q", err, out.Type)
			}
			codes := map[string]bool{}
			for _, ft := range out.Features {
				codes[fmt.Sprint(ft.Properties["code"])] = true
			}
			if !codes["G410105001001"] || !codes["G410105001003"] || codes["G410102001"] {
				t.Errorf("exported codes: %v, want the district's grids only", codes)
			}
			z := dist.get("/map/export?target=grids&format=shapefile")
			if z.status != http.StatusOK || !strings.HasPrefix(z.body, "PK") {
				t.Errorf("shapefile export: status %d", z.status)
			}
			wantStatus(t, dist.get("/map/export?target=roads"), http.StatusUnprocessableEntity)
		})
	})
}
