package main

import (
	"context"

	"gridgov/internal/geo"
)

// gridLocator adapts the fresh grid locator to the case loop's Locator,
// which needs only the grid's code.
type gridLocator struct{ fresh *geo.FreshLocator }

// Locate returns the code of the deepest grid containing the point.
func (g gridLocator) Locate(ctx context.Context, lat, lng float64) (string, bool, error) {
	return g.fresh.GridCode(ctx, lat, lng)
}
