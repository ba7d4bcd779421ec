package org

import (
	"context"
	"fmt"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// parentFor loads the parent of a unit (or grid, staff member) being written,
// answering an unknown or unreadable one as an invalid field, so that units
// outside scope look exactly like missing ones.
func (s *Service) parentFor(ctx context.Context, field, code string, perm, readPerm rbac.Permission) (Unit, error) {
	u, err := s.st.unit(ctx, code)
	if apperr.Is(err, apperr.NotFound) {
		return Unit{}, apperr.Field(field, apperr.UnknownUnit, "code", code)
	} else if err != nil {
		return Unit{}, err
	}
	a := actor.From(ctx)
	if !rbac.Can(a, readPerm, u.Path) && !rbac.Can(a, perm, u.Path) {
		return Unit{}, apperr.Field(field, apperr.UnknownUnit, "code", code)
	}
	if err := authorize(ctx, perm, readPerm, u.Path); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// CreateUnit creates a unit under a parent in the actor's scope (org.write).
func (s *Service) CreateUnit(ctx context.Context, in UnitInput) (Unit, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgWrite); err != nil {
		return Unit{}, err
	}
	in = cleanUnitInput(in)
	errs := apperr.FieldErrors{}
	checkUnitShape(errs, "", in)
	if err := errs.Err(); err != nil {
		return Unit{}, err
	}
	var parent *Unit
	path := "/" + in.Code + "/"
	if in.ParentCode != "" {
		p, err := s.parentFor(ctx, "parent_code", in.ParentCode, rbac.OrgWrite, rbac.OrgRead)
		if err != nil {
			return Unit{}, err
		}
		parent, path = &p, p.Path+in.Code+"/"
	} else if in.Kind == Territory && in.Level == City {
		if err := rbac.Require(ctx, rbac.OrgWrite, path); err != nil {
			return Unit{}, apperr.Field("parent_code", apperr.CityNeedsParent)
		}
	}
	level, problem := placeUnit(in, parent)
	if problem.field != "" {
		return Unit{}, apperr.FieldProblem(problem.field, problem.text)
	}
	now := s.now()
	u := Unit{Code: in.Code, Name: in.Name, Level: level, Kind: in.Kind, ParentCode: in.ParentCode,
		Path: path, Sort: in.Sort, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if other, err := s.st.foldedCollision(ctx, u.Code); err != nil {
			return err
		} else if other != "" {
			return apperr.Newf(apperr.Conflict, "unit code %s differs from existing %s only in case", u.Code, other)
		}
		if err := s.st.insertUnits(ctx, []Unit{u}); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.Newf(apperr.Conflict, "a unit with code %s already exists", u.Code)
			}
			if db.IsForeignKeyViolation(err) { // the parent was deleted meanwhile
				return apperr.Field("parent_code", apperr.UnknownUnit, "code", u.ParentCode)
			}
			return fmt.Errorf("insert unit: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.unit.create", ObjectType: "org_unit", ObjectID: u.Code,
			Detail: map[string]any{"name": u.Name, "level": u.Level, "kind": u.Kind,
				"parent_code": u.ParentCode, "sort": u.Sort}})
	})
	if err != nil {
		return Unit{}, err
	}
	return u, nil
}

func cleanUnitInput(in UnitInput) UnitInput {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.ParentCode = strings.TrimSpace(in.ParentCode)
	if in.Kind == "" {
		in.Kind = Territory
	}
	return in
}

// checkUnitShape checks what can be checked without the database.
func checkUnitShape(errs apperr.FieldErrors, prefix string, in UnitInput) {
	errs.AddProblem(prefix+"code", checkCode(in.Code))
	errs.AddProblem(prefix+"name", checkName(in.Name))
	if !validKind(in.Kind) {
		errs.Add(prefix+"kind", apperr.OneOf, "values", "territory, department, office")
	}
	if in.Level != "" && levelRank(in.Level) == 0 {
		errs.Add(prefix+"level", apperr.OneOf, "values", "city, district, street, community")
	}
	if in.Kind == Territory && in.Level == "" {
		errs.Add(prefix+"level", apperr.TerritoryLevel)
	}
	if in.ParentCode != "" && checkCode(in.ParentCode).Code != "" {
		errs.Add(prefix+"parent_code", apperr.UnknownUnit, "code", in.ParentCode)
	}
}

type placeProblem struct {
	field string
	text  apperr.Problem
}

