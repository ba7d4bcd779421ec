package geo

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gridgov/internal/apperr"
)

// shpRecord is a shape for the test writer: shape type and parts (each a
// ring as written, in Shapefile orientation); nil parts is a null shape.
type shpRecord struct {
	typ   uint32
	parts [][]orb.Point
}

// writeSHP writes a minimal .shp (and its .shx) — the tiny writer the tests
// build their fixtures with.
func writeSHP(fileType uint32, recs []shpRecord) (shp, shx []byte) {
	le, be := binary.LittleEndian, binary.BigEndian
	header := func(lenBytes int) []byte {
		h := make([]byte, 100)
		be.PutUint32(h[0:], 9994)
		be.PutUint32(h[24:], uint32(lenBytes/2))
		le.PutUint32(h[28:], 1000)
		le.PutUint32(h[32:], fileType)
		return h
	}
	var body, index bytes.Buffer
	for i, r := range recs {
		var c bytes.Buffer
		w := func(v any) { binary.Write(&c, le, v) }
		if r.parts == nil {
			w(uint32(0))
		} else {
			w(r.typ)
			var all []orb.Point
			var starts []uint32
			for _, p := range r.parts {
				starts = append(starts, uint32(len(all)))
				all = append(all, p...)
			}
			b := orb.MultiPoint(all).Bound()
			w([4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]})
			w(uint32(len(r.parts)))
			w(uint32(len(all)))
			w(starts)
			for _, p := range all {
				w([2]float64(p))
			}
			if r.typ == shpPolygonZ {
				w([2]float64{0, 10}) // Z range
				for range all {
					w(float64(10))
				}
			}
			if r.typ == shpPolygonZ || r.typ == shpPolygonM {
				w([2]float64{0, 0}) // M range
				for range all {
					w(float64(0))
				}
			}
		}
		ib := make([]byte, 8)
		be.PutUint32(ib[0:], uint32((100+body.Len())/2))
		be.PutUint32(ib[4:], uint32(c.Len()/2))
		index.Write(ib)
		rh := make([]byte, 8)
		be.PutUint32(rh[0:], uint32(i+1))
		be.PutUint32(rh[4:], uint32(c.Len()/2))
		body.Write(rh)
		body.Write(c.Bytes())
	}
	shp = append(header(100+body.Len()), body.Bytes()...)
	shx = append(header(100+index.Len()), index.Bytes()...)
	return shp, shx
}

// writeDBF writes a dBASE III file of character fields; values are raw
// bytes (already encoded); a record whose first value is "*DELETED*" is
// marked deleted.
func writeDBF(ldid byte, names []string, widths []int, recs [][]string) []byte {
	le := binary.LittleEndian
	recLen := 1
	for _, w := range widths {
		recLen += w
	}
	hdrLen := 32 + 32*len(names) + 1
	h := make([]byte, hdrLen)
	h[0] = 3
	le.PutUint32(h[4:], uint32(len(recs)))
	le.PutUint16(h[8:], uint16(hdrLen))
	le.PutUint16(h[10:], uint16(recLen))
	h[29] = ldid
	for i, n := range names {
		d := h[32+32*i:]
		copy(d[:11], n)
		d[11] = 'C'
		d[16] = byte(widths[i])
	}
	h[hdrLen-1] = 0x0D
	out := bytes.NewBuffer(h)
	for _, r := range recs {
		flag := byte(' ')
		if r[0] == "*DELETED*" {
			flag = '*'
		}
		out.WriteByte(flag)
		for i, v := range r {
			b := make([]byte, widths[i])
			for j := range b {
				b[j] = ' '
			}
			copy(b, v)
			out.Write(b)
		}
	}
	out.WriteByte(0x1A)
	return out.Bytes()
}

