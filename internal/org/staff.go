package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// maxStaffGrids bounds how many grids one person can be responsible for.
const maxStaffGrids = 500

// StaffMember returns one staff member (staff.read over their unit). The
// phone is masked unless the actor may change the staff member.
func (s *Service) StaffMember(ctx context.Context, id int64) (Staff, error) {
	if err := rbac.RequireAny(ctx, rbac.StaffRead); err != nil {
		return Staff{}, err
	}
	r, err := s.st.staffMember(ctx, id)
	if err != nil {
		return Staff{}, err
	}
	if err := rbac.Require(ctx, rbac.StaffRead, r.path); err != nil {
		return Staff{}, err
	}
	return present(actor.From(ctx), r), nil
}

// present masks the phone for actors without staff.write over the person.
func present(a *actor.Actor, r staffRow) Staff {
	if !rbac.Can(a, rbac.StaffWrite, r.path) {
		r.Phone = MaskPhone(r.Phone)
	}
	return r.Staff
}

// Staff lists staff in the actor's scope, ordered by name.
func (s *Service) Staff(ctx context.Context, f StaffFilter) ([]Staff, int, error) {
	if err := rbac.RequireAny(ctx, rbac.StaffRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if !validTeam(f.Team) {
		return nil, 0, apperr.Field("team", apperr.OneOf, "values", "deployed, masswork, grid_leader")
	}
	a := actor.From(ctx)
	cond, args := rbac.ScopeOf(a, rbac.StaffRead).SQL("u.path")
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if f.UnitCode != "" {
		p, err := s.st.unitPath(ctx, f.UnitCode)
		if apperr.Is(err, apperr.NotFound) {
			return []Staff{}, 0, nil
		} else if err != nil {
			return nil, 0, err
		}
		add("u.path LIKE ?", p+"%")
	}
	if f.GridCode != "" {
		add("EXISTS (SELECT 1 FROM staff_grids sg WHERE sg.staff_id = s.id AND sg.grid_code = ?)", f.GridCode)
	}
	if f.Active != nil {
		add("s.active = ?", *f.Active)
	}
	if f.Team != NoTeam {
		add("s.team = ?", string(f.Team))
	}
	q, err := searchText(f.Q)
	if err != nil {
		return nil, 0, err
	}
	if q != "" {
		// Phones are not searched: a masked list must not be probed digit by digit.
		cond, a := db.ContainsAny(q, "s.name", "s.position")
		add(cond, a...)
	}
	w := strings.Join(where, " AND ")
	total, err := s.st.count(ctx, staffFrom, w, args)
	if err != nil || total <= offset {
		return []Staff{}, total, err
	}
	rows, err := s.st.staffList(ctx, w, args, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Staff, len(rows))
	for i, r := range rows {
		out[i] = present(a, r)
	}
	return out, total, nil
}

// cleanStaff trims the text fields of a staff member and checks them.
func cleanStaff(st *Staff, errs apperr.FieldErrors) {
	st.Name, st.Phone = strings.TrimSpace(st.Name), strings.TrimSpace(st.Phone)
	st.Position = strings.TrimSpace(st.Position)
	errs.AddProblem("name", checkName(st.Name))
	errs.AddProblem("phone", checkPhone(st.Phone))
	errs.AddProblem("position", checkText(st.Position))
	if !validTeam(st.Team) {
		errs.Add("team", apperr.OneOf, "values", "deployed, masswork, grid_leader")
	}
}

// CreateStaff creates a staff member (staff.write over their unit).
func (s *Service) CreateStaff(ctx context.Context, in StaffInput) (Staff, error) {
	if err := rbac.RequireAny(ctx, rbac.StaffWrite); err != nil {
		return Staff{}, err
	}
	m := Staff{Name: in.Name, Phone: in.Phone, Position: in.Position, UnitCode: strings.TrimSpace(in.UnitCode),
		Team: in.Team, Active: true}
	errs := apperr.FieldErrors{}
	cleanStaff(&m, errs)
	if m.UnitCode == "" {
		errs.Add("unit_code", apperr.Required)
	}
	if err := errs.Err(); err != nil {
		return Staff{}, err
	}
	unit, err := s.parentFor(ctx, "unit_code", m.UnitCode, rbac.StaffWrite, rbac.StaffRead)
	if err != nil {
		return Staff{}, err
	}
	m.UnitName = unit.Name
	if m.GridCodes, err = s.checkStaffGrids(ctx, unit, in.GridCodes); err != nil {
		return Staff{}, err
	}
	m.CreatedAt = s.now()
	m.UpdatedAt = m.CreatedAt
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if m.ID, err = s.st.insertStaff(ctx, m); db.IsForeignKeyViolation(err) {
			return apperr.Field("unit_code", apperr.UnknownUnit, "code", m.UnitCode) // deleted meanwhile
		} else if err != nil {
			return fmt.Errorf("insert staff: %w", err)
		}
		if err := s.st.setStaffGrids(ctx, m.ID, m.GridCodes); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.staff.create", ObjectType: "staff",
			ObjectID: fmt.Sprint(m.ID), Detail: map[string]any{"name": m.Name, "phone": MaskPhone(m.Phone),
				"position": m.Position, "unit_code": m.UnitCode, "team": m.Team, "grid_codes": m.GridCodes}})
	})
	if err != nil {
		return Staff{}, err
	}
	return m, nil
}

