package registry

import (
	"context"
	"strings"

	"gridgov/internal/apperr"
)

// Territory is where a record belongs: its grid (empty while awaiting
// assignment) and the unit whose path scope checks use — the grid's
// community, or the unit that brought the record in.
type Territory struct {
	Grid string
	Unit string
	Path string
}

// Territory resolves a record's place: a grid code gives the grid's unit;
// without one, coordinates are located in a grid when a locator is set;
// otherwise unitCode (the creating or importing unit) holds the record
// awaiting a grid. field names the input field in errors.
func (s *Service) Territory(ctx context.Context, gridCode, unitCode string, lat, lng *float64) (Territory, error) {
	gridCode, unitCode = strings.TrimSpace(gridCode), strings.TrimSpace(unitCode)
	if gridCode == "" && lat != nil && lng != nil && s.locator != nil {
		g, ok, err := s.locator.Locate(ctx, *lat, *lng)
		if err != nil {
			return Territory{}, apperr.Wrap(err, "locate grid")
		}
		if ok {
			gridCode = g
		}
	}
	if gridCode != "" {
		u, ok, err := s.units.GridUnit(ctx, gridCode)
		if err != nil {
			return Territory{}, apperr.Wrap(err, "grid")
		}
		if !ok {
			return Territory{}, apperr.Field("grid_code", apperr.UnknownGrid, "code", gridCode)
		}
		return Territory{Grid: gridCode, Unit: u.Code, Path: u.Path}, nil
	}
	if unitCode == "" {
		return Territory{}, apperr.Field("grid_code", apperr.GridOrUnit)
	}
	path, ok, err := s.units.UnitPath(ctx, unitCode)
	if err != nil {
		return Territory{}, apperr.Wrap(err, "unit")
	}
	if !ok {
		return Territory{}, apperr.Field("unit_code", apperr.UnknownUnit, "code", unitCode)
	}
	return Territory{Unit: unitCode, Path: path}, nil
}
