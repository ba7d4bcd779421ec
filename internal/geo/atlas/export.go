package atlas

import (
	"bytes"
	"context"
	"fmt"
	"gridgov/internal/org"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// ExportFile is an exported boundary file.
type ExportFile struct {
	Name        string // file name to offer, e.g. grids.geojson
	ContentType string
	Data        []byte
}

// Export writes the grids (grid.read scope) or territory units (org.read
// scope) visible to the actor as a GeoJSON FeatureCollection or a Shapefile
// zip, with properties code, name, level, unit_code (grids) and parent (the
// parent grid or unit). Shapes without a boundary are written with a null
// geometry, so the file lists everything in scope.
func (s *Service) Export(ctx context.Context, tgt, format string) (ExportFile, error) {
	var features []geo.Feature
	var err error
	switch tgt {
	case TargetGrids:
		features, err = s.gridFeatures(ctx)
	case TargetUnits:
		features, err = s.unitFeatures(ctx)
	default:
		return ExportFile{}, apperr.Field("target", apperr.OneOf, "values", "grids, units")
	}
	if err != nil {
		return ExportFile{}, err
	}
	var buf bytes.Buffer
	switch format {
	case FormatGeoJSON, "":
		if err := geo.WriteGeoJSON(&buf, features); err != nil {
			return ExportFile{}, err
		}
		return ExportFile{Name: tgt + ".geojson", ContentType: "application/geo+json", Data: buf.Bytes()}, nil
	case FormatShapefile:
		if err := geo.WriteShapefileZip(&buf, tgt, features); err != nil {
			return ExportFile{}, err
		}
		return ExportFile{Name: tgt + ".zip", ContentType: "application/zip", Data: buf.Bytes()}, nil
	}
	return ExportFile{}, apperr.Field("format", apperr.OneOf, "values", "geojson, shapefile")
}

// gridFeatures lists the grids in grid.read scope as features.
func (s *Service) gridFeatures(ctx context.Context) ([]geo.Feature, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, err
	}
	scope := rbac.ScopeOf(actor.From(ctx), rbac.GridRead)
	grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{Scope: &scope})
	if err != nil {
		return nil, fmt.Errorf("export grids: %w", err)
	}
	var out []geo.Feature
	for _, g := range grids {
		f, err := feature(string(g.Boundary), map[string]string{"code": g.Code, "name": g.Name, "level": strconv.Itoa(g.Level),
			"unit_code": g.UnitCode, "parent": g.ParentGrid})
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// unitFeatures lists the territory units in org.read scope as features.
func (s *Service) unitFeatures(ctx context.Context) ([]geo.Feature, error) {
	units, err := s.UnitShapes(ctx, UnitShapeFilter{WithoutBoundary: true})
	if err != nil {
		return nil, err
	}
	out := make([]geo.Feature, 0, len(units))
	for _, u := range units {
		f, err := feature(string(u.Boundary), map[string]string{"code": u.Code, "name": u.Name, "level": u.Level,
			"unit_code": u.Code, "parent": u.ParentCode})
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// feature builds a feature from a stored boundary. A stored boundary that
// no longer parses (written before validation was strict) is exported as
// is when it can be read leniently, and otherwise fails the export naming it.
func feature(boundary string, props map[string]string) (geo.Feature, error) {
	f := geo.Feature{Properties: props}
	if strings.TrimSpace(boundary) == "" {
		return f, nil
	}
	g, err := geo.ParseBoundary([]byte(boundary))
	if err != nil {
		return f, apperr.Newf(apperr.Conflict, "the stored boundary of %s cannot be read: %s", props["code"], geomProblem(err))
	}
	f.Geometry = multi(g)
	return f, nil
}
