package org

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Grid returns a grid by code (grid.read over its unit).
func (s *Service) Grid(ctx context.Context, code string) (Grid, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return Grid{}, err
	}
	r, err := s.st.grid(ctx, code)
	if err != nil {
		return Grid{}, err
	}
	if err := rbac.Require(ctx, rbac.GridRead, r.path); err != nil {
		return Grid{}, err
	}
	return r.Grid, nil
}

// Grids lists grids in the actor's scope, ordered by code.
func (s *Service) Grids(ctx context.Context, f GridFilter) ([]Grid, int, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 3) {
		return nil, 0, apperr.Field("level", apperr.GridLevel)
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), rbac.GridRead).SQL("u.path")
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if f.UnitCode != "" {
		p, err := s.st.unitPath(ctx, f.UnitCode)
		if apperr.Is(err, apperr.NotFound) {
			return []Grid{}, 0, nil
		} else if err != nil {
			return nil, 0, err
		}
		add("u.path LIKE ?", p+"%")
	}
	if f.Level != 0 {
		add("g.level = ?", f.Level)
	}
	q, err := searchText(f.Q)
	if err != nil {
		return nil, 0, err
	}
	if q != "" {
		cond, a := db.ContainsAny(q, "g.name", "g.code")
		add(cond, a...)
	}
	w := strings.Join(where, " AND ")
	total, err := s.st.count(ctx, gridFrom, w, args)
	if err != nil || total <= offset {
		return []Grid{}, total, err
	}
	gs, err := s.st.grids(ctx, w, args, limit, offset, f.WithBoundary)
	return gs, total, err
}

// CreateGrid creates a grid (grid.write over its unit). The unit must be a
// territory unit; a parent grid, when given, is one level up and belongs
// to the same unit or one above it.
func (s *Service) CreateGrid(ctx context.Context, in GridInput) (Grid, error) {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return Grid{}, err
	}
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	in.UnitCode, in.ParentGridCode = strings.TrimSpace(in.UnitCode), strings.TrimSpace(in.ParentGridCode)
	in.BoundarySource = strings.TrimSpace(in.BoundarySource)
	errs := apperr.FieldErrors{}
	errs.AddProblem("code", checkCode(in.Code))
	errs.AddProblem("name", checkName(in.Name))
	if in.Level < 1 || in.Level > 3 {
		errs.Add("level", apperr.GridLevel)
	}
	if in.UnitCode == "" {
		errs.Add("unit_code", apperr.Required)
	}
	errs.AddProblem("boundary_source", checkText(in.BoundarySource))
	boundary, err := normalizeBoundary(in.Boundary)
	if err != nil {
		errs.AddProblem("boundary", apperr.As(err).Problems["boundary"])
	}
	if err := errs.Err(); err != nil {
		return Grid{}, err
	}
	unit, err := s.parentFor(ctx, "unit_code", in.UnitCode, rbac.GridWrite, rbac.GridRead)
	if err != nil {
		return Grid{}, err
	}
	if unit.Kind != Territory {
		return Grid{}, apperr.Field("unit_code", apperr.GridUnitKind, "kind", string(unit.Kind))
	}
	if in.ParentGridCode != "" {
		if err := s.checkParentGrid(ctx, in, unit); err != nil {
			return Grid{}, err
		}
	}
	now := s.now()
	g := Grid{Code: in.Code, Name: in.Name, Level: in.Level, UnitCode: unit.Code, UnitName: unit.Name,
		ParentGridCode: in.ParentGridCode, Boundary: boundary, BoundarySource: in.BoundarySource,
		CreatedAt: now, UpdatedAt: now}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		id, err := s.st.insertGrid(ctx, g)
		if db.IsUniqueViolation(err) {
			return apperr.Newf(apperr.Conflict, "a grid with code %s already exists", g.Code)
		} else if db.IsForeignKeyViolation(err) { // unit or parent grid deleted meanwhile
			return apperr.New(apperr.Conflict, "the unit or parent grid was just deleted; reload and try again")
		} else if err != nil {
			return fmt.Errorf("insert grid: %w", err)
		}
		g.ID = id
		return s.audit.Record(ctx, audit.Entry{Action: "org.grid.create", ObjectType: "grid", ObjectID: g.Code,
			Detail: map[string]any{"name": g.Name, "level": g.Level, "unit_code": g.UnitCode,
				"parent_grid_code": g.ParentGridCode, "boundary": len(g.Boundary) > 0,
				"boundary_source": g.BoundarySource}})
	})
	if err != nil {
		return Grid{}, err
	}
	return g, nil
}

