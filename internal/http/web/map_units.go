package web

import (
	"context"

	"github.com/paulmach/orb"

	"gridgov/internal/geo/atlas"
)

// atlasUnits adapts the atlas service to the console map's unit outlines.
type atlasUnits struct{ geo *atlas.Service }

// UnitOutlines lists the territory units of a level with a boundary
// meeting bbox, in the actor's org.read scope.
func (a atlasUnits) UnitOutlines(ctx context.Context, level string, bbox orb.Bound) ([]UnitOutline, error) {
	f := atlas.UnitShapeFilter{Level: level}
	if bbox != (orb.Bound{}) {
		f.BBox = &atlas.BBox{MinLng: bbox.Min[0], MinLat: bbox.Min[1], MaxLng: bbox.Max[0], MaxLat: bbox.Max[1]}
	}
	us, err := a.geo.UnitShapes(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]UnitOutline, 0, len(us))
	for _, u := range us {
		out = append(out, UnitOutline{Code: u.Code, Name: u.Name, Level: u.Level, Boundary: u.Boundary})
	}
	return out, nil
}
