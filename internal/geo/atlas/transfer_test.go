package atlas_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/orgtest"
)

func TestImportGrids(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		city := writer("410100")
		good := featureCollection("CODE",
			orgtest.GridJBL, square(113.60, 34.70, 0.01, 0.01),
			orgtest.GridHHL, square(113.61, 34.70, 0.01, 0.01))

		t.Run("dry run", func(t *testing.T) {
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Format: "geojson", Data: good,
				CodeProperty: "CODE", DryRun: true})
			if err != nil || rep.Applied || rep.Valid != 2 || rep.Changed != 2 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			if b := gridBoundary(t, e, orgtest.GridJBL); b != "" {
				t.Errorf("dry run wrote %s", b)
			}
		})
		t.Run("one bad feature applies nothing", func(t *testing.T) {
			bad := featureCollection("CODE",
				orgtest.GridJBL, square(113.60, 34.70, 0.01, 0.01),
				orgtest.GridHHL, bowtie)
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: bad, CodeProperty: "CODE"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Applied || rep.Invalid != 1 || !rep.Features[0].OK || rep.Features[1].OK ||
				rep.Features[1].Code != orgtest.GridHHL || !strings.Contains(rep.Message, "nothing was written") {
				t.Fatalf("got %+v", rep)
			}
			if b := gridBoundary(t, e, orgtest.GridJBL); b != "" {
				t.Errorf("failed import wrote %s", b)
			}
		})
		t.Run("unknown and out-of-scope codes", func(t *testing.T) {
			data := featureCollection("CODE", "G999", square(113.6, 34.7, 0.01, 0.01),
				orgtest.GridLSZ, square(113.5, 34.7, 0.01, 0.01))
			rep, err := e.svc.Import(writer("410105"), atlas.ImportRequest{Target: "grids", Data: data, CodeProperty: "CODE"})
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range rep.Features {
				if f.OK || !strings.Contains(f.Error, "unknown code") {
					t.Errorf("feature %d: %+v", i, f)
				}
			}
		})
		t.Run("ok", func(t *testing.T) {
			v0, _ := e.orgs.GridsVersion(e.sys)
			if _, err := e.svc.Locate(city, 34.705, 113.605, ""); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("before import: %v", err)
			}
			e.clock.Advance(1000)
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: good, CodeProperty: "CODE", Source: "gis"})
			if err != nil || !rep.Applied || rep.Changed != 2 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			if v1, _ := e.orgs.GridsVersion(e.sys); v1 == v0 {
				t.Errorf("GridsVersion did not move: %s", v1)
			}
			if n := auditCount(t, d, "geo.import"); n != 1 {
				t.Errorf("geo.import entries = %d", n)
			}
			if n := auditCount(t, d, "org.grid.update"); n != 2 {
				t.Errorf("org.grid.update entries = %d", n)
			}
			got, err := e.svc.Locate(city, 34.705, 113.605, "")
			if err != nil || got.GridCode != orgtest.GridJBL || got.UnitCode != "410105001001" {
				t.Fatalf("locate after import: %+v, %v", got, err)
			}
			rep, _ = e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: good, CodeProperty: "CODE", DryRun: true})
			if rep.Changed != 0 || rep.Features[0].Change != "unchanged" {
				t.Errorf("re-import: %+v", rep)
			}
		})
		t.Run("gcj02", func(t *testing.T) {
			data := featureCollection("CODE", orgtest.GridLSZ, square(113.50, 34.70, 0.01, 0.01))
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: data, CodeProperty: "CODE", CRS: "gcj02"})
			if err != nil || !rep.Applied {
				t.Fatalf("got %+v, %v", rep, err)
			}
			lat, lng := geo.GCJ02ToWGS84(34.70, 113.50)
			g, err := geo.ParseBoundary([]byte(gridBoundary(t, e, orgtest.GridLSZ)))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range multiOf(g)[0][0] {
				found = found || (abs(p[0]-lng) < 1e-9 && abs(p[1]-lat) < 1e-9)
			}
			if !found {
				t.Errorf("stored ring %v lacks the converted corner %v,%v", multiOf(g)[0][0], lng, lat)
			}
		})
		t.Run("shapefile", func(t *testing.T) {
			var zip bytes.Buffer
			feats := []geo.Feature{{Properties: map[string]string{"WGDM": orgtest.GridHHL},
				Geometry: mustMulti(t, square(113.62, 34.70, 0.01, 0.01))}}
			if err := geo.WriteShapefileZip(&zip, "g", feats); err != nil {
				t.Fatal(err)
			}
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Format: "shapefile", Data: zip.Bytes(), CodeProperty: "WGDM"})
			if err != nil || !rep.Applied || rep.Changed != 1 {
				t.Fatalf("got %+v, %v", rep, err)
			}
			if got, _ := e.svc.Locate(city, 34.705, 113.625, ""); got.GridCode != orgtest.GridHHL {
				t.Errorf("locate after shapefile import: %+v", got)
			}
		})
		t.Run("units", func(t *testing.T) {
			data := featureCollection("code", "410105001001", square(113.60, 34.70, 0.02, 0.02))
			rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "units", Data: data, CodeProperty: "code"})
			if err != nil || !rep.Applied {
				t.Fatalf("got %+v, %v", rep, err)
			}
			rep, _ = e.svc.Import(city, atlas.ImportRequest{Target: "units", Data: featureCollection("code", "410105-cgj",
				square(113.60, 34.70, 0.02, 0.02)), CodeProperty: "code"})
			if rep.Applied || rep.Invalid != 1 {
				t.Errorf("department boundary: %+v", rep)
			}
		})
		t.Run("bad requests", func(t *testing.T) {
			_, err := e.svc.Import(city, atlas.ImportRequest{Target: "roads", Data: good, CodeProperty: "CODE"})
			orgtest.WantField(t, err, apperr.Invalid, "target")
			_, err = e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: []byte("{"), CodeProperty: "CODE"})
			orgtest.WantField(t, err, apperr.Invalid, "file")
			_, err = e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: good})
			orgtest.WantField(t, err, apperr.Invalid, "code_property")
			_, err = e.svc.Import(reader("410100"), atlas.ImportRequest{Target: "grids", Data: good, CodeProperty: "CODE"})
			orgtest.WantCode(t, err, apperr.Forbidden)
		})
	})
}

func TestExportRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		city := writer("410100")
		data := featureCollection("code",
			orgtest.GridJBL, square(113.60, 34.70, 0.01, 0.01),
			orgtest.GridLSZ, square(113.50, 34.70, 0.01, 0.01))
		if rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Data: data, CodeProperty: "code"}); err != nil || !rep.Applied {
			t.Fatalf("%+v %v", rep, err)
		}
		for _, format := range []string{"geojson", "shapefile"} {
			t.Run(format, func(t *testing.T) {
				f, err := e.svc.Export(reader("410105"), "grids", format)
				if err != nil {
					t.Fatal(err)
				}
				var feats []geo.Feature
				if format == "geojson" {
					feats, err = geo.ReadGeoJSONFeatures(f.Data)
				} else {
					feats, err = geo.ReadShapefileZip(bytes.NewReader(f.Data), int64(len(f.Data)))
				}
				if err != nil {
					t.Fatal(err)
				}
				// 金水区 sees its two grids (one without a boundary), not 林山寨's.
				if len(feats) != 2 || feats[0].Properties["code"] != orgtest.GridJBL || feats[1].Properties["code"] != orgtest.GridHHL {
					t.Fatalf("got %v", feats)
				}
				if feats[1].Geometry != nil || feats[0].Properties["unit_code"] != "410105001001" || feats[0].Properties["level"] != "3" {
					t.Errorf("got %+v", feats)
				}
				// Importing the export back changes nothing.
				rep, err := e.svc.Import(city, atlas.ImportRequest{Target: "grids", Format: format, Data: f.Data,
					CodeProperty: "code", DryRun: true})
				if err != nil || rep.Changed != 0 || rep.Invalid != 1 || rep.Features[0].Change != "unchanged" {
					t.Errorf("re-import: %+v, %v", rep, err) // the grid without boundary is the one invalid feature
				}
			})
		}
	})
}

func mustMulti(t *testing.T, raw []byte) orb.MultiPolygon {
	t.Helper()
	fs, err := geo.ReadGeoJSONFeatures(raw)
	if err != nil {
		t.Fatal(err)
	}
	return fs[0].Geometry
}

func multiOf(g orb.Geometry) orb.MultiPolygon {
	if p, ok := g.(orb.Polygon); ok {
		return orb.MultiPolygon{p}
	}
	return g.(orb.MultiPolygon)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
