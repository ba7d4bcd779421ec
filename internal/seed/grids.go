package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"gridgov/internal/geo"
	"gridgov/internal/org"
)

// GridCode returns the demo grid code of a unit: its code plus "-01" (the
// first grid of the unit), at every level.
func GridCode(unitCode string) string { return unitCode + "-01" }

// shortSuffixes maps the formal endings of community names to the short
// form people use (碧沙岗社区居委会 → 碧沙岗社区, 柿园村民委员会 → 柿园村),
// longest first.
var shortSuffixes = []struct{ long, short string }{
	{"社区居民管理委员会", "社区"}, {"社区居民居委会", "社区"}, {"社区居民委员会", "社区"},
	{"社区管理委员会", "社区"}, {"社区居委会", "社区"}, {"社区委员会", "社区"},
	{"村民委员会", "村"}, {"村委会", "村"}, {"居民委员会", "社区"}, {"居委会", "社区"},
}

// ShortName returns the everyday name of a community or village.
func ShortName(name string) string {
	for _, s := range shortSuffixes {
		if base, ok := strings.CutSuffix(name, s.long); ok && base != "" {
			return base + s.short
		}
	}
	return name
}

// outlines returns the district outlines of the embedded GeoJSON by name.
func outlines() (map[string]json.RawMessage, error) {
	raw, err := data.ReadFile("data/boundaries/zhengzhou-districts.geojson")
	if err != nil {
		return nil, err
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
			Geometry json.RawMessage `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("district outlines: %w", err)
	}
	out := make(map[string]json.RawMessage, len(fc.Features))
	for _, f := range fc.Features {
		out[f.Properties.Name] = f.Geometry
	}
	return out, nil
}

// grids creates one level-1 grid per district, one level-2 grid per street
// and one level-3 grid per community, each under the grid of the unit
// above and with its unit's boundary where the demo geography has one (the
// district outline, or the generated street or community tile), in one
// bulk import.
func (s *seeder) grids(ctx context.Context) error {
	in := make([]org.GridInput, 0, len(s.set.Districts)+len(s.set.Streets)+len(s.set.Communities))
	withShape := func(g org.GridInput) org.GridInput {
		if mp, ok := s.geo.shapes[g.UnitCode]; ok && len(mp) > 0 {
			g.Boundary, g.BoundarySource = geo.GeometryJSON(mp), s.geo.source[g.UnitCode]
			s.res.Boundaries++
		}
		return g
	}
	for _, d := range s.set.Districts {
		in = append(in, withShape(org.GridInput{Code: GridCode(d.Code), Name: d.Name + "一级网格", Level: 1, UnitCode: d.Code}))
	}
	for _, st := range s.set.Streets {
		in = append(in, withShape(org.GridInput{Code: GridCode(st.Code), Name: st.Name + "二级网格", Level: 2,
			UnitCode: st.Code, ParentGridCode: GridCode(st.ParentCode)}))
	}
	for _, c := range s.set.Communities {
		in = append(in, withShape(org.GridInput{Code: GridCode(c.Code), Name: ShortName(c.Name) + "第一网格", Level: 3,
			UnitCode: c.Code, ParentGridCode: GridCode(c.ParentCode)}))
	}
	res, err := s.deps.Org.ImportGrids(ctx, in)
	if err != nil {
		return fmt.Errorf("grids: %w", err)
	}
	s.res.Grids = res.Created
	return nil
}
