package atlas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/geo"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// The targets and formats of Import and Export.
const (
	TargetGrids      = "grids"
	TargetUnits      = "units"
	FormatGeoJSON    = "geojson"
	FormatShapefile  = "shapefile"
	MaxImportBytes   = 64 << 20
	maxImportReports = 100000
)

// ImportRequest is a boundary file to apply to existing grids or units.
type ImportRequest struct {
	Target string // grids or units
	Format string // geojson or shapefile (a zip)
	Data   []byte
	// CodeProperty names the feature property holding the grid or unit
	// code; NameProperty, when set, is only reported.
	CodeProperty string
	NameProperty string
	CRS          string // wgs84 (default) or gcj02
	// Source is stored as boundary_source ("import" when empty).
	Source string
	DryRun bool
}

// FeatureReport says what happened to one feature of an import.
type FeatureReport struct {
	Index  int    `json:"index"`
	Code   string `json:"code"`
	Name   string `json:"name,omitempty"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`  // Problem in English
	Change string `json:"change,omitempty"` // set, changed or unchanged
	// Problem is why the feature cannot be imported, as a code with
	// arguments (nil when it can).
	Problem *apperr.Problem `json:"problem,omitempty"`
}

// fail records why the feature cannot be imported.
func (fr *FeatureReport) fail(p apperr.Problem) {
	fr.Problem, fr.Error = &p, p.Text(apperr.English)
}

// ImportReport is the result of Import: a report per feature and whether
// anything was written. Applied is false after a dry run and whenever any
// feature failed: an import applies all its features or none.
type ImportReport struct {
	Target   string          `json:"target"`
	Total    int             `json:"total"`
	Valid    int             `json:"valid"`
	Invalid  int             `json:"invalid"`
	Changed  int             `json:"changed"`
	DryRun   bool            `json:"dry_run"`
	Applied  bool            `json:"applied"`
	Message  string          `json:"message"`
	Features []FeatureReport `json:"features"`
}

// target is a grid or unit an import may write: its org path and current boundary.
type target struct {
	path     string
	boundary json.RawMessage
}

// Import reads boundaries from a GeoJSON file or a Shapefile zip and
// applies them to existing grids (grid.write over each grid's unit) or
// territory units (org.write). Every feature is checked — a valid geometry
// (converted from GCJ-02 when CRS says so), a code that exists and is in the
// actor's write scope (otherwise "unknown code", as for a missing one),
// no code twice — and reported; then, unless DryRun, all features are
// written in one transaction only if none failed. Grid changes go through
// org.UpdateGrid (its own audit entry each, and GridsVersion moves, so
// locators rebuild); unit changes are audited as geo.unit.boundary; the
// import itself is audited as geo.import with its counts.
func (s *Service) Import(ctx context.Context, req ImportRequest) (ImportReport, error) {
	rep := ImportReport{Target: req.Target, DryRun: req.DryRun, Features: []FeatureReport{}}
	perm, readPerm := rbac.GridWrite, rbac.GridRead
	if req.Target == TargetUnits {
		perm, readPerm = rbac.OrgWrite, rbac.OrgRead
	} else if req.Target != TargetGrids {
		return rep, apperr.Field("target", apperr.OneOf, "values", "grids, units")
	}
	if err := rbac.RequireAny(ctx, perm); err != nil {
		return rep, err
	}
	crs, err := checkCRS(req.CRS)
	if err != nil {
		return rep, err
	}
	src, err := checkSource(req.Source)
	if err != nil {
		return rep, err
	}
	if src == "" {
		src = "import"
	}
	if strings.TrimSpace(req.CodeProperty) == "" {
		return rep, apperr.Field("code_property", apperr.CodeProperty)
	}
	features, err := readFeatures(req.Format, req.Data, crs)
	if err != nil {
		return rep, err
	}
	geoms := make([]json.RawMessage, len(features))
	for i, f := range features {
		fr := &features[i].report
		fr.Code, fr.Name = strings.TrimSpace(f.props[req.CodeProperty]), strings.TrimSpace(f.props[req.NameProperty])
		if req.NameProperty == "" {
			fr.Name = ""
		}
		if fr.Error == "" {
			geoms[i] = s.checkFeature(ctx, req.Target, perm, readPerm, fr, f.geom, features[:i])
		}
	}
	for _, f := range features {
		rep.Features = append(rep.Features, f.report)
		rep.Total++
		if f.report.Error == "" {
			rep.Valid++
			if f.report.Change != "unchanged" {
				rep.Changed++
			}
		} else {
			rep.Invalid++
		}
	}
	switch {
	case rep.Invalid > 0:
		rep.Message = fmt.Sprintf("%d of %d features have errors; nothing was written", rep.Invalid, rep.Total)
		return rep, nil
	case req.DryRun:
		rep.Message = fmt.Sprintf("dry run: %d features valid, %d would change; nothing was written", rep.Valid, rep.Changed)
		return rep, nil
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for i, f := range features {
			if f.report.Change == "unchanged" {
				continue
			}
			if err := s.applyBoundary(ctx, req.Target, f.report.Code, geoms[i], src); err != nil {
				return fmt.Errorf("feature %d (%s): %w", i, f.report.Code, err)
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "geo.import", ObjectType: req.Target, ObjectID: "",
			Detail: map[string]any{"features": rep.Total, "changed": rep.Changed, "crs": crs,
				"format": req.Format, "code_property": req.CodeProperty}})
	})
	if err != nil {
		return rep, err
	}
	rep.Applied = true
	rep.Message = fmt.Sprintf("%d features imported, %d boundaries changed", rep.Total, rep.Changed)
	s.afterGridChange(ctx, req.Target)
	return rep, nil
}

