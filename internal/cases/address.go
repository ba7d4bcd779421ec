package cases

import "context"

// AddressMatch is where an address was found: the grid and a point in it
// (a registry house's coordinates, or a representative point of the grid
// or community named).
type AddressMatch struct {
	GridCode string
	Lat, Lng float64
}

// AddressLocator finds the grid of an address (a registry house's address
// or standard place names), as the acting user may see them; ok is false
// when the address names no single grid. The app passes the map service's
// geocoder.
type AddressLocator interface {
	LocateAddress(ctx context.Context, address string) (m AddressMatch, ok bool, err error)
}
