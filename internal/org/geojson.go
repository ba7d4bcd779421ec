package org

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
)

// maxBoundaryBytes bounds a stored boundary: a detailed district outline is
// a few hundred kilobytes; anything far larger is a mistake.
const maxBoundaryBytes = 4 << 20

// geometry is a GeoJSON Polygon or MultiPolygon as stored. Coordinates stay
// raw until checked, since the two types nest differently.
type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type feature struct {
	Type     string          `json:"type"`
	Geometry json.RawMessage `json:"geometry"`
}

type (
	ring    [][]float64
	polygon []ring
)

// normalizeBoundary checks a GeoJSON boundary and returns the geometry in
// compact form; nil input or JSON null means no boundary. Problems come
// back as an invalid error on the field "boundary".
func normalizeBoundary(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if len(raw) > maxBoundaryBytes {
		return nil, apperr.Field("boundary", "is larger than 4 MB")
	}
	out, problem := parseBoundary(raw)
	if problem != "" {
		return nil, apperr.Field("boundary", problem)
	}
	// The geometry checks of the map: no ring crossing itself, holes
	// inside their shell, no zero-area ring.
	g, err := geo.ParseBoundary(out)
	if err == nil {
		_, err = geo.Validate(g)
	}
	if err != nil {
		return nil, apperr.Field("boundary", apperr.As(err).Fields["geometry"])
	}
	return out, nil
}

func parseBoundary(raw json.RawMessage) (json.RawMessage, string) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, "is not a GeoJSON object: " + err.Error()
	}
	if head.Type == "Feature" {
		var f feature
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, "is not a GeoJSON Feature: " + err.Error()
		}
		if len(bytes.TrimSpace(f.Geometry)) == 0 || bytes.Equal(bytes.TrimSpace(f.Geometry), []byte("null")) {
			return nil, "Feature has no geometry"
		}
		raw = f.Geometry
	}
	var g geometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, "is not a GeoJSON geometry: " + err.Error()
	}
	var polys []polygon
	switch g.Type {
	case "Polygon":
		var p polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, "Polygon coordinates must be an array of rings of [longitude, latitude] positions"
		}
		polys = []polygon{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, "MultiPolygon coordinates must be an array of polygons of rings of [longitude, latitude] positions"
		}
		if len(polys) == 0 {
			return nil, "MultiPolygon has no polygons"
		}
	default:
		return nil, fmt.Sprintf("must be a Polygon or MultiPolygon (or a Feature with one), not %q", g.Type)
	}
	for i, p := range polys {
		if problem := checkPolygon(p); problem != "" {
			if g.Type == "MultiPolygon" {
				return nil, fmt.Sprintf("polygon %d: %s", i+1, problem)
			}
			return nil, problem
		}
	}
	var coords any = polys
	if g.Type == "Polygon" {
		coords = polys[0]
	}
	out, err := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{g.Type, coords})
	if err != nil {
		return nil, "cannot be encoded: " + err.Error()
	}
	return out, ""
}

// checkPolygon checks ring closure, ring length and coordinate ranges.
func checkPolygon(p polygon) string {
	if len(p) == 0 {
		return "polygon has no rings"
	}
	for i, r := range p {
		if len(r) < 4 {
			return fmt.Sprintf("ring %d has %d positions; a closed ring needs at least 4", i+1, len(r))
		}
		for j, pos := range r {
			if len(pos) < 2 || len(pos) > 3 {
				return fmt.Sprintf("ring %d position %d must be [longitude, latitude]", i+1, j+1)
			}
			if pos[0] < -180 || pos[0] > 180 {
				return fmt.Sprintf("ring %d position %d: longitude %g is outside -180..180", i+1, j+1, pos[0])
			}
			if pos[1] < -90 || pos[1] > 90 {
				return fmt.Sprintf("ring %d position %d: latitude %g is outside -90..90", i+1, j+1, pos[1])
			}
		}
		first, last := r[0], r[len(r)-1]
		if first[0] != last[0] || first[1] != last[1] {
			return fmt.Sprintf("ring %d is not closed: its first and last positions differ", i+1)
		}
	}
	return ""
}
