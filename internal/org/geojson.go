package org

import (
	"bytes"
	"encoding/json"

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
		return nil, apperr.Field("boundary", apperr.TooLarge, "size", "4 MB")
	}
	out, problem := parseBoundary(raw)
	if problem.Code != "" {
		return nil, apperr.FieldProblem("boundary", problem)
	}
	// The geometry checks of the map: no ring crossing itself, holes
	// inside their shell, no zero-area ring.
	g, err := geo.ParseBoundary(out)
	if err == nil {
		_, err = geo.Validate(g)
	}
	if err != nil {
		return nil, apperr.FieldProblem("boundary", apperr.As(err).Problems["geometry"])
	}
	return out, nil
}

func parseBoundary(raw json.RawMessage) (json.RawMessage, apperr.Problem) {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, apperr.P(apperr.NotGeojsonObject, "kind", "object", "detail", err.Error())
	}
	if head.Type == "Feature" {
		var f feature
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, apperr.P(apperr.NotGeojsonObject, "kind", "Feature", "detail", err.Error())
		}
		if len(bytes.TrimSpace(f.Geometry)) == 0 || bytes.Equal(bytes.TrimSpace(f.Geometry), []byte("null")) {
			return nil, apperr.P(apperr.FeatureGeometryMissing)
		}
		raw = f.Geometry
	}
	var g geometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, apperr.P(apperr.NotGeojsonObject, "kind", "geometry", "detail", err.Error())
	}
	var polys []polygon
	switch g.Type {
	case "Polygon":
		var p polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, apperr.P(apperr.PolygonArray)
		}
		polys = []polygon{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &polys); err != nil {
			return nil, apperr.P(apperr.MultipolygonArray)
		}
		if len(polys) == 0 {
			return nil, apperr.P(apperr.BoundaryNoPolygon)
		}
	default:
		return nil, apperr.P(apperr.BoundaryGeometryType, "type", g.Type)
	}
	for i, p := range polys {
		if problem := checkPolygon(p); problem.Code != "" {
			if g.Type == "MultiPolygon" {
				problem = apperr.P(apperr.PolygonProblem, "n", i+1, "problem", problem)
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
		return nil, apperr.P(apperr.Detail, "detail", err.Error())
	}
	return out, apperr.Problem{}
}

// checkPolygon checks ring closure, ring length and coordinate ranges.
func checkPolygon(p polygon) apperr.Problem {
	if len(p) == 0 {
		return apperr.P(apperr.PolygonNoRingAny)
	}
	for i, r := range p {
		if len(r) < 4 {
			return apperr.P(apperr.RingFewPositions, "n", i+1, "count", len(r))
		}
		for j, pos := range r {
			if len(pos) < 2 || len(pos) > 3 {
				return apperr.P(apperr.RingPositionShape, "n", i+1, "pos", j+1)
			}
			if pos[0] < -180 || pos[0] > 180 {
				return apperr.P(apperr.RingLongitude, "n", i+1, "pos", j+1, "value", pos[0])
			}
			if pos[1] < -90 || pos[1] > 90 {
				return apperr.P(apperr.RingLatitude, "n", i+1, "pos", j+1, "value", pos[1])
			}
		}
		first, last := r[0], r[len(r)-1]
		if first[0] != last[0] || first[1] != last[1] {
			return apperr.P(apperr.RingOpen, "n", i+1)
		}
	}
	return apperr.Problem{}
}
