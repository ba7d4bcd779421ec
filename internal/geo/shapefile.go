package geo

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/text/encoding/simplifiedchinese"

	"gridgov/internal/apperr"
)

// Feature is one shape read from a Shapefile or GeoJSON: its attributes as
// strings and its area, a MultiPolygon normalised by Validate (RFC 7946
// orientation). A record without a shape has a nil Geometry.
type Feature struct {
	Properties map[string]string
	Geometry   orb.MultiPolygon
}

// MaxShapefileBytes caps the total uncompressed size of a Shapefile zip.
const MaxShapefileBytes = 200 << 20

// ReadShapefileZip reads an ESRI Shapefile delivered as a zip of size bytes
// holding one .shp and its .dbf (same base name, any folder), and
// optionally .prj and .cpg; a .shx may be present but is not needed (the
// .shp is read in order). See ReadShapefile for what is accepted. Errors
// are apperr.Field("file", …): not a zip, several or no shapefiles, more
// than MaxShapefileBytes uncompressed (checked on the declared sizes and
// again while reading, against zip bombs).
func ReadShapefileZip(r io.ReaderAt, size int64) ([]Feature, error) {
	return readShapefileZip(r, size, MaxShapefileBytes)
}

func fileErr(code apperr.PCode, kv ...any) error {
	return apperr.Field("file", code, kv...)
}

func readShapefileZip(r io.ReaderAt, size int64, limit int64) ([]Feature, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fileErr(apperr.ZipNot, "detail", err.Error())
	}
	var total uint64
	byExt := map[string][]*zip.File{}
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, "._") {
			continue
		}
		total += f.UncompressedSize64
		ext := strings.ToLower(path.Ext(base))
		byExt[ext] = append(byExt[ext], f)
	}
	if total > uint64(limit) {
		return nil, fileErr(apperr.ZipTooBig, "size", total>>20, "max", limit>>20)
	}
	shps := byExt[".shp"]
	switch len(shps) {
	case 0:
		return nil, fileErr(apperr.ZipNoShp)
	case 1:
	default:
		return nil, fileErr(apperr.ZipManyShp, "n", len(shps))
	}
	stem := strings.TrimSuffix(shps[0].Name, path.Ext(shps[0].Name))
	find := func(ext string) *zip.File {
		for _, f := range byExt[ext] {
			if strings.EqualFold(strings.TrimSuffix(f.Name, path.Ext(f.Name)), stem) {
				return f
			}
		}
		if len(byExt[ext]) == 1 {
			return byExt[ext][0]
		}
		return nil
	}
	budget := limit
	read := func(f *zip.File) ([]byte, error) {
		if f == nil {
			return nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fileErr(apperr.FileProblem, "file", f.Name, "problem", err.Error())
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, budget+1))
		if err != nil {
			return nil, fileErr(apperr.FileProblem, "file", f.Name, "problem", err.Error())
		}
		if int64(len(b)) > budget {
			return nil, fileErr(apperr.ZipOver, "max", limit>>20)
		}
		budget -= int64(len(b))
		return b, nil
	}
	dbfFile := find(".dbf")
	if dbfFile == nil {
		return nil, fileErr(apperr.ZipNoDbf, "file", path.Base(shps[0].Name))
	}
	var parts [4][]byte
	for i, f := range []*zip.File{shps[0], dbfFile, find(".prj"), find(".cpg")} {
		if parts[i], err = read(f); err != nil {
			return nil, err
		}
	}
	return ReadShapefile(parts[0], parts[1], parts[2], parts[3])
}

// Shape types read: Polygon, PolygonZ and PolygonM (Z and M are dropped);
// NullShape records give a feature without geometry.
const (
	shpNull     = 0
	shpPolygon  = 5
	shpPolygonZ = 15
	shpPolygonM = 25
)

