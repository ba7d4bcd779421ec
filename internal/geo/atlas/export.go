package atlas

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
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
		return ExportFile{}, apperr.Field("target", "must be grids or units")
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
	return ExportFile{}, apperr.Field("format", "must be geojson or shapefile")
}

// gridFeatures lists the grids in grid.read scope as features.
func (s *Service) gridFeatures(ctx context.Context) ([]geo.Feature, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, err
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), rbac.GridRead).SQL("u.path")
	rows, err := s.db.Query(ctx, `SELECT g.code, g.name, g.level, g.unit_code, g.parent_grid_code, g.boundary
		FROM grids g JOIN org_units u ON u.code = g.unit_code WHERE `+cond+` ORDER BY g.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("export grids: %w", err)
	}
	defer rows.Close()
	var out []geo.Feature
	for rows.Next() {
		var code, name, unit string
		var level int
		var parent, b sql.NullString
		if err := rows.Scan(&code, &name, &level, &unit, &parent, &b); err != nil {
			return nil, err
		}
		f, err := feature(b.String, map[string]string{"code": code, "name": name, "level": strconv.Itoa(level),
			"unit_code": unit, "parent": parent.String})
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
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
