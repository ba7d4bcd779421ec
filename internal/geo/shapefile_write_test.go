package geo

import (
	"bytes"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestWriteShapefileZipRoundTrip(t *testing.T) {
	square := func(x, y, d float64) orb.Ring {
		return orb.Ring{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}
	}
	hole := orb.Ring{{113.62, 34.72}, {113.62, 34.74}, {113.64, 34.74}, {113.64, 34.72}, {113.62, 34.72}}
	withHole, err := ValidateMultiPolygon(orb.MultiPolygon{{square(113.6, 34.7, 0.06), hole}})
	if err != nil {
		t.Fatal(err)
	}
	two, err := ValidateMultiPolygon(orb.MultiPolygon{{square(113.7, 34.7, 0.01)}, {square(113.8, 34.7, 0.01)}})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("网", 100) // 300 bytes: cut to 254 on a character boundary
	in := []Feature{
		{Properties: map[string]string{"code": "G1", "name": "经八路一网格", "level": "3"}, Geometry: withHole},
		{Properties: map[string]string{"code": "G2", "name": long, "unit_code_long": "x"}, Geometry: two},
		{Properties: map[string]string{"code": "G3"}},
	}
	var buf bytes.Buffer
	if err := WriteShapefileZip(&buf, "grids", in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadShapefileZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if len(out) != len(in) {
		t.Fatalf("got %d features, want %d", len(out), len(in))
	}
	if got := out[0].Properties["name"]; got != "经八路一网格" {
		t.Errorf("name = %q", got)
	}
	if got, want := out[1].Properties["name"], strings.Repeat("网", 84); got != want {
		t.Errorf("long name has %d bytes, want %d", len(got), len(want))
	}
	if got := out[1].Properties["unit_code_"]; got != "x" {
		t.Errorf("cut field name: got props %v", out[1].Properties)
	}
	if out[2].Geometry != nil {
		t.Errorf("null shape read back as %v", out[2].Geometry)
	}
	for i := 0; i < 2; i++ {
		if a, b := AreaM2(out[i].Geometry), AreaM2(in[i].Geometry); a < b*0.999999 || a > b*1.000001 {
			t.Errorf("feature %d area %v, want %v", i, a, b)
		}
		if len(out[i].Geometry) != len(in[i].Geometry) || len(out[i].Geometry[0]) != len(in[i].Geometry[0]) {
			t.Errorf("feature %d shape %v, want %v", i, out[i].Geometry, in[i].Geometry)
		}
	}
	if got := string(GeometryJSON(out[0].Geometry)); got != string(GeometryJSON(in[0].Geometry)) {
		t.Errorf("geometry changed:\n got %s\nwant %s", got, GeometryJSON(in[0].Geometry))
	}
}