// ReadShapefile reads the bytes of a .shp and its .dbf (prj and cpg may be
// nil) into features, one per record in order.
//
//   - Geometry: Polygon, PolygonZ and PolygonM shapes, several parts with
//     holes; Shapefile rings are clockwise for exteriors and counter-
//     clockwise for holes, and each hole goes to the smallest exterior
//     containing it (a hole that no exterior contains is kept as an
//     exterior). The result passes Validate and is in RFC 7946 orientation.
//   - Attributes: dBASE field names and values, trimmed, as strings; the
//     text encoding comes from the .cpg (UTF-8, or GBK/GB2312/GB18030/936,
//     read as GB18030, a superset), else the .dbf's language driver byte,
//     else UTF-8 when valid and GB18030 otherwise. Records marked deleted in
//     the .dbf are skipped with their shapes.
//   - Coordinates: the .prj must describe geographic WGS 84 or CGCS2000
//     (within a metre of WGS 84); a projected CRS (PROJCS) or another
//     datum (Xian 1980, Beijing 1954) is refused naming it. Without a .prj,
//     coordinates must be valid longitudes and latitudes.
func ReadShapefile(shp, dbf, prj, cpg []byte) ([]Feature, error) {
	if err := checkPRJ(prj); err != nil {
		return nil, err
	}
	geoms, err := readSHP(shp)
	if err != nil {
		return nil, err
	}
	props, err := readDBF(dbf, cpg)
	if err != nil {
		return nil, err
	}
	if len(props) != len(geoms) {
		// Refuse rather than pair attributes with the wrong shapes.
		return nil, fileErr(apperr.ShpDbfCount, "shapes", len(geoms), "records", len(props))
	}
	out := make([]Feature, 0, len(geoms))
	for i := range geoms {
		if props[i] != nil {
			out = append(out, Feature{Properties: props[i], Geometry: geoms[i]})
		}
	}
	return out, nil
}

var wktName = regexp.MustCompile(`^\s*([A-Z0-9]+)\s*\[\s*"([^"]*)"`)

// checkPRJ accepts geographic WGS 84 and CGCS2000 and refuses the rest.
func checkPRJ(prj []byte) error {
	s := strings.TrimSpace(string(prj))
	if s == "" {
		return nil
	}
	m := wktName.FindStringSubmatch(s)
	if m == nil {
		return fileErr(apperr.PrjNotWkt)
	}
	kind, name := strings.ToUpper(m[1]), m[2]
	switch kind {
	case "PROJCS", "PROJCRS":
		return fileErr(apperr.PrjProjected, "name", name)
	case "GEOGCS", "GEOGCRS", "GEODCRS":
	default:
		return fileErr(apperr.PrjNotGeographic, "kind", kind, "name", name)
	}
	up := strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_").Replace(s))
	for _, ok := range []string{"WGS_1984", "WGS_84", "WGS84", "CGCS2000", "CGCS_2000", "CHINA_2000", "CHINA_GEODETIC_COORDINATE_SYSTEM_2000"} {
		if strings.Contains(up, "DATUM[\"D_"+ok) || strings.Contains(up, "DATUM[\""+ok) || strings.Contains(strings.ToUpper(name), ok) ||
			strings.Contains(strings.ToUpper(strings.ReplaceAll(name, " ", "_")), ok) {
			return nil
		}
	}
	return fileErr(apperr.PrjDatum, "name", name)
}

func readSHP(b []byte) ([]orb.MultiPolygon, error) {
	if len(b) < 100 || binary.BigEndian.Uint32(b[0:]) != 9994 {
		return nil, fileErr(apperr.ShpHeader)
	}
	switch t := binary.LittleEndian.Uint32(b[32:]); t {
	case shpNull, shpPolygon, shpPolygonZ, shpPolygonM:
	default:
		return nil, fileErr(apperr.ShpType, "type", t, "name", shapeTypeName(t))
	}
	var out []orb.MultiPolygon
	for off := 100; off+8 <= len(b); {
		n := len(out)
		clen := int(binary.BigEndian.Uint32(b[off+4:])) * 2
		start, end := off+8, off+8+clen
		if clen < 4 || end > len(b) {
			return nil, fileErr(apperr.ShpTruncated, "n", n)
		}
		mp, err := readPolygonRecord(b[start:end])
		if err != nil {
			return nil, fileErr(apperr.RecordProblem, "n", n, "problem", problemOf(err))
		}
		out = append(out, mp)
		off = end
	}
	return out, nil
}

