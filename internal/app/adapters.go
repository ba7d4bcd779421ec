package app

import (
	"context"

	"gridgov/internal/cases"
	"gridgov/internal/geo"
)

// gridLocator adapts the fresh grid locator to the Locator of the case loop
// and the registry, which need only the grid's code.
type gridLocator struct{ fresh *geo.FreshLocator }

// Locate returns the code of the deepest grid containing the point.
func (g gridLocator) Locate(ctx context.Context, lat, lng float64) (string, bool, error) {
	return g.fresh.GridCode(ctx, lat, lng)
}

// addressLocator adapts the map service's geocoder to the case loop's
// AddressLocator: the best candidate naming a single grid. It reaches the
// geocoder through the App because the geocoder is built after the case
// loop (it reads the registry's houses, and the registry links cases).
type addressLocator struct{ a *App }

// LocateAddress returns the grid and point of an address, as the actor
// sees the registry's houses.
func (l addressLocator) LocateAddress(ctx context.Context, address string) (cases.AddressMatch, bool, error) {
	c, ok, err := l.a.Geo.LocateAddress(ctx, address)
	if err != nil || !ok {
		return cases.AddressMatch{}, false, err
	}
	return cases.AddressMatch{GridCode: c.GridCode, Lat: c.Lat, Lng: c.Lng}, true, nil
}

// caseSummaries lets the registry read a case as the actor sees it.
type caseSummaries struct{ cases *cases.Service }

// CaseSummary returns a visible case's number, status and category name.
func (c caseSummaries) CaseSummary(ctx context.Context, id int64) (number, status, category string, err error) {
	k, err := c.cases.CaseByID(ctx, id)
	if err != nil {
		return "", "", "", err
	}
	return k.Number, string(k.Status), k.CategoryName, nil
}
