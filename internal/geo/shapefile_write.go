package geo

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// prjWGS84 is the .prj written with every Shapefile: geographic WGS 84.
const prjWGS84 = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],` +
	`PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`

// WriteShapefileZip writes features as a zip holding name.shp, .shx, .dbf,
// .prj (WGS 84) and .cpg (UTF-8): polygon shapes (Shapefile orientation:
// exteriors clockwise, holes counter-clockwise; a feature without geometry
// is a null shape) and one text (C) field per property key, keys sorted,
// names cut to the 10 bytes dBASE allows (made unique), values as UTF-8 cut
// at 254 bytes on a character boundary. ReadShapefileZip reads it back.
func WriteShapefileZip(w io.Writer, name string, features []Feature) error {
	shp, shx := encodeSHP(features)
	dbf, err := encodeDBF(features)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".shp", shp}, {".shx", shx}, {".dbf", dbf}, {".prj", []byte(prjWGS84)}, {".cpg", []byte("UTF-8")}} {
		fw, err := zw.Create(name + f.ext)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// encodeSHP returns the .shp and .shx of features.
func encodeSHP(features []Feature) (shp, shx []byte) {
	var body, index bytes.Buffer
	bound, any := orb.Bound{}, false
	for i, f := range features {
		content := polygonContent(f.Geometry)
		if len(f.Geometry) > 0 {
			if !any {
				bound, any = f.Geometry.Bound(), true
			} else {
				bound = bound.Union(f.Geometry.Bound())
			}
		}
		offset := 100 + body.Len()
		_ = binary.Write(&index, binary.BigEndian, [2]int32{int32(offset / 2), int32(len(content) / 2)})
		_ = binary.Write(&body, binary.BigEndian, [2]int32{int32(i + 1), int32(len(content) / 2)})
		body.Write(content)
	}
	return append(shpHeader(100+body.Len(), bound), body.Bytes()...), append(shpHeader(100+index.Len(), bound), index.Bytes()...)
}

// shpHeader is the 100-byte header of a .shp or .shx of the given length.
func shpHeader(length int, b orb.Bound) []byte {
	h := make([]byte, 100)
	binary.BigEndian.PutUint32(h[0:], 9994)
	binary.BigEndian.PutUint32(h[24:], uint32(length/2))
	binary.LittleEndian.PutUint32(h[28:], 1000)
	binary.LittleEndian.PutUint32(h[32:], shpPolygon)
	for i, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		binary.LittleEndian.PutUint64(h[36+8*i:], math.Float64bits(v))
	}
	return h
}

// polygonContent is one record's content: a polygon, or a null shape.
func polygonContent(mp orb.MultiPolygon) []byte {
	var c bytes.Buffer
	if len(mp) == 0 {
		_ = binary.Write(&c, binary.LittleEndian, uint32(shpNull))
		return c.Bytes()
	}
	var rings []orb.Ring
	for _, p := range mp {
		for j, r := range p {
			want := orb.CW // exterior
			if j > 0 {
				want = orb.CCW
			}
			if r.Orientation() != want {
				r = reversed(r)
			}
			rings = append(rings, r)
		}
	}
	b := mp.Bound()
	_ = binary.Write(&c, binary.LittleEndian, uint32(shpPolygon))
	_ = binary.Write(&c, binary.LittleEndian, [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]})
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	_ = binary.Write(&c, binary.LittleEndian, [2]uint32{uint32(len(rings)), uint32(n)})
	start := 0
	for _, r := range rings {
		_ = binary.Write(&c, binary.LittleEndian, uint32(start))
		start += len(r)
	}
	for _, r := range rings {
		for _, p := range r {
			_ = binary.Write(&c, binary.LittleEndian, [2]float64{p[0], p[1]})
		}
	}
	return c.Bytes()
}

func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// dbfField is one character field of the .dbf.
type dbfField struct {
	key  string // property key
	name string // dBASE name, at most 10 bytes
	len  int
}

// encodeDBF returns the .dbf of the features' properties.
func encodeDBF(features []Feature) ([]byte, error) {
	seen := map[string]bool{}
	for _, f := range features {
		for k := range f.Properties {
			seen[k] = true
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		keys = []string{"id"} // dBASE needs a field
	}
	if len(keys) > 255 {
		return nil, fmt.Errorf("shapefile: %d attributes, at most 255", len(keys))
	}
	fields := make([]dbfField, len(keys))
	names := map[string]bool{}
	recLen := 1
	for i, k := range keys {
		fields[i] = dbfField{key: k, name: uniqueName(cutUTF8(k, 10), names), len: 1}
		for _, f := range features {
			if n := len(cutUTF8(f.Properties[k], 254)); n > fields[i].len {
				fields[i].len = n
			}
		}
		recLen += fields[i].len
	}
	hdrLen := 32 + 32*len(fields) + 1
	var b bytes.Buffer
	now := time.Now().UTC()
	b.Write([]byte{0x03, byte(now.Year() - 1900), byte(now.Month()), byte(now.Day())})
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(features)))
	_ = binary.Write(&b, binary.LittleEndian, [2]uint16{uint16(hdrLen), uint16(recLen)})
	b.Write(make([]byte, 20)) // reserved, flags, language driver 0 (the .cpg says UTF-8)
	for _, f := range fields {
		d := make([]byte, 32)
		copy(d, f.name)
		d[11] = 'C'
		d[16] = byte(f.len)
		b.Write(d)
	}
	b.WriteByte(0x0D)
	for _, f := range features {
		b.WriteByte(' ')
		for _, fd := range fields {
			v := cutUTF8(f.Properties[fd.key], 254)
			b.WriteString(v)
			b.Write(bytes.Repeat([]byte{' '}, fd.len-len(v)))
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes(), nil
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// uniqueName returns name, or a variant ending in a number when taken.
func uniqueName(name string, taken map[string]bool) string {
	out := name
	for i := 1; taken[out]; i++ {
		suffix := fmt.Sprint(i)
		out = cutUTF8(name, 10-len(suffix)) + suffix
	}
	taken[out] = true
	return out
}