// errText is the problem an error states: its geometry field's text, or
// its message.
// problemOf returns the geometry problem of err, or its message as one.
func problemOf(err error) apperr.Problem {
	e := apperr.As(err)
	if p, ok := e.Problems["geometry"]; ok {
		return p
	}
	return apperr.P(apperr.GeometryDetail, "detail", e.Message)
}

func errText(err error) string {
	e := apperr.As(err)
	if v := e.Fields["geometry"]; v != "" {
		return v
	}
	return e.Message
}

func shapeTypeName(t uint32) string {
	switch t {
	case 1, 11, 21:
		return "points"
	case 3, 13, 23:
		return "lines"
	case 8, 18, 28:
		return "multipoints"
	case 31:
		return "multipatch"
	}
	return "unknown"
}

func readPolygonRecord(c []byte) (orb.MultiPolygon, error) {
	t := binary.LittleEndian.Uint32(c)
	if t == shpNull {
		return nil, nil
	}
	if t != shpPolygon && t != shpPolygonZ && t != shpPolygonM {
		return nil, apperr.New(apperr.Invalid, fmt.Sprintf("shape type %d is not a polygon", t))
	}
	if len(c) < 44 {
		return nil, apperr.New(apperr.Invalid, "truncated polygon")
	}
	nParts := int(binary.LittleEndian.Uint32(c[36:]))
	nPoints := int(binary.LittleEndian.Uint32(c[40:]))
	if nParts <= 0 || nPoints <= 0 || 44+4*nParts+16*nPoints > len(c) || nParts > nPoints {
		return nil, apperr.New(apperr.Invalid, "truncated or corrupt polygon")
	}
	parts := make([]int, nParts+1)
	for i := 0; i < nParts; i++ {
		parts[i] = int(binary.LittleEndian.Uint32(c[44+4*i:]))
	}
	parts[nParts] = nPoints
	pts := c[44+4*nParts:]
	var rings []orb.Ring
	for i := 0; i < nParts; i++ {
		if parts[i] < 0 || parts[i] >= parts[i+1] || parts[i+1] > nPoints {
			return nil, apperr.New(apperr.Invalid, fmt.Sprintf("part %d has bad point offsets", i))
		}
		r := make(orb.Ring, 0, parts[i+1]-parts[i])
		for j := parts[i]; j < parts[i+1]; j++ {
			x := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j:]))
			y := math.Float64frombits(binary.LittleEndian.Uint64(pts[16*j+8:]))
			if !validLngLat(y, x) {
				return nil, apperr.New(apperr.Invalid, fmt.Sprintf("position [%g, %g] is not a longitude, latitude (a projected shapefile without .prj?)", x, y))
			}
			r = append(r, orb.Point{x, y})
		}
		rings = append(rings, r)
	}
	return assembleRings(rings)
}

