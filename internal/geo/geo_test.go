package geo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

// districts reads the 金水区 and 中原区 outlines as level-1 grids JS and ZY.
func districts(t testing.TB) []geo.GridShape {
	t.Helper()
	b, err := os.ReadFile("testdata/zhengzhou-jinshui-zhongyuan.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct{ Name string }
			Geometry   json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{"金水区": "JS", "中原区": "ZY"}
	var out []geo.GridShape
	for _, f := range fc.Features {
		out = append(out, geo.GridShape{Code: codes[f.Properties.Name], UnitCode: f.Properties.Name, Level: 1, Geometry: f.Geometry})
	}
	return out
}

// square returns a GeoJSON polygon ring around (lat, lng) of half-size r degrees.
func square(lat, lng, r float64) string {
	return fmt.Sprintf("[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]",
		lng-r, lat-r, lng+r, lat-r, lng+r, lat+r, lng-r, lat+r, lng-r, lat-r)
}

func polygon(rings ...string) json.RawMessage {
	s := `{"type":"Polygon","coordinates":[`
	for i, r := range rings {
		if i > 0 {
			s += ","
		}
		s += r
	}
	return json.RawMessage(s + "]}")
}

const (
	jsLat, jsLng = 34.800004, 113.660617 // 金水区 centre point
	zyLat, zyLng = 34.748256, 113.613337 // 中原区 centre point
)

func TestLocate(t *testing.T) {
	grids := append(districts(t),
		// A level-2 grid and a level-3 grid inside it, in 金水区, the
		// level-3 one with a hole.
		geo.GridShape{Code: "JS-2", Level: 2, UnitCode: "street", Geometry: polygon(square(jsLat, jsLng, 0.02))},
		geo.GridShape{Code: "JS-3", Level: 3, UnitCode: "community",
			Geometry: polygon(square(jsLat, jsLng, 0.01), square(jsLat, jsLng, 0.002))},
		// A MultiPolygon of two small squares far from both districts.
		geo.GridShape{Code: "MP", Level: 3, Geometry: json.RawMessage(
			`{"type":"MultiPolygon","coordinates":[[` + square(30, 120, 0.01) + `],[` + square(30, 121, 0.01) + `]]}`)},
		geo.GridShape{Code: "NOBOUNDARY", Level: 3},
		// A Feature wrapping a polygon far away.
		geo.GridShape{Code: "FEAT", Level: 2, Geometry: json.RawMessage(`{"type":"Feature","properties":{},"geometry":` +
			polygonString(square(20, 110, 0.01)) + `}`)},
	)
	ix, err := geo.NewIndex(grids)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 6 {
		t.Errorf("Len = %d, want 6 (the grid without boundary left out)", ix.Len())
	}
	tests := []struct {
		name     string
		lat, lng float64
		want     string
	}{
		{"inside 金水区 and the level-3 grid: deepest wins", jsLat + 0.005, jsLng, "JS-3"},
		{"in the level-3 grid's hole: the level-2 grid", jsLat, jsLng, "JS-2"},
		{"inside the level-2 grid only", jsLat + 0.015, jsLng, "JS-2"},
		{"inside 金水区 only", 34.85, 113.70, "JS"},
		{"inside 中原区, outside 金水区", zyLat, zyLng, "ZY"},
		{"Beijing, outside every grid", 39.9042, 116.4074, ""},
		{"first part of the MultiPolygon", 30, 120, "MP"},
		{"second part of the MultiPolygon", 30.005, 121, "MP"},
		{"between the parts", 30, 120.5, ""},
		{"latitude out of range", 95, 113, ""},
		{"inside the Feature's polygon", 20.001, 110.001, "FEAT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, ok := ix.Locate(tt.lat, tt.lng)
			if got := g.Code; got != tt.want || ok != (tt.want != "") {
				t.Errorf("Locate(%g, %g) = %q, %v; want %q", tt.lat, tt.lng, got, ok, tt.want)
			}
		})
	}
}

