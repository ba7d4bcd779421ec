package server

import (
	"context"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/geo"
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

// territoryCentre returns the centre of the districts' outlines, where
// the citizen portal's map opens, or false without the atlas service or
// outlines. It reads as the system, once, at start.
func territoryCentre(svc *atlas.Service) ([2]float64, bool) {
	if svc == nil {
		return [2]float64{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	us, err := svc.UnitShapes(actor.With(ctx, actor.SystemActor("portal-map")), atlas.UnitShapeFilter{Level: "district"})
	if err != nil {
		return [2]float64{}, false
	}
	var b orb.Bound
	found := false
	for _, u := range us {
		g, err := geo.ParseBoundary(u.Boundary)
		if err != nil {
			continue
		}
		if !found {
			b, found = g.Bound(), true
		} else {
			b = b.Union(g.Bound())
		}
	}
	if !found {
		return [2]float64{}, false
	}
	c := b.Center()
	return [2]float64{c[1], c[0]}, true
}