// assembleRings groups Shapefile rings (clockwise exteriors,
// counter-clockwise holes) into a validated MultiPolygon.
func assembleRings(rings []orb.Ring) (orb.MultiPolygon, error) {
	var outers, holes []orb.Ring
	for _, r := range rings {
		c := dedupeRing(r)
		if len(c) < 4 {
			continue // degenerate part: dropped
		}
		if ringArea(c) < 0 {
			outers = append(outers, c)
		} else {
			holes = append(holes, c)
		}
	}
	if len(outers) == 0 { // a writer that ignored the orientation rule
		outers, holes = holes, nil
	}
	mp := make(orb.MultiPolygon, len(outers))
	for i, o := range outers {
		mp[i] = orb.Polygon{o}
	}
	for _, h := range holes {
		best, bestArea := -1, math.Inf(1)
		for i, o := range outers {
			if a := math.Abs(ringArea(o)); a < bestArea && ringHasInside(o, h) {
				best, bestArea = i, a
			}
		}
		if best < 0 {
			mp = append(mp, orb.Polygon{h})
		} else {
			mp[best] = append(mp[best], h)
		}
	}
	if len(mp) == 0 {
		return nil, nil
	}
	return ValidateMultiPolygon(mp)
}

// ringHasInside reports whether a vertex of h not on o's boundary is inside
// o (or, if all are on it, the first one).
func ringHasInside(o, h orb.Ring) bool {
	for _, p := range h {
		if !onRing(o, p) {
			return planar.RingContains(o, p)
		}
	}
	return planar.RingContains(o, h[0])
}

func onRing(r orb.Ring, p orb.Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if orient(r[i], r[i+1], p) == 0 && onSegment(r[i], r[i+1], p) {
			return true
		}
	}
	return false
}

// readDBF reads dBASE III records as string maps.
func readDBF(b, cpg []byte) ([]map[string]string, error) {
	if len(b) < 33 {
		return nil, fileErr(apperr.DbfShort)
	}
	nRec := int(binary.LittleEndian.Uint32(b[4:]))
	hdrLen := int(binary.LittleEndian.Uint16(b[8:]))
	recLen := int(binary.LittleEndian.Uint16(b[10:]))
	if hdrLen < 33 || hdrLen > len(b) || recLen < 1 {
		return nil, fileErr(apperr.DbfHeader)
	}
	type field struct {
		name     string
		off, len int
	}
	var fields []field
	off := 1 // the deletion flag
	for p := 32; p+32 <= hdrLen && b[p] != 0x0D; p += 32 {
		d := b[p : p+32]
		name := string(bytes.TrimRight(d[:11], "\x00 "))
		fl := int(d[16])
		if d[11] == 'C' {
			fl += int(d[17]) << 8 // long character fields use the decimal count byte
		}
		fields = append(fields, field{name: name, off: off, len: fl})
		off += fl
	}
	if off > recLen {
		return nil, fileErr(apperr.DbfFields)
	}
	decode := dbfDecoder(cpg, b[29])
	var out []map[string]string
	for i := 0; i < nRec; i++ {
		start := hdrLen + i*recLen
		if start+recLen > len(b) {
			return nil, fileErr(apperr.DbfTruncated, "n", i)
		}
		rec := b[start : start+recLen]
		if rec[0] == '*' {
			out = append(out, nil) // deleted: its shape is skipped too
			continue
		}
		m := make(map[string]string, len(fields))
		for _, f := range fields {
			v := bytes.Trim(rec[f.off:f.off+f.len], " \x00")
			m[f.name] = decode(v)
		}
		out = append(out, m)
	}
	return out, nil
}

// dbfDecoder picks the attribute text encoding from the .cpg or the
// language driver ID.
func dbfDecoder(cpg []byte, ldid byte) func([]byte) string {
	gb := func(v []byte) string {
		s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(v)
		if err != nil {
			return string(v)
		}
		return string(s)
	}
	utf := func(v []byte) string { return string(v) }
	c := strings.ToUpper(strings.TrimSpace(string(cpg)))
	switch {
	case strings.Contains(c, "UTF") || c == "65001":
		return utf
	case strings.Contains(c, "GB") || strings.Contains(c, "936"):
		return gb
	case c != "":
		return utf
	case ldid == 0x4D || ldid == 0x7A:
		return gb
	}
	return func(v []byte) string {
		if utf8.Valid(v) {
			return string(v)
		}
		return gb(v)
	}
}
