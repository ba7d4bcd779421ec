package geo

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
)

// ReadGeoJSONFeatures reads a GeoJSON FeatureCollection (or a single
// Feature, or a bare Polygon/MultiPolygon geometry) into features. Every
// geometry must be a Polygon or MultiPolygon, or null (a feature without
// geometry); it is checked and normalised by Validate. Property values
// become strings: a string as is, null as "", anything else as its JSON
// text (numbers keep their written form). Errors are
// apperr.Field("file", …) naming the feature index.
func ReadGeoJSONFeatures(data []byte) ([]Feature, error) {
	var top struct {
		Type       string            `json:"type"`
		Features   []json.RawMessage `json:"features"`
		Properties json.RawMessage   `json:"properties"`
		Geometry   json.RawMessage   `json:"geometry"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fileErr(apperr.GeojsonNot, "detail", err.Error())
	}
	switch top.Type {
	case "FeatureCollection":
		out := make([]Feature, 0, len(top.Features))
		for i, raw := range top.Features {
			f, err := readGeoJSONFeature(raw)
			if err != nil {
				return nil, fileErr(apperr.FeatureProblem, "n", i, "problem", problemOf(err))
			}
			out = append(out, f)
		}
		return out, nil
	case "Feature":
		f, err := readGeoJSONFeature(data)
		if err != nil {
			return nil, fileErr(apperr.FeatureProblem, "n", 0, "problem", problemOf(err))
		}
		return []Feature{f}, nil
	case "Polygon", "MultiPolygon":
		mp, err := parseAreaGeometry(data)
		if err != nil {
			return nil, apperr.FieldProblem("file", problemOf(err))
		}
		return []Feature{{Properties: map[string]string{}, Geometry: mp}}, nil
	}
	return nil, fileErr(apperr.GeojsonType, "type", top.Type)
}

func readGeoJSONFeature(raw json.RawMessage) (Feature, error) {
	var f struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		Geometry   json.RawMessage            `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Feature{}, apperr.Field("geometry", apperr.GeometryDetail, "detail", err.Error())
	}
	if f.Type != "Feature" {
		return Feature{}, apperr.Field("geometry", apperr.FeatureType, "type", f.Type)
	}
	props := make(map[string]string, len(f.Properties))
	for k, v := range f.Properties {
		props[k] = jsonText(v)
	}
	out := Feature{Properties: props}
	if isEmpty(f.Geometry) {
		return out, nil
	}
	mp, err := parseAreaGeometry(f.Geometry)
	if err != nil {
		return Feature{}, err
	}
	out.Geometry = mp
	return out, nil
}

// parseAreaGeometry parses and validates a Polygon or MultiPolygon.
func parseAreaGeometry(raw json.RawMessage) (orb.MultiPolygon, error) {
	g, err := ParseBoundary(raw)
	if err != nil {
		return nil, err
	}
	v, err := Validate(g)
	if err != nil {
		return nil, err
	}
	return asMulti(v), nil
}

func jsonText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

// WriteGeoJSON writes features as a GeoJSON FeatureCollection: properties
// as string values (keys sorted), geometry as a Polygon when it has one
// part, a MultiPolygon when more, null when none; positions [lng, lat].
func WriteGeoJSON(w io.Writer, features []Feature) error {
	b, err := MarshalFeatureCollection(features)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// MarshalFeatureCollection returns features as a GeoJSON FeatureCollection
// (see WriteGeoJSON).
func MarshalFeatureCollection(features []Feature) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range features {
		if i > 0 {
			buf.WriteByte(',')
		}
		props := f.Properties
		if props == nil {
			props = map[string]string{}
		}
		p, err := json.Marshal(props)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`{"type":"Feature","properties":`)
		buf.Write(p)
		buf.WriteString(`,"geometry":`)
		writeGeometry(&buf, f.Geometry)
		buf.WriteByte('}')
	}
	buf.WriteString("]}\n")
	return buf.Bytes(), nil
}

// GeometryJSON returns a MultiPolygon as a GeoJSON geometry: a Polygon when
// it has one part, else a MultiPolygon; null when empty.
func GeometryJSON(mp orb.MultiPolygon) json.RawMessage {
	var buf bytes.Buffer
	writeGeometry(&buf, mp)
	return buf.Bytes()
}

func writeGeometry(buf *bytes.Buffer, mp orb.MultiPolygon) {
	switch len(mp) {
	case 0:
		buf.WriteString("null")
	case 1:
		buf.WriteString(`{"type":"Polygon","coordinates":`)
		writePolygon(buf, mp[0])
		buf.WriteByte('}')
	default:
		buf.WriteString(`{"type":"MultiPolygon","coordinates":[`)
		for i, p := range mp {
			if i > 0 {
				buf.WriteByte(',')
			}
			writePolygon(buf, p)
		}
		buf.WriteString("]}")
	}
}

func writePolygon(buf *bytes.Buffer, p orb.Polygon) {
	buf.WriteByte('[')
	for i, r := range p {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('[')
		for j, pt := range r {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			buf.WriteString(strconv.FormatFloat(pt[0], 'f', -1, 64))
			buf.WriteByte(',')
			buf.WriteString(strconv.FormatFloat(pt[1], 'f', -1, 64))
			buf.WriteByte(']')
		}
		buf.WriteByte(']')
	}
	buf.WriteByte(']')
}