// checkStaffGrids returns the sorted, de-duplicated grid codes after
// checking each: it must exist, be visible, and lie in the area the unit
// serves (a department's or office's area is its territory's), or in a
// unit where the actor may assign staff (deployed staff work away from home).
func (s *Service) checkStaffGrids(ctx context.Context, unit Unit, codes []string) ([]string, error) {
	set := map[string]bool{}
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" {
			set[c] = true
		}
	}
	out := sortedKeys(set)
	if len(out) > maxStaffGrids {
		return nil, apperr.Field("grid_codes", apperr.MaxCount, "n", maxStaffGrids)
	}
	grids, err := s.st.gridsByCodes(ctx, out, false)
	if err != nil {
		return nil, err
	}
	a := actor.From(ctx)
	area := territoryPath(unit)
	for _, c := range out {
		g, ok := grids[c]
		if !ok || !(rbac.Can(a, rbac.GridRead, g.path) || rbac.Can(a, rbac.StaffWrite, g.path)) {
			return nil, apperr.Field("grid_codes", apperr.UnknownGrid, "code", c)
		}
		if !strings.HasPrefix(g.path, area) && (a.System || !rbac.Can(a, rbac.StaffWrite, g.path)) {
			return nil, apperr.Field("grid_codes", apperr.GridOutsideArea, "code", c, "unit", g.UnitName, "area", unit.Name)
		}
	}
	return out, nil
}

// territoryPath is the path of the territory a unit serves: its own for a
// territory unit, its parent's for a department, its grandparent's for an office.
func territoryPath(u Unit) string {
	up := map[Kind]int{Territory: 0, Department: 1, Office: 2}[u.Kind]
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if up >= len(parts) {
		up = len(parts) - 1
	}
	return "/" + strings.Join(parts[:len(parts)-up], "/") + "/"
}

// UpdateStaff changes a staff member (staff.write over the old and new
// unit); GridCodes, when given, replaces the whole set.
func (s *Service) UpdateStaff(ctx context.Context, id int64, upd StaffUpdate) (Staff, error) {
	if err := rbac.RequireAny(ctx, rbac.StaffWrite); err != nil {
		return Staff{}, err
	}
	var out Staff
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.st.staffMember(ctx, id)
		if err != nil {
			return err
		}
		if err := authorize(ctx, rbac.StaffWrite, rbac.StaffRead, r.path); err != nil {
			return err
		}
		m := r.Staff
		changes, err := s.applyStaffUpdate(ctx, &m, upd)
		if err != nil {
			return err
		}
		out = m
		if len(changes) == 0 {
			return nil
		}
		out.UpdatedAt = s.now()
		if err := s.st.updateStaff(ctx, out); err != nil {
			return fmt.Errorf("update staff: %w", err)
		}
		if _, ok := changes["grid_codes"]; ok {
			if err := s.st.setStaffGrids(ctx, id, out.GridCodes); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.staff.update", ObjectType: "staff",
			ObjectID: fmt.Sprint(id), Detail: changes})
	})
	return out, err
}

// applyStaffUpdate validates upd against m, applies it and describes the
// changes (phones masked).
func (s *Service) applyStaffUpdate(ctx context.Context, m *Staff, upd StaffUpdate) (map[string]any, error) {
	old := *m
	if upd.Name != nil {
		m.Name = *upd.Name
	}
	if upd.Phone != nil {
		m.Phone = *upd.Phone
	}
	if upd.Position != nil {
		m.Position = *upd.Position
	}
	if upd.Team != nil {
		m.Team = *upd.Team
	}
	if upd.Active != nil {
		m.Active = *upd.Active
	}
	errs := apperr.FieldErrors{}
	cleanStaff(m, errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	unit := Unit{Code: old.UnitCode}
	if upd.UnitCode != nil && strings.TrimSpace(*upd.UnitCode) != old.UnitCode {
		u, err := s.parentFor(ctx, "unit_code", strings.TrimSpace(*upd.UnitCode), rbac.StaffWrite, rbac.StaffRead)
		if err != nil {
			return nil, err
		}
		unit, m.UnitCode, m.UnitName = u, u.Code, u.Name
	}
	codes := upd.GridCodes
	if codes == nil && unit.Path != "" {
		codes = &old.GridCodes // the grids kept must suit the new unit too
	}
	if codes != nil {
		if unit.Path == "" {
			u, err := s.st.unit(ctx, old.UnitCode)
			if err != nil {
				return nil, err
			}
			unit = u
		}
		checked, err := s.checkStaffGrids(ctx, unit, *codes)
		if err != nil {
			return nil, err
		}
		m.GridCodes = checked
	}
	return staffChanges(old, *m), nil
}

// staffChanges describes what differs between two states of a staff member.
func staffChanges(old, m Staff) map[string]any {
	changes := map[string]any{}
	diff := func(field string, from, to any) {
		if from != to {
			changes[field] = map[string]any{"from": from, "to": to}
		}
	}
	diff("name", old.Name, m.Name)
	diff("phone", MaskPhone(old.Phone), MaskPhone(m.Phone))
	if old.Phone != m.Phone && changes["phone"] == nil {
		changes["phone"] = "changed" // masked forms can coincide
	}
	diff("position", old.Position, m.Position)
	diff("unit_code", old.UnitCode, m.UnitCode)
	diff("team", string(old.Team), string(m.Team))
	diff("active", old.Active, m.Active)
	if !slices.Equal(old.GridCodes, m.GridCodes) {
		changes["grid_codes"] = map[string]any{"from": old.GridCodes, "to": m.GridCodes}
	}
	return changes
}