// placeUnit checks where a unit may hang and returns its level: territory
// units one level below a territory parent (a city at the top), departments
// under a city or district, offices under a department, both taking the
// level of what they serve.
func placeUnit(in UnitInput, parent *Unit) (Level, placeProblem) {
	switch in.Kind {
	case Territory:
		if parent == nil {
			if in.Level != City {
				return "", placeProblem{"parent_code", apperr.P(apperr.Required)}
			}
			return City, placeProblem{}
		}
		if parent.Kind != Territory || levelBelow(parent.Level) != in.Level {
			return "", placeProblem{"parent_code", apperr.P(apperr.ParentLevel, "level", in.Level,
				"above", levelAbove(in.Level), "code", parent.Code, "parent", parent.Level, "kind", parent.Kind)}
		}
		return in.Level, placeProblem{}
	case Department:
		if parent == nil || parent.Kind != Territory || (parent.Level != City && parent.Level != District) {
			return "", placeProblem{"parent_code", apperr.P(apperr.DeptParent)}
		}
	case Office:
		if parent == nil || parent.Kind != Department {
			return "", placeProblem{"parent_code", apperr.P(apperr.OfficeParent)}
		}
	}
	if in.Level != "" && in.Level != parent.Level {
		return "", placeProblem{"level", apperr.P(apperr.LevelOfParent, "level", parent.Level, "code", parent.Code)}
	}
	return parent.Level, placeProblem{}
}

func levelAbove(l Level) Level {
	if r := levelRank(l); r > 1 {
		return Levels[r-2]
	}
	return ""
}

// UpdateUnit renames or re-sorts a unit (org.write).
func (s *Service) UpdateUnit(ctx context.Context, code string, upd UnitUpdate) (Unit, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgWrite); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.st.unit(ctx, code)
		if err != nil {
			return err
		}
		if err := authorize(ctx, rbac.OrgWrite, rbac.OrgRead, u.Path); err != nil {
			return err
		}
		changes := map[string]any{}
		if upd.Name != nil {
			name := strings.TrimSpace(*upd.Name)
			if p := checkName(name); p.Code != "" {
				return apperr.FieldProblem("name", p)
			}
			if name != u.Name {
				changes["name"] = map[string]any{"from": u.Name, "to": name}
				u.Name = name
			}
		}
		if upd.Sort != nil && *upd.Sort != u.Sort {
			changes["sort"] = map[string]any{"from": u.Sort, "to": *upd.Sort}
			u.Sort = *upd.Sort
		}
		out = u
		if len(changes) == 0 {
			return nil // nothing to write, nothing to audit
		}
		out.UpdatedAt = s.now()
		if err := s.st.updateUnit(ctx, out); err != nil {
			return fmt.Errorf("update unit: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.unit.update", ObjectType: "org_unit",
			ObjectID: code, Detail: changes})
	})
	return out, err
}

// DeleteUnit deletes a unit that has no children, grids, staff or users (org.write).
func (s *Service) DeleteUnit(ctx context.Context, code string) error {
	if err := rbac.RequireAny(ctx, rbac.OrgWrite); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.st.unit(ctx, code)
		if err != nil {
			return err
		}
		if err := authorize(ctx, rbac.OrgWrite, rbac.OrgRead, u.Path); err != nil {
			return err
		}
		dep, err := s.st.dependents(ctx, code)
		if err != nil {
			return err
		}
		if msg := dep.blocking(); msg != "" {
			return apperr.Newf(apperr.Conflict, "unit %s still has %s; move or delete them first", code, msg)
		}
		if err := s.st.deleteUnit(ctx, code); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.Newf(apperr.Conflict, "unit %s is still referenced", code)
			}
			return fmt.Errorf("delete unit: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.unit.delete", ObjectType: "org_unit", ObjectID: code,
			Detail: map[string]any{"name": u.Name, "level": u.Level, "kind": u.Kind, "parent_code": u.ParentCode}})
	})
}

// blocking describes what prevents a deletion, or "".
func (d dependents) blocking() string {
	var parts []string
	for _, x := range []struct {
		n    int
		what string
	}{{d.children, "child units"}, {d.grids, "grids"}, {d.staff, "staff"}, {d.users, "user accounts"},
		{d.grants, "role grants scoped to it"}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.what))
		}
	}
	return strings.Join(parts, ", ")
}