func TestNewIndexRefusesBadBoundaries(t *testing.T) {
	for name, g := range map[string]string{
		"point":           `{"type":"Point","coordinates":[113.6,34.8]}`,
		"open ring":       `{"type":"Polygon","coordinates":[[[113,34],[114,34],[114,35],[113,35]]]}`,
		"too few":         `{"type":"Polygon","coordinates":[[[113,34],[114,34],[113,34]]]}`,
		"lat/lng swapped": polygonString(square(113.6, 34.8, 0.01)),
		"not JSON":        `{"type":"Polygon",`,
		"no polygon":      `{"type":"MultiPolygon","coordinates":[]}`,
		"empty Feature":   `{"type":"Feature","geometry":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := geo.NewIndex([]geo.GridShape{{Code: "BAD", Level: 3, Geometry: json.RawMessage(g)}})
			e := apperr.As(err)
			if err == nil || e.Code != apperr.Invalid || e.Fields["geometry"] == "" {
				t.Fatalf("NewIndex = %v, want invalid naming geometry", err)
			}
			if want := "grid BAD: "; len(e.Fields["geometry"]) < len(want) || e.Fields["geometry"][:len(want)] != want {
				t.Errorf("message %q does not name the grid", e.Fields["geometry"])
			}
		})
	}
}

func polygonString(ring string) string { return string(polygon(ring)) }

// source is a GridSource that counts its calls.
type source struct {
	calls atomic.Int32
	mu    sync.Mutex
	grids []geo.GridShape
	err   error
}

func (s *source) GridShapes(context.Context) ([]geo.GridShape, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grids, s.err
}

func TestLocator(t *testing.T) {
	ctx := context.Background()
	src := &source{grids: districts(t)}
	l := geo.NewLocator(src)
	if src.calls.Load() != 0 {
		t.Fatal("NewLocator read the source before the first Locate")
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g, ok, err := l.Locate(ctx, jsLat, jsLng); err != nil || !ok || g.Code != "JS" {
				t.Errorf("Locate = %q, %v, %v; want JS", g.Code, ok, err)
			}
		}()
	}
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source read %d times by concurrent first Locates, want 1", n)
	}
	// A new level-3 grid appears; after Invalidate it is found.
	src.mu.Lock()
	src.grids = append(src.grids, geo.GridShape{Code: "NEW", Level: 3, Geometry: polygon(square(jsLat, jsLng, 0.01))})
	src.mu.Unlock()
	if g, _, _ := l.Locate(ctx, jsLat, jsLng); g.Code != "JS" {
		t.Errorf("before Invalidate: %q, want the cached JS", g.Code)
	}
	l.Invalidate()
	if g, _, _ := l.Locate(ctx, jsLat, jsLng); g.Code != "NEW" {
		t.Errorf("after Invalidate: %q, want NEW", g.Code)
	}
	if _, _, err := l.Locate(ctx, 91, 113); apperr.As(err).Fields["lat"] == "" {
		t.Errorf("lat 91: err = %v, want invalid naming lat", err)
	}
	if _, _, err := l.Locate(ctx, 34, -181); apperr.As(err).Fields["lng"] == "" {
		t.Errorf("lng -181: err = %v, want invalid naming lng", err)
	}
	src.err = errors.New("db down")
	l.Invalidate()
	if _, _, err := l.Locate(ctx, jsLat, jsLng); err == nil {
		t.Error("source error: Locate succeeded, want an error")
	}
}

// BenchmarkLocate locates random points over the Zhengzhou extent on an
// index of 3,306 communities × 3 grids (SynthTiling: irregular polygons of
// 40–200 vertices). The target is ≥ 500,000 lookups/s on one core
// (-cpu 1), i.e. ≤ 2,000 ns/op.
func BenchmarkLocate(b *testing.B) {
	ix, err := geo.NewIndex(geo.SynthTiling(1, 3306*3))
	if err != nil {
		b.Fatal(err)
	}
	pts := make([][2]float64, 1<<16)
	for i := range pts {
		pts[i] = [2]float64{34.2 + float64((i*7919)%65536)/65536*0.78, 112.7 + float64((i*104729)%65521)/65521*1.5}
	}
	found := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := pts[i&(len(pts)-1)]
		if _, ok := ix.Locate(p[0], p[1]); ok {
			found++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
	if found == 0 {
		b.Fatal("no point found a grid")
	}
}

// BenchmarkLocateLattice locates points on an index of the two districts
// and a 40×40 lattice of level-3 grids over them.
func BenchmarkLocateLattice(b *testing.B) {
	grids := districts(b)
	const n = 40
	minLat, minLng, step := 34.70, 113.45, 0.01
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			lat, lng := minLat+step*(float64(i)+0.5), minLng+step*(float64(j)+0.5)
			grids = append(grids, geo.GridShape{Code: fmt.Sprintf("G%02d%02d", i, j), Level: 3,
				Geometry: polygon(square(lat, lng, step/2))})
		}
	}
	ix, err := geo.NewIndex(grids)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		lat := minLat + float64(i%997)*step*n/997
		lng := minLng + float64(i%991)*step*n/991
		ix.Locate(lat, lng)
	}
}
