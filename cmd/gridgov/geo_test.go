package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/geo"
	"gridgov/internal/org"
)

func TestGeoImportExport(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		cliSmallTree(t, a)
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := a.Org.CreateGrid(sys, org.GridInput{Code: "G1", Name: "一网格", Level: 1, UnitCode: "410105"}); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "grids.geojson")
		fc := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"WGBM":"G1"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[113.6,34.7],[113.61,34.7],[113.61,34.71],[113.6,34.71],[113.6,34.7]]]}}]}`
		if err := os.WriteFile(file, []byte(fc), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"geo", "import", "--target", "grids", "--code-property", "WGBM", "--crs", "gcj02"}, flags...)
		code, out, errs := cli("", append(append(args, "--dry-run"), file)...)
		if code != 0 || !strings.Contains(out, "dry run") {
			t.Fatalf("dry run: %d %q %q", code, out, errs)
		}
		if g, _ := a.Org.Grid(sys, "G1"); len(g.Boundary) != 0 {
			t.Fatalf("dry run wrote %s", g.Boundary)
		}
		code, out, errs = cli("", append(args, file)...)
		if code != 0 || !strings.Contains(out, "1 boundaries changed") {
			t.Fatalf("import: %d %q %q", code, out, errs)
		}
		g, _ := a.Org.Grid(sys, "G1")
		if !strings.Contains(string(g.Boundary), "113.59") { // moved west by the GCJ-02 → WGS84 conversion
			t.Errorf("stored %s", g.Boundary)
		}

		bad := filepath.Join(dir, "bad.geojson")
		_ = os.WriteFile(bad, []byte(strings.ReplaceAll(fc, `"G1"`, `"G9"`)), 0o644)
		code, _, errs = cli("", append(append([]string{"geo", "import", "--target", "grids", "--code-property", "WGBM"}, flags...), bad)...)
		if code != 1 || !strings.Contains(errs, "unknown code G9") {
			t.Errorf("bad import: %d %q", code, errs)
		}

		outFile := filepath.Join(dir, "out.zip")
		code, _, errs = cli("", append([]string{"geo", "export", "--target", "grids", "--format", "shapefile", "--out", outFile}, flags...)...)
		if code != 0 {
			t.Fatalf("export: %d %q", code, errs)
		}
		data, _ := os.ReadFile(outFile)
		f, err := os.Open(outFile)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		feats, err := geo.ReadShapefileZip(f, int64(len(data)))
		if err != nil || len(feats) != 1 || feats[0].Properties["code"] != "G1" || feats[0].Geometry == nil {
			t.Errorf("export read back: %v %v", feats, err)
		}
		if code, _, _ := cli("", "geo", "export", "--target", "roads", "--out", outFile); code != 2 {
			t.Errorf("bad target: exit %d, want 2", code)
		}
	})
}
