package org

import (
	"context"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// TODO(org helper): replace every errTodo body with the real implementation.
var errTodo = apperr.New(apperr.Internal, "not implemented yet")

// Service holds the rules of the organisation: permission and scope checks,
// validation, transactions with their audit entries.
type Service struct {
	db    *db.DB
	audit *audit.Log
	clock clock.Clock
}

// NewService returns the org service.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock) *Service {
	return &Service{db: d, audit: log, clock: clk}
}

// Unit returns one unit with its descendant counts (org.read over it).
func (s *Service) Unit(ctx context.Context, code string) (Unit, error) { return Unit{}, errTodo }

// Units lists units in the actor's scope matching f, with the total count.
func (s *Service) Units(ctx context.Context, f UnitFilter) ([]Unit, int, error) {
	return nil, 0, errTodo
}

// Ancestors returns the units from the root down to the parent of code,
// limited to those the actor may read (for breadcrumbs).
func (s *Service) Ancestors(ctx context.Context, code string) ([]Unit, error) { return nil, errTodo }

// CreateUnit creates a unit under a parent in the actor's scope (org.write).
func (s *Service) CreateUnit(ctx context.Context, in UnitInput) (Unit, error) { return Unit{}, errTodo }

// UpdateUnit renames or re-sorts a unit (org.write).
func (s *Service) UpdateUnit(ctx context.Context, code string, u UnitUpdate) (Unit, error) {
	return Unit{}, errTodo
}

// DeleteUnit deletes a unit that has no children, grids, staff or users (org.write).
func (s *Service) DeleteUnit(ctx context.Context, code string) error { return errTodo }

// UnitPath returns the materialised path of a unit, without permission
// checks: other modules use it to place objects in the tree.
func (s *Service) UnitPath(ctx context.Context, code string) (string, error) { return "", errTodo }

// ImportUnits creates or updates many units in one transaction (parents
// before children), idempotently, with one audit entry (org.write over the
// parent of each top unit, or the system actor).
func (s *Service) ImportUnits(ctx context.Context, units []UnitInput) (ImportResult, error) {
	return ImportResult{}, errTodo
}

// CountUnder returns, for the territory unit code, how many units of each
// level exist at or below it (the city itself counts as city: 1).
func (s *Service) CountUnder(ctx context.Context, code string) (map[Level]int, error) {
	return nil, errTodo
}

// Grid returns a grid by code (grid.read over its unit).
func (s *Service) Grid(ctx context.Context, code string) (Grid, error) { return Grid{}, errTodo }

// Grids lists grids in the actor's scope.
func (s *Service) Grids(ctx context.Context, f GridFilter) ([]Grid, int, error) {
	return nil, 0, errTodo
}

// CreateGrid creates a grid (grid.write over its unit).
func (s *Service) CreateGrid(ctx context.Context, in GridInput) (Grid, error) { return Grid{}, errTodo }

// UpdateGrid changes a grid (grid.write).
func (s *Service) UpdateGrid(ctx context.Context, code string, u GridUpdate) (Grid, error) {
	return Grid{}, errTodo
}

// DeleteGrid deletes a grid without child grids (grid.write).
func (s *Service) DeleteGrid(ctx context.Context, code string) error { return errTodo }

// StaffMember returns one staff member (staff.read over their unit).
func (s *Service) StaffMember(ctx context.Context, id int64) (Staff, error) { return Staff{}, errTodo }

// Staff lists staff in the actor's scope.
func (s *Service) Staff(ctx context.Context, f StaffFilter) ([]Staff, int, error) {
	return nil, 0, errTodo
}

// CreateStaff creates a staff member (staff.write over their unit).
func (s *Service) CreateStaff(ctx context.Context, in StaffInput) (Staff, error) {
	return Staff{}, errTodo
}

// UpdateStaff changes a staff member (staff.write over the old and new unit).
func (s *Service) UpdateStaff(ctx context.Context, id int64, u StaffUpdate) (Staff, error) {
	return Staff{}, errTodo
}
