package org

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// GridImportResult counts what an import of grids did, per grid level (1–3).
type GridImportResult struct {
	Created   map[int]int `json:"created"`
	Updated   map[int]int `json:"updated"`
	Unchanged map[int]int `json:"unchanged"`
}

func newGridImportResult() GridImportResult {
	return GridImportResult{Created: map[int]int{}, Updated: map[int]int{}, Unchanged: map[int]int{}}
}

// gridItem is one input grid on its way into the store.
type gridItem struct {
	grid Grid
	old  *gridRow
	op   importOp
}

// ImportGrids creates or updates many grids in one transaction (parents
// before children), idempotently, with one audit entry "org.grid.import"
// when anything changed. It follows the rules of CreateGrid for every row
// (grid.write over each unit); a stored grid may get a new name, parent or
// boundary, but not a new level or unit. Bulk loads (the demo seed, grid
// layers from a GIS) use it instead of thousands of CreateGrid calls.
func (s *Service) ImportGrids(ctx context.Context, grids []GridInput) (GridImportResult, error) {
	res := newGridImportResult()
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return res, err
	}
	if len(grids) == 0 {
		return res, nil
	}
	in, err := cleanGridImport(grids)
	if err != nil {
		return res, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		items, err := s.planGridImport(ctx, in)
		if err != nil {
			return err
		}
		changed := 0
		for _, it := range items {
			changed += tally(it.op, it.grid.Level, res.Created, res.Updated, res.Unchanged)
		}
		if changed == 0 {
			return nil
		}
		if err := s.applyGridImport(ctx, items); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.grid.import", ObjectType: "grid",
			ObjectID: items[0].grid.Code, Detail: map[string]any{"grids": len(items),
				"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}})
	})
	if err != nil {
		return newGridImportResult(), err
	}
	return res, nil
}

// cleanGridImport trims and checks each row on its own, normalising
// boundaries, and rejects duplicate codes.
func cleanGridImport(grids []GridInput) ([]GridInput, error) {
	in := make([]GridInput, len(grids))
	seen := make(map[string]int, len(grids))
	errs := apperr.FieldErrors{}
	for i, g := range grids {
		p := fmt.Sprintf("grids[%d].", i)
		g.Code, g.Name = strings.TrimSpace(g.Code), strings.TrimSpace(g.Name)
		g.UnitCode, g.ParentGridCode = strings.TrimSpace(g.UnitCode), strings.TrimSpace(g.ParentGridCode)
		g.BoundarySource = strings.TrimSpace(g.BoundarySource)
		errs.AddProblem(p+"code", checkCode(g.Code))
		errs.AddProblem(p+"name", checkName(g.Name))
		if g.Level < 1 || g.Level > 3 {
			errs.Add(p+"level", apperr.GridLevel)
		}
		if g.UnitCode == "" {
			errs.Add(p+"unit_code", apperr.Required)
		}
		errs.AddProblem(p+"boundary_source", checkText(g.BoundarySource))
		b, err := normalizeBoundary(g.Boundary)
		if err != nil {
			errs.AddProblem(p+"boundary", apperr.As(err).Problems["boundary"])
		}
		g.Boundary = b
		if j, dup := seen[g.Code]; dup && g.Code != "" {
			errs.Add(p+"code", apperr.DuplicatesRow, "list", "grids", "index", j)
		}
		seen[g.Code] = i
		in[i] = g
	}
	return in, errs.Err()
}

// planGridImport checks every row against the stored units and grids and
// decides what each needs; the result is ordered by level.
func (s *Service) planGridImport(ctx context.Context, in []GridInput) ([]*gridItem, error) {
	index := make(map[string]int, len(in))
	unitSet, gridSet := map[string]bool{}, map[string]bool{}
	for i, g := range in {
		index[g.Code] = i
		unitSet[g.UnitCode] = true
		gridSet[g.Code] = true
		if g.ParentGridCode != "" {
			gridSet[g.ParentGridCode] = true
		}
	}
	units, err := s.st.unitsByCodes(ctx, sortedKeys(unitSet))
	if err != nil {
		return nil, err
	}
	stored, err := s.st.gridsByCodes(ctx, sortedKeys(gridSet), true)
	if err != nil {
		return nil, err
	}
	p := gridPlanner{in: in, index: index, units: units, stored: stored, a: actor.From(ctx), errs: apperr.FieldErrors{}}
	items := make([]*gridItem, 0, len(in))
	for i := range in {
		if it := p.plan(i); it != nil {
			items = append(items, it)
		}
	}
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].grid.Level < items[b].grid.Level })
	return items, nil
}

type gridPlanner struct {
	in     []GridInput
	index  map[string]int
	units  map[string]Unit
	stored map[string]gridRow
	a      *actor.Actor
	errs   apperr.FieldErrors
}

