package server

import (
	"context"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
)

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
