package main

import (
	"context"

	"gridgov/internal/cases"
	"gridgov/internal/geo/atlas"
)

// addressLocator adapts the map service's geocoder to the case loop's
// AddressLocator: the best candidate naming a single grid.
type addressLocator struct{ geo *atlas.Service }

// LocateAddress returns the grid and point of an address, as the actor
// sees the registry's houses.
func (l addressLocator) LocateAddress(ctx context.Context, address string) (cases.AddressMatch, bool, error) {
	c, ok, err := l.geo.LocateAddress(ctx, address)
	if err != nil || !ok {
		return cases.AddressMatch{}, false, err
	}
	return cases.AddressMatch{GridCode: c.GridCode, Lat: c.Lat, Lng: c.Lng}, true, nil
}
