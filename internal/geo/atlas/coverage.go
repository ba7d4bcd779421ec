package atlas

import (
	"context"
	"encoding/json"
	"fmt"
	"gridgov/internal/org"

	"gridgov/internal/apperr"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// CoverageProblem is one gap, overlap or outside part, with its area and
// outline (GeoJSON geometry).
type CoverageProblem struct {
	Kind     string          `json:"kind"` // gap, overlap or outside
	Grids    []string        `json:"grids,omitempty"`
	AreaM2   float64         `json:"area_m2"`
	Geometry json.RawMessage `json:"geometry"`
}

// CoverageReport is how a community's third-level grids cover it.
type CoverageReport struct {
	UnitCode      string            `json:"unit_code"`
	UnitName      string            `json:"unit_name"`
	OK            bool              `json:"ok"`
	ParentAreaM2  float64           `json:"parent_area_m2"`
	CoveredAreaM2 float64           `json:"covered_area_m2"`
	Grids         []string          `json:"grids"`
	Problems      []CoverageProblem `json:"problems"`
	// WithoutBoundary lists the community's third-level grids that have no
	// boundary (left out of the check).
	WithoutBoundary []string `json:"without_boundary"`
}

// Coverage checks a community's boundary against its third-level grids
// (grid.read over the community): gaps, overlaps and parts of grids outside
// it, each with its area and outline, and grids without a boundary. The
// community must have a boundary.
func (s *Service) Coverage(ctx context.Context, unitCode string) (CoverageReport, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return CoverageReport{}, err
	}
	u, err := s.unitRow(ctx, unitCode)
	if err != nil {
		return CoverageReport{}, err
	}
	if err := rbac.Require(ctx, rbac.GridRead, u.path); err != nil {
		return CoverageReport{}, err
	}
	if u.Level != "community" || u.Kind != "territory" {
		return CoverageReport{}, apperr.Field("unit_code", apperr.CommunityRequired)
	}
	if len(u.Boundary) == 0 {
		return CoverageReport{}, apperr.Field("unit_code", apperr.CommunityNoBoundary)
	}
	parent, err := geo.ParseBoundary(u.Boundary)
	if err != nil {
		return CoverageReport{}, apperr.Newf(apperr.Conflict, "the stored boundary of %s cannot be read: %s", unitCode, geomProblem(err))
	}
	rep := CoverageReport{UnitCode: u.Code, UnitName: u.Name, Grids: []string{}, Problems: []CoverageProblem{},
		WithoutBoundary: []string{}}
	children, err := s.communityGrids(ctx, unitCode, &rep)
	if err != nil {
		return rep, err
	}
	c, err := geo.CheckCoverage(parent, children, geo.CoverageOptions{})
	if err != nil {
		return rep, apperr.Newf(apperr.Conflict, "coverage cannot be computed: %s", geomProblem(err))
	}
	rep.OK, rep.ParentAreaM2, rep.CoveredAreaM2 = c.OK(), c.ParentAreaM2, c.CoveredAreaM2
	for _, g := range c.Gaps {
		rep.Problems = append(rep.Problems, CoverageProblem{Kind: "gap", AreaM2: g.AreaM2, Geometry: geo.GeometryJSON(g.Geometry)})
	}
	for _, o := range c.Overlaps {
		rep.Problems = append(rep.Problems, CoverageProblem{Kind: "overlap", Grids: []string{o.A, o.B}, AreaM2: o.AreaM2,
			Geometry: geo.GeometryJSON(o.Geometry)})
	}
	for _, o := range c.Outside {
		rep.Problems = append(rep.Problems, CoverageProblem{Kind: "outside", Grids: []string{o.Code}, AreaM2: o.AreaM2,
			Geometry: geo.GeometryJSON(o.Geometry)})
	}
	return rep, nil
}

// communityGrids reads the community's third-level grids with boundaries,
// noting those without one in rep.
func (s *Service) communityGrids(ctx context.Context, unitCode string, rep *CoverageReport) ([]geo.CoverageChild, error) {
	grids, err := s.org.GridOutlines(ctx, org.GridOutlineFilter{UnitCode: unitCode, Level: 3})
	if err != nil {
		return nil, fmt.Errorf("community grids: %w", err)
	}
	var out []geo.CoverageChild
	for _, gr := range grids {
		code := gr.Code
		rep.Grids = append(rep.Grids, code)
		if len(gr.Boundary) == 0 {
			rep.WithoutBoundary = append(rep.WithoutBoundary, code)
			continue
		}
		g, err := geo.ParseBoundary(gr.Boundary)
		if err != nil {
			return nil, apperr.Newf(apperr.Conflict, "the stored boundary of grid %s cannot be read: %s", code, geomProblem(err))
		}
		out = append(out, geo.CoverageChild{Code: code, Geometry: g})
	}
	return out, nil
}
