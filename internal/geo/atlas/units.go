package atlas

import (
	"context"
	"encoding/json"
	"fmt"
	"gridgov/internal/org"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// UnitShape is an org unit with its boundary (a GeoJSON geometry, WGS84).
type UnitShape struct {
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Level          string          `json:"level"`
	Kind           string          `json:"kind"`
	ParentCode     string          `json:"parent_code"`
	Boundary       json.RawMessage `json:"boundary"`
	BoundarySource string          `json:"boundary_source"`
	path           string
}

// UnitShapeFilter selects units for UnitShapes.
type UnitShapeFilter struct {
	Level  string // city, district, street, community; "" any
	Parent string // direct children of this unit; "" any
	BBox   *BBox  // boundaries overlapping this box
	// WithoutBoundary includes units that have no boundary (export does).
	WithoutBoundary bool
}

// unitRow reads one unit by code (org answers), inside or outside a transaction.
func (s *Service) unitRow(ctx context.Context, code string) (UnitShape, error) {
	u, err := s.org.UnitOutline(ctx, code)
	return shapeOf(u), err
}

// shapeOf is a unit outline as the map shows it.
func shapeOf(u org.UnitOutline) UnitShape {
	return UnitShape{Code: u.Code, Name: u.Name, Level: u.Level, Kind: u.Kind, ParentCode: u.ParentCode,
		Boundary: u.Boundary, BoundarySource: u.BoundarySource, path: u.Path}
}

// checkSource checks a boundary source note (where the outline came from).
func checkSource(src string) (string, error) {
	src = strings.TrimSpace(src)
	if utf8.RuneCountInString(src) > 100 || strings.IndexFunc(src, unicode.IsControl) >= 0 {
		return "", apperr.Field("boundary_source", apperr.TextChars, "n", 100)
	}
	return src, nil
}

// SetUnitBoundary sets, replaces or (with a null or empty geometry) removes
// the boundary of a territory unit (org.write over the unit; a unit outside
// the actor's scope is not_found). The geometry is a GeoJSON Polygon or
// MultiPolygon in WGS84, checked by geo.Validate; the change is audited as
// geo.unit.boundary.
func (s *Service) SetUnitBoundary(ctx context.Context, code string, geometry json.RawMessage, source string) (UnitShape, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgWrite); err != nil {
		return UnitShape{}, err
	}
	src, err := checkSource(source)
	if err != nil {
		return UnitShape{}, err
	}
	var stored json.RawMessage
	if t := strings.TrimSpace(string(geometry)); t != "" && t != "null" {
		mp, err := cleanGeometry(geometry, CRSWGS84, "boundary")
		if err != nil {
			return UnitShape{}, err
		}
		stored = geo.GeometryJSON(mp)
	}
	var out UnitShape
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.unitRow(ctx, code)
		if err != nil {
			return err
		}
		if err := authorizeWrite(ctx, rbac.OrgWrite, rbac.OrgRead, u.path); err != nil {
			return err
		}
		if u.Kind != "territory" {
			return apperr.Field("code", apperr.NoBoundaryHere)
		}
		change, err := s.writeUnitBoundary(ctx, u, stored, src)
		if err != nil {
			return err
		}
		u.Boundary, u.BoundarySource = stored, src
		out = u
		if change == "" {
			return nil
		}
		return s.audit.Record(ctx, audit.Entry{Action: "geo.unit.boundary", ObjectType: "org_unit", ObjectID: code,
			Detail: map[string]any{"boundary": change, "boundary_source": src}})
	})
	return out, err
}

// writeUnitBoundary stores a unit's boundary and says what changed ("" for
// nothing, else set, changed or removed).
func (s *Service) writeUnitBoundary(ctx context.Context, u UnitShape, b json.RawMessage, src string) (string, error) {
	change := ""
	switch {
	case string(b) == string(u.Boundary):
	case len(b) == 0:
		change = "removed"
	case len(u.Boundary) == 0:
		change = "set"
	default:
		change = "changed"
	}
	if change == "" && src == u.BoundarySource {
		return "", nil
	}
	if err := s.org.WriteUnitBoundary(ctx, u.Code, b, src); err != nil {
		return "", err
	}
	if change == "" {
		change = "source"
	}
	return change, nil
}

// authorizeWrite checks perm over path: an object the actor may read but
// not change is forbidden, one they may not even read is not_found.
func authorizeWrite(ctx context.Context, perm, readPerm rbac.Permission, path string) error {
	err := rbac.Require(ctx, perm, path)
	if apperr.Is(err, apperr.NotFound) && rbac.Can(actor.From(ctx), readPerm, path) {
		return apperr.Newf(apperr.Forbidden, "permission %s required here", perm)
	}
	return err
}

// UnitShapes lists the territory units in the actor's org.read scope that
// have a boundary (or all, with WithoutBoundary), ordered by path.
func (s *Service) UnitShapes(ctx context.Context, f UnitShapeFilter) ([]UnitShape, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgRead); err != nil {
		return nil, err
	}
	if f.Level != "" && !validLevel(f.Level) {
		return nil, apperr.Field("level", apperr.OneOf, "values", "city, district, street, community")
	}
	scope := rbac.ScopeOf(actor.From(ctx), rbac.OrgRead)
	units, err := s.org.UnitOutlines(ctx, org.OutlineFilter{Scope: &scope, TerritoryOnly: true,
		WithBoundary: !f.WithoutBoundary, Level: f.Level, Parent: f.Parent})
	if err != nil {
		return nil, fmt.Errorf("unit shapes: %w", err)
	}
	out := []UnitShape{}
	for _, o := range units {
		u := shapeOf(o)
		if f.BBox != nil && !boundaryIn(u.Boundary, f.BBox) {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

// boundaryIn reports whether a stored boundary overlaps the box.
func boundaryIn(b json.RawMessage, box *BBox) bool {
	if len(b) == 0 {
		return false
	}
	bd, ok := rawBound(b)
	return ok && box.intersects(bd)
}

// rawBound returns the bounding box of a stored GeoJSON geometry without
// validating it (a stored outline with a tiny self-crossing still has a box).
func rawBound(b json.RawMessage) (orb.Bound, bool) {
	var g struct {
		Coordinates any `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return orb.Bound{}, false
	}
	bd, found := orb.Bound{Min: orb.Point{180, 90}, Max: orb.Point{-180, -90}}, false
	var walk func(v any)
	walk = func(v any) {
		arr, ok := v.([]any)
		if !ok {
			return
		}
		if len(arr) >= 2 {
			x, ok1 := arr[0].(float64)
			y, ok2 := arr[1].(float64)
			if ok1 && ok2 {
				bd, found = bd.Extend(orb.Point{x, y}), true
				return
			}
		}
		for _, e := range arr {
			walk(e)
		}
	}
	walk(g.Coordinates)
	return bd, found
}

func validLevel(l string) bool {
	switch l {
	case "city", "district", "street", "community":
		return true
	}
	return false
}