func makeZip(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cwSquare is a clockwise (Shapefile exterior) square; ccwSquare a
// counter-clockwise (hole) one.
func cwSquare(x, y, s float64) []orb.Point {
	return []orb.Point{{x, y}, {x, y + s}, {x + s, y + s}, {x + s, y}, {x, y}}
}

func ccwSquare(x, y, s float64) []orb.Point {
	return []orb.Point{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func gbk(s string) string {
	b, _ := simplifiedchinese.GBK.NewEncoder().String(s)
	return b
}

const wgs84PRJ = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`

func testShapefile(t *testing.T) map[string][]byte {
	recs := []shpRecord{
		// Two parts: an exterior with a hole, and a separate island.
		{typ: shpPolygon, parts: [][]orb.Point{cwSquare(113, 34, 0.1), ccwSquare(113.02, 34.02, 0.02), cwSquare(113.5, 34, 0.05)}},
		{typ: shpPolygon, parts: nil},
		{typ: shpPolygon, parts: [][]orb.Point{cwSquare(114, 34, 0.1)}},
		{typ: shpPolygon, parts: [][]orb.Point{cwSquare(114.2, 34, 0.1)}},
	}
	shp, shx := writeSHP(shpPolygon, recs)
	dbf := writeDBF(0, []string{"NAME", "CODE"}, []int{20, 8}, [][]string{
		{gbk("金水区"), "410105"}, {gbk("空"), "0"}, {"*DELETED*", "x"}, {gbk("中原区"), "410102"},
	})
	return map[string][]byte{"data/grids.shp": shp, "data/grids.shx": shx, "data/grids.dbf": dbf,
		"data/grids.cpg": []byte("GBK\n"), "data/grids.prj": []byte(wgs84PRJ), "__MACOSX/._grids.shp": []byte("junk")}
}

func readZip(files map[string][]byte, t *testing.T) ([]Feature, error) {
	z := makeZip(t, files)
	return ReadShapefileZip(bytes.NewReader(z), int64(len(z)))
}

func TestReadShapefileZip(t *testing.T) {
	fs, err := readZip(testShapefile(t), t)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 3 {
		t.Fatalf("%d features, want 3 (one deleted)", len(fs))
	}
	if want := map[string]string{"NAME": "金水区", "CODE": "410105"}; !reflect.DeepEqual(fs[0].Properties, want) {
		t.Errorf("properties %v, want %v", fs[0].Properties, want)
	}
	if fs[2].Properties["NAME"] != "中原区" {
		t.Errorf("third feature %v, want 中原区 (the deleted record skipped)", fs[2].Properties)
	}
	g := fs[0].Geometry
	if len(g) != 2 || len(g[0]) != 2 || len(g[1]) != 1 {
		t.Fatalf("geometry shape %v, want a polygon with a hole and an island", g)
	}
	if planar.Area(g[0][0]) <= 0 || planar.Area(g[0][1]) >= 0 {
		t.Error("not reoriented to RFC 7946 (exterior CCW, hole CW)")
	}
	if a := planar.Area(g); math.Abs(a-(0.01-0.0004+0.0025)) > 1e-12 {
		t.Errorf("area %g", a)
	}
	if fs[1].Geometry != nil {
		t.Errorf("null shape gave %v", fs[1].Geometry)
	}
}

func TestReadShapefileVariants(t *testing.T) {
	t.Run("PolygonZ and PolygonM, UTF-8 without .cpg", func(t *testing.T) {
		for _, typ := range []uint32{shpPolygonZ, shpPolygonM} {
			shp, _ := writeSHP(typ, []shpRecord{{typ: typ, parts: [][]orb.Point{cwSquare(113, 34, 0.1)}}})
			dbf := writeDBF(0, []string{"名称"}, []int{12}, [][]string{{"金水区"}})
			fs, err := ReadShapefile(shp, dbf, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fs[0].Properties["名称"] != "金水区" || len(fs[0].Geometry[0][0]) != 5 {
				t.Errorf("type %d: %+v", typ, fs[0])
			}
		}
	})
	t.Run("GBK by language driver byte, no .cpg", func(t *testing.T) {
		shp, _ := writeSHP(shpPolygon, []shpRecord{{typ: shpPolygon, parts: [][]orb.Point{cwSquare(113, 34, 0.1)}}})
		fs, err := ReadShapefile(shp, writeDBF(0x4D, []string{"NAME"}, []int{10}, [][]string{{gbk("郑州")}}), nil, nil)
		if err != nil || fs[0].Properties["NAME"] != "郑州" {
			t.Errorf("%v %v", fs, err)
		}
	})
	refuse := func(t *testing.T, err error, want string) {
		t.Helper()
		if e := apperr.As(err); err == nil || !strings.Contains(e.Fields["file"], want) {
			t.Errorf("err = %v, want a file error containing %q", err, want)
		}
	}
	shp, _ := writeSHP(shpPolygon, []shpRecord{{typ: shpPolygon, parts: [][]orb.Point{cwSquare(113, 34, 0.1)}}})
	dbf := writeDBF(0, []string{"N"}, []int{4}, [][]string{{"a"}})
	t.Run("CRS", func(t *testing.T) {
		for _, ok := range []string{wgs84PRJ,
			`GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]`,
			`GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`} {
			if _, err := ReadShapefile(shp, dbf, []byte(ok), nil); err != nil {
				t.Errorf("%s: %v", ok[:30], err)
			}
		}
		_, err := ReadShapefile(shp, dbf, []byte(`PROJCS["CGCS2000_3_Degree_GK_CM_114E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000"]],PROJECTION["Gauss_Kruger"]]`), nil)
		refuse(t, err, `projected coordinate system "CGCS2000_3_Degree_GK_CM_114E"`)
		_, err = ReadShapefile(shp, dbf, []byte(`GEOGCS["GCS_Xian_1980",DATUM["D_Xian_1980",SPHEROID["Xian_1980",6378140.0,298.257]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`), nil)
		refuse(t, err, `"GCS_Xian_1980"; only WGS 84 and CGCS2000`)
	})
	t.Run("projected coordinates without .prj", func(t *testing.T) {
		shp, _ := writeSHP(shpPolygon, []shpRecord{{typ: shpPolygon, parts: [][]orb.Point{cwSquare(38500000, 3850000, 100)}}})
		_, err := ReadShapefile(shp, dbf, nil, nil)
		refuse(t, err, "record 0: position [3.85e+07, 3.85e+06] is not a longitude, latitude")
	})
	t.Run("points refused", func(t *testing.T) {
		shp, _ := writeSHP(1, nil)
		_, err := ReadShapefile(shp, dbf[:0], nil, nil)
		refuse(t, err, "shape type 1 (points)")
	})
	t.Run("self-crossing shape refused", func(t *testing.T) {
		bow := []orb.Point{{113, 34}, {113.1, 34.1}, {113.1, 34}, {113, 34.1}, {113, 34}}
		shp, _ := writeSHP(shpPolygon, []shpRecord{{typ: shpPolygon, parts: [][]orb.Point{bow}}})
		_, err := ReadShapefile(shp, dbf, nil, nil)
		refuse(t, err, "record 0: polygon 0, exterior ring: crosses itself")
	})
	t.Run("zip problems", func(t *testing.T) {
		files := testShapefile(t)
		files["other.shp"] = files["data/grids.shp"]
		_, err := readZip(files, t)
		refuse(t, err, "2 .shp files")
		files = testShapefile(t)
		delete(files, "data/grids.dbf")
		_, err = readZip(files, t)
		refuse(t, err, "no matching .dbf")
		_, err = ReadShapefileZip(bytes.NewReader([]byte("not a zip")), 9)
		refuse(t, err, "not a zip")
	})
	t.Run("size limit", func(t *testing.T) {
		z := makeZip(t, testShapefile(t))
		if _, err := readShapefileZip(bytes.NewReader(z), int64(len(z)), 500); err == nil ||
			!strings.Contains(apperr.As(err).Fields["file"], "MB") {
			t.Errorf("500-byte limit: %v", err)
		}
	})
	t.Run("zip bomb over 200 MB", func(t *testing.T) {
		// An entry declaring 201 MB (a real bomb would deflate to it; the
		// declared size is what is checked first, and archive/zip refuses
		// to read past it).
		files := testShapefile(t)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range files {
			w, _ := zw.Create(name)
			w.Write(b)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "data/big.txt", Method: zip.Store, UncompressedSize64: 201 << 20, CompressedSize64: 4})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("1234"))
		zw.Close()
		_, err = ReadShapefileZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		refuse(t, err, "more than the 200 MB allowed")
	})
	t.Run("an entry larger than it declares", func(t *testing.T) {
		files := testShapefile(t)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range files {
			if name == "data/grids.dbf" {
				w, _ := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, UncompressedSize64: 10, CompressedSize64: uint64(len(b))})
				w.Write(b)
				continue
			}
			w, _ := zw.Create(name)
			w.Write(b)
		}
		zw.Close()
		if _, err := ReadShapefileZip(bytes.NewReader(buf.Bytes()), int64(buf.Len())); apperr.As(err).Fields["file"] == "" {
			t.Errorf("err = %v, want a file error", err)
		}
	})
}

func TestGeoJSONRoundTrip(t *testing.T) {
	fs, err := readZip(testShapefile(t), t)
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalFeatureCollection(fs)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadGeoJSONFeatures(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(back, fs) {
		t.Errorf("round trip differs:\n%+v\n%+v", back, fs)
	}
	if !strings.Contains(string(b), `"properties":{"CODE":"410102","NAME":"中原区"},"geometry":{"type":"Polygon"`) {
		t.Errorf("unexpected output %s", b)
	}
	// Other property types and a bare geometry.
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n":12.50,"b":true,"s":"x","z":null},
		"geometry":{"type":"Polygon","coordinates":[[[113,34],[113,34.1],[113.1,34.1],[113.1,34],[113,34]]]}}]}`
	fs, err = ReadGeoJSONFeatures([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"n": "12.50", "b": "true", "s": "x", "z": ""}; !reflect.DeepEqual(fs[0].Properties, want) {
		t.Errorf("properties %v", fs[0].Properties)
	}
	if planar.Area(fs[0].Geometry[0][0]) <= 0 {
		t.Error("clockwise input not reoriented")
	}
	if _, err := ReadGeoJSONFeatures([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}`)); err == nil ||
		!strings.Contains(apperr.As(err).Fields["file"], "feature 0") {
		t.Errorf("a Point: %v", err)
	}
}
