package registry

import (
	"context"
	"database/sql"
	"errors"
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
		var t Territory
		err := s.db.QueryRow(ctx, `SELECT g.code, u.code, u.path FROM grids g JOIN org_units u ON u.code = g.unit_code
			WHERE g.code = ?`, gridCode).Scan(&t.Grid, &t.Unit, &t.Path)
		if errors.Is(err, sql.ErrNoRows) {
			return Territory{}, apperr.Field("grid_code", "unknown grid "+gridCode)
		}
		if err != nil {
			return Territory{}, apperr.Wrap(err, "grid")
		}
		return t, nil
	}
	if unitCode == "" {
		return Territory{}, apperr.Field("grid_code", "a grid, or the unit that holds the record awaiting a grid, is required")
	}
	t := Territory{Unit: unitCode}
	err := s.db.QueryRow(ctx, `SELECT path FROM org_units WHERE code = ?`, unitCode).Scan(&t.Path)
	if errors.Is(err, sql.ErrNoRows) {
		return Territory{}, apperr.Field("unit_code", "unknown unit "+unitCode)
	}
	if err != nil {
		return Territory{}, apperr.Wrap(err, "unit")
	}
	return t, nil
}
