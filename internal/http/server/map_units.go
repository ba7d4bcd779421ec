package server

import (
	"context"

	"github.com/paulmach/orb"

	"gridgov/internal/geo/atlas"
	"gridgov/internal/http/web"
)

// atlasUnits adapts the atlas service to the console map's unit outlines.
type atlasUnits struct{ geo *atlas.Service }

// mapUnits returns the console map's unit-outline source, or nil (no
// units layer) without the atlas service.
func mapUnits(geo *atlas.Service) web.UnitOutlines {
	if geo == nil {
		return nil
	}
	return atlasUnits{geo}
}

// UnitOutlines lists the territory units of a level with a boundary
// meeting bbox, in the actor's org.read scope.
func (a atlasUnits) UnitOutlines(ctx context.Context, level string, bbox orb.Bound) ([]web.UnitOutline, error) {
	f := atlas.UnitShapeFilter{Level: level}
	if bbox != (orb.Bound{}) {
		f.BBox = &atlas.BBox{MinLng: bbox.Min[0], MinLat: bbox.Min[1], MaxLng: bbox.Max[0], MaxLat: bbox.Max[1]}
	}
	us, err := a.geo.UnitShapes(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]web.UnitOutline, 0, len(us))
	for _, u := range us {
		out = append(out, web.UnitOutline{Code: u.Code, Name: u.Name, Level: u.Level, Boundary: u.Boundary})
	}
	return out, nil
}