// importFeature is one feature read from the file with its report so far.
type importFeature struct {
	props  map[string]string
	geom   geo.Feature
	report FeatureReport
}

// readFeatures reads the file; a GeoJSON file is read feature by feature,
// so one bad geometry is reported on its feature instead of failing the
// file. A Shapefile zip is read whole (a bad shape fails the file).
func readFeatures(format string, data []byte, crs string) ([]importFeature, error) {
	if len(data) == 0 {
		return nil, apperr.Field("file", apperr.Empty)
	}
	if len(data) > MaxImportBytes {
		return nil, apperr.Field("file", apperr.TooLarge, "size", "64 MB")
	}
	var out []importFeature
	switch format {
	case FormatGeoJSON, "":
		var fc struct {
			Type     string            `json:"type"`
			Features []json.RawMessage `json:"features"`
		}
		if err := json.Unmarshal(data, &fc); err != nil {
			return nil, apperr.Field("file", apperr.NotGeojson, "detail", err.Error())
		}
		raws := fc.Features
		if fc.Type != "FeatureCollection" {
			raws = []json.RawMessage{data}
		}
		for i, raw := range raws {
			f := importFeature{report: FeatureReport{Index: i}, props: map[string]string{}}
			fs, err := geo.ReadGeoJSONFeatures(raw)
			if err == nil && len(fs) != 1 {
				err = errors.New("is not one feature")
			}
			if err != nil {
				f.report.fail(geomProblem(err))
				f.props = rawProps(raw)
			} else {
				f.geom, f.props = fs[0], fs[0].Properties
			}
			out = append(out, f)
		}
	case FormatShapefile:
		fs, err := geo.ReadShapefileZip(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return nil, err
		}
		for i, g := range fs {
			out = append(out, importFeature{props: g.Properties, geom: g, report: FeatureReport{Index: i}})
		}
	default:
		return nil, apperr.Field("format", apperr.OneOf, "values", "geojson, shapefile")
	}
	if len(out) > maxImportReports {
		return nil, apperr.Field("file", apperr.TooManyFeatures, "n", maxImportReports)
	}
	for i := range out {
		if out[i].report.Error == "" && crs == CRSGCJ02 && out[i].geom.Geometry != nil {
			mp, err := geo.ValidateMultiPolygon(multi(geo.GeometryGCJ02ToWGS84(out[i].geom.Geometry)))
			if err != nil {
				out[i].report.fail(apperr.P(apperr.AfterGcj, "problem", geomProblem(err)))
			}
			out[i].geom.Geometry = mp
		}
	}
	return out, nil
}

