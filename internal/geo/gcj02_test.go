package geo_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/paulmach/orb"

	"gridgov/internal/geo"
)

// metres approximates the distance between two nearby points.
func metres(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	dy := (lat2 - lat1) * math.Pi / 180 * r
	dx := (lng2 - lng1) * math.Pi / 180 * r * math.Cos(lat1*math.Pi/180)
	return math.Hypot(dx, dy)
}

func TestGCJ02KnownPairs(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		lat, lng, gLat, gLng float64
		tol                  float64
	}{
		// The README example of wandergis/coordtransform (test/app.js):
		// wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164].
		{"coordtransform example", 39.915, 116.404, 39.91640428150164, 116.41024449916938, 1e-9},
		// The pair quoted in issue 5 (Tiananmen), given to 5 decimals.
		{"issue 5 pair", 39.90734, 116.39119, 39.90874, 116.39743, 1e-5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gLat, gLng := geo.WGS84ToGCJ02(tt.lat, tt.lng)
			if math.Abs(gLat-tt.gLat) > tt.tol || math.Abs(gLng-tt.gLng) > tt.tol {
				t.Errorf("WGS84ToGCJ02 = (%.10f, %.10f), want (%.10f, %.10f) ± %g", gLat, gLng, tt.gLat, tt.gLng, tt.tol)
			}
			wLat, wLng := geo.GCJ02ToWGS84(tt.gLat, tt.gLng)
			if math.Abs(wLat-tt.lat) > tt.tol || math.Abs(wLng-tt.lng) > tt.tol {
				t.Errorf("GCJ02ToWGS84 = (%.10f, %.10f), want (%.10f, %.10f)", wLat, wLng, tt.lat, tt.lng)
			}
		})
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	worst := 0.0
	for i := 0; i < 20000; i++ {
		lat, lng := 18+rng.Float64()*35, 74+rng.Float64()*60
		gLat, gLng := geo.WGS84ToGCJ02(lat, lng)
		if metres(lat, lng, gLat, gLng) < 1 {
			t.Fatalf("(%g, %g) not shifted", lat, lng)
		}
		wLat, wLng := geo.GCJ02ToWGS84(gLat, gLng)
		worst = math.Max(worst, metres(lat, lng, wLat, wLng))
	}
	if worst > 0.01 {
		t.Errorf("worst round trip error %.4f m, want < 1 cm", worst)
	}
	// The one-step inverse (2·gcj − forward(gcj)) is much worse: make sure
	// the test would notice it.
	lat, lng := 39.915, 116.404
	gLat, gLng := geo.WGS84ToGCJ02(lat, lng)
	fLat, fLng := geo.WGS84ToGCJ02(gLat, gLng)
	if d := metres(lat, lng, 2*gLat-fLat, 2*gLng-fLng); d < 0.01 {
		t.Errorf("one-step inverse already within %g m: the round-trip test proves nothing", d)
	}
}

func TestGCJ02OutOfChina(t *testing.T) {
	for _, p := range [][2]float64{{51.5, -0.12}, {35.68, 139.76}, {0.5, 100}, {56, 100}} {
		if !geo.OutOfChina(p[0], p[1]) {
			t.Errorf("%v should be out of China", p)
		}
		if lat, lng := geo.WGS84ToGCJ02(p[0], p[1]); lat != p[0] || lng != p[1] {
			t.Errorf("%v moved to (%g, %g)", p, lat, lng)
		}
		if lat, lng := geo.GCJ02ToWGS84(p[0], p[1]); lat != p[0] || lng != p[1] {
			t.Errorf("%v moved back to (%g, %g)", p, lat, lng)
		}
	}
	if geo.OutOfChina(34.75, 113.62) {
		t.Error("Zhengzhou out of China")
	}
}

func TestGeometryConversion(t *testing.T) {
	p := orb.Polygon{ring(113, 34, 113.1, 34, 113.1, 34.1, 113, 34, 113, 34)}
	g := geo.GeometryWGS84ToGCJ02(p).(orb.Polygon)
	if p[0][1] != (orb.Point{113.1, 34}) {
		t.Fatal("input changed")
	}
	for i, pt := range p[0] {
		lat, lng := geo.WGS84ToGCJ02(pt[1], pt[0])
		if g[0][i] != (orb.Point{lng, lat}) {
			t.Errorf("position %d: %v, want [%g, %g]", i, g[0][i], lng, lat)
		}
	}
	back := geo.GeometryGCJ02ToWGS84(g).(orb.Polygon)
	for i, pt := range back[0] {
		if d := metres(pt[1], pt[0], p[0][i][1], p[0][i][0]); d > 0.01 {
			t.Errorf("position %d back %g m off", i, d)
		}
	}
	if pt := geo.GeometryWGS84ToGCJ02(orb.Point{116.404, 39.915}).(orb.Point); math.Abs(pt[0]-116.41024449916938) > 1e-9 {
		t.Errorf("point: %v", pt)
	}
	if mp := geo.GeometryWGS84ToGCJ02(orb.MultiPolygon{p}).(orb.MultiPolygon); mp[0][0][0] != g[0][0] {
		t.Errorf("multipolygon: %v", mp[0][0][0])
	}
}