// checkParentGrid checks that the parent grid is visible, one level up and
// belongs to unit or a unit above it.
func (s *Service) checkParentGrid(ctx context.Context, in GridInput, unit Unit) error {
	p, err := s.st.grid(ctx, in.ParentGridCode)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !rbac.Can(actor.From(ctx), rbac.GridRead, p.path)) {
		return apperr.Field("parent_grid_code", apperr.UnknownGrid, "code", in.ParentGridCode)
	} else if err != nil {
		return err
	}
	if p.Level != in.Level-1 {
		return apperr.Field("parent_grid_code", apperr.GridParentLevel, "parent", in.Level-1, "level", in.Level)
	}
	if !strings.HasPrefix(unit.Path, p.path) {
		return apperr.Field("parent_grid_code", apperr.GridAbove, "code", p.Code, "owner", p.UnitCode, "unit", unit.Code)
	}
	return nil
}

// UpdateGrid changes a grid's name and boundary (grid.write).
func (s *Service) UpdateGrid(ctx context.Context, code string, upd GridUpdate) (Grid, error) {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return Grid{}, err
	}
	var out Grid
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.st.grid(ctx, code)
		if err != nil {
			return err
		}
		if err := authorize(ctx, rbac.GridWrite, rbac.GridRead, r.path); err != nil {
			return err
		}
		g := r.Grid
		changes, err := applyGridUpdate(&g, upd)
		if err != nil {
			return err
		}
		out = g
		if len(changes) == 0 {
			return nil
		}
		out.UpdatedAt = s.now()
		if err := s.st.updateGrid(ctx, out); err != nil {
			return fmt.Errorf("update grid: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.grid.update", ObjectType: "grid", ObjectID: code,
			Detail: changes})
	})
	return out, err
}

// applyGridUpdate validates upd, applies it to g and describes the changes.
func applyGridUpdate(g *Grid, upd GridUpdate) (map[string]any, error) {
	errs := apperr.FieldErrors{}
	changes := map[string]any{}
	if upd.Name != nil {
		name := strings.TrimSpace(*upd.Name)
		errs.AddProblem("name", checkName(name))
		if name != g.Name {
			changes["name"] = map[string]any{"from": g.Name, "to": name}
			g.Name = name
		}
	}
	if upd.BoundarySource != nil {
		src := strings.TrimSpace(*upd.BoundarySource)
		errs.AddProblem("boundary_source", checkText(src))
		if src != g.BoundarySource {
			changes["boundary_source"] = map[string]any{"from": g.BoundarySource, "to": src}
			g.BoundarySource = src
		}
	}
	if upd.Boundary != nil {
		b, err := normalizeBoundary(*upd.Boundary)
		if err != nil {
			errs.AddProblem("boundary", apperr.As(err).Problems["boundary"])
		} else if !bytes.Equal(b, g.Boundary) {
			switch {
			case len(b) == 0:
				changes["boundary"] = "removed"
			case len(g.Boundary) == 0:
				changes["boundary"] = "set"
			default:
				changes["boundary"] = "changed"
			}
			g.Boundary = b
		}
	}
	return changes, errs.Err()
}

// DeleteGrid deletes a grid without child grids (grid.write); the staff
// responsible for it are released from it.
func (s *Service) DeleteGrid(ctx context.Context, code string) error {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.st.grid(ctx, code)
		if err != nil {
			return err
		}
		if err := authorize(ctx, rbac.GridWrite, rbac.GridRead, r.path); err != nil {
			return err
		}
		n, err := s.st.childGrids(ctx, code)
		if err != nil {
			return err
		}
		if n > 0 {
			return apperr.Newf(apperr.Conflict, "grid %s still has %d child grids; delete or move them first", code, n)
		}
		if err := s.st.deleteGrid(ctx, code); err != nil {
			return fmt.Errorf("delete grid: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.grid.delete", ObjectType: "grid", ObjectID: code,
			Detail: map[string]any{"name": r.Name, "level": r.Level, "unit_code": r.UnitCode,
				"released_staff": r.StaffCount}})
	})
}