// rawProps reads a feature's properties as strings when its geometry failed,
// so the report can still name its code.
func rawProps(raw json.RawMessage) map[string]string {
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(raw, &f)
	out := map[string]string{}
	for k, v := range f.Properties {
		out[k] = strings.Trim(fmt.Sprint(v), " ")
	}
	return out
}

// checkFeature checks one feature's code and geometry, filling in its
// report, and returns the geometry to store.
func (s *Service) checkFeature(ctx context.Context, tgt string, perm, readPerm rbac.Permission,
	fr *FeatureReport, g geo.Feature, before []importFeature) json.RawMessage {
	if fr.Code == "" {
		fr.fail(apperr.P(apperr.ImportNoCode))
		return nil
	}
	for _, b := range before {
		if b.report.Code == fr.Code {
			fr.fail(apperr.P(apperr.ImportCodeTwice, "code", fr.Code, "other", b.report.Index))
			return nil
		}
	}
	if len(g.Geometry) == 0 {
		fr.fail(apperr.P(apperr.ImportNoGeometry))
		return nil
	}
	t, err := s.lookupTarget(ctx, tgt, fr.Code)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !rbac.Can(actor.From(ctx), readPerm, t.path)) {
		fr.fail(apperr.P(apperr.ImportUnknownCode, "code", fr.Code))
		return nil
	} else if err != nil {
		fr.fail(apperr.ProblemOf(err))
		return nil
	}
	if !rbac.Can(actor.From(ctx), perm, t.path) {
		fr.fail(apperr.P(apperr.ImportNoPermission, "perm", string(perm), "code", fr.Code))
		return nil
	}
	b := geo.GeometryJSON(g.Geometry)
	fr.OK = true
	switch {
	case len(t.boundary) == 0:
		fr.Change = "set"
	case sameGeometry(t.boundary, b):
		fr.Change = "unchanged"
	default:
		fr.Change = "changed"
	}
	return b
}

// sameGeometry compares two GeoJSON geometries by their compact form.
func sameGeometry(a, b json.RawMessage) bool {
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// lookupTarget finds a grid or territory unit by code.
func (s *Service) lookupTarget(ctx context.Context, tgt, code string) (target, error) {
	if tgt == TargetUnits {
		u, err := s.org.UnitOutline(ctx, code)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return target{}, fmt.Errorf("look up %s: %w", code, err)
		}
		if err != nil || u.Kind != "territory" {
			return target{}, apperr.NotFoundf("%s not found", code)
		}
		return target{path: u.Path, boundary: u.Boundary}, nil
	}
	grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{Codes: []string{code}})
	if err != nil {
		return target{}, fmt.Errorf("look up %s: %w", code, err)
	}
	if len(grids) == 0 {
		return target{}, apperr.NotFoundf("%s not found", code)
	}
	return target{path: grids[0].UnitPath, boundary: grids[0].Boundary}, nil
}

// applyBoundary writes one checked boundary.
func (s *Service) applyBoundary(ctx context.Context, tgt, code string, b json.RawMessage, src string) error {
	if tgt == TargetGrids {
		_, err := s.org.UpdateGrid(ctx, code, org.GridUpdate{Boundary: &b, BoundarySource: &src})
		return err
	}
	_, err := s.SetUnitBoundary(ctx, code, b, src)
	return err
}

// afterGridChange tells an in-process locator that can be invalidated to
// rebuild now (other processes see the change through GridsVersion).
func (s *Service) afterGridChange(ctx context.Context, tgt string) {
	if tgt != TargetGrids {
		return
	}
	if inv, ok := s.loc.(interface{ Invalidate() }); ok {
		inv.Invalidate()
	}
}