// plan checks row i and returns its item, or nil with problems in p.errs.
func (p *gridPlanner) plan(i int) *gridItem {
	g := p.in[i]
	prefix := fmt.Sprintf("grids[%d].", i)
	unit, ok := p.unit(prefix, g.UnitCode)
	if !ok || !p.parentOK(prefix, g, unit) {
		return nil
	}
	it := &gridItem{op: opCreate, grid: Grid{Code: g.Code, Name: g.Name, Level: g.Level, UnitCode: unit.Code,
		UnitName: unit.Name, ParentGridCode: g.ParentGridCode, Boundary: g.Boundary, BoundarySource: g.BoundarySource}}
	old, found := p.stored[g.Code]
	if !found {
		return it
	}
	switch {
	case !rbac.Can(p.a, rbac.GridWrite, old.path):
		p.errs.Add(prefix+"code", apperr.AlreadyUsedGrid)
		return nil
	case old.Level != g.Level || old.UnitCode != g.UnitCode:
		p.errs.Add(prefix+"code", apperr.GridFixed, "code", g.Code, "level", old.Level, "unit", old.UnitCode)
		return nil
	}
	it.old = &old
	if old.Name == g.Name && old.ParentGridCode == g.ParentGridCode && old.BoundarySource == g.BoundarySource &&
		bytes.Equal(old.Boundary, g.Boundary) {
		it.op, it.grid = opUnchanged, old.Grid
		return it
	}
	it.op = opUpdate
	it.grid.ID, it.grid.CreatedAt = old.ID, old.CreatedAt
	return it
}

// unit finds a grid's unit and checks grid.write over it.
func (p *gridPlanner) unit(prefix, code string) (Unit, bool) {
	u, ok := p.units[code]
	switch {
	case !ok || !(rbac.Can(p.a, rbac.GridRead, u.Path) || rbac.Can(p.a, rbac.GridWrite, u.Path)):
		p.errs.Add(prefix+"unit_code", apperr.UnknownUnit, "code", code)
	case !rbac.Can(p.a, rbac.GridWrite, u.Path):
		p.errs.Add(prefix+"unit_code", apperr.NoGridRights, "code", code)
	case u.Kind != Territory:
		p.errs.Add(prefix+"unit_code", apperr.GridUnitKind, "kind", string(u.Kind))
	default:
		return u, true
	}
	return Unit{}, false
}

// parentOK checks the parent grid, found in the input or the store: one
// level up, belonging to the grid's unit or a unit above it.
func (p *gridPlanner) parentOK(prefix string, g GridInput, unit Unit) bool {
	if g.ParentGridCode == "" {
		return true
	}
	var level int
	var path string
	if j, ok := p.index[g.ParentGridCode]; ok {
		pu, found := p.units[p.in[j].UnitCode]
		if !found {
			return false // reported on row j
		}
		level, path = p.in[j].Level, pu.Path
	} else if r, ok := p.stored[g.ParentGridCode]; ok && (rbac.Can(p.a, rbac.GridRead, r.path) || rbac.Can(p.a, rbac.GridWrite, r.path)) {
		level, path = r.Level, r.path
	} else {
		p.errs.Add(prefix+"parent_grid_code", apperr.UnknownGrid, "code", g.ParentGridCode)
		return false
	}
	if level != g.Level-1 {
		p.errs.Add(prefix+"parent_grid_code", apperr.GridParentLevel, "parent", g.Level-1, "level", g.Level)
		return false
	}
	if !strings.HasPrefix(unit.Path, path) {
		p.errs.Add(prefix+"parent_grid_code", apperr.GridParentUnit, "code", g.ParentGridCode, "unit", unit.Code)
		return false
	}
	return true
}

// applyGridImport writes the plan level by level, so that every parent
// grid exists before its children arrive.
func (s *Service) applyGridImport(ctx context.Context, items []*gridItem) error {
	now := s.now()
	var creates []Grid
	flush := func() error {
		if len(creates) == 0 {
			return nil
		}
		err := s.st.insertGrids(ctx, creates)
		creates = creates[:0]
		if db.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "a grid of the import was created by someone else meanwhile; run it again")
		}
		return err
	}
	for i, it := range items {
		if i > 0 && it.grid.Level != items[i-1].grid.Level {
			if err := flush(); err != nil {
				return err
			}
		}
		switch it.op {
		case opCreate:
			it.grid.CreatedAt, it.grid.UpdatedAt = now, now
			creates = append(creates, it.grid)
		case opUpdate:
			it.grid.UpdatedAt = now
			if err := s.st.updateGrid(ctx, it.grid); err != nil {
				return fmt.Errorf("update grid %s: %w", it.grid.Code, err)
			}
		}
	}
	return flush()
}
