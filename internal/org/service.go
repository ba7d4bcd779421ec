package org

import (
	"context"
	"sort"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Service holds the rules of the organisation: permission and scope checks,
// validation, transactions with their audit entries.
type Service struct {
	db    *db.DB
	audit *audit.Log
	clock clock.Clock
	st    store
}

// NewService returns the org service.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock) *Service {
	return &Service{db: d, audit: log, clock: clk, st: store{db: d}}
}

// now is the service time, truncated to what both engines store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// authorize checks perm over an object at path. An object the actor may
// not even read answers not_found, like a missing one; one they may read
// but not change answers forbidden, which tells them nothing new.
func authorize(ctx context.Context, perm, readPerm rbac.Permission, path string) error {
	err := rbac.Require(ctx, perm, path)
	if apperr.Is(err, apperr.NotFound) && rbac.Can(actor.From(ctx), readPerm, path) {
		return apperr.Newf(apperr.Forbidden, "permission %s required here", perm)
	}
	return err
}

// Unit returns one unit with its descendant counts (org.read over it).
func (s *Service) Unit(ctx context.Context, code string) (Unit, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgRead); err != nil {
		return Unit{}, err
	}
	u, err := s.st.unit(ctx, code)
	if err != nil {
		return Unit{}, err
	}
	if err := rbac.Require(ctx, rbac.OrgRead, u.Path); err != nil {
		return Unit{}, err
	}
	if u.Kind == Territory {
		below := levelsBelow(u.Level)
		if len(below) > 0 {
			counts, err := s.st.levelCounts(ctx, u.Path, true)
			if err != nil {
				return Unit{}, err
			}
			u.DescendantCounts = make(map[string]int, len(below))
			for _, l := range below {
				u.DescendantCounts[string(l)] = counts[l]
			}
		}
	}
	return u, nil
}

// Units lists units in the actor's scope matching f, with the total count.
func (s *Service) Units(ctx context.Context, f UnitFilter) ([]Unit, int, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset)
	if err != nil {
		return nil, 0, err
	}
	if f.Level != "" && levelRank(f.Level) == 0 {
		return nil, 0, apperr.Field("level", apperr.OneOf, "values", "city, district, street, community")
	}
	if f.Kind != "" && !validKind(f.Kind) {
		return nil, 0, apperr.Field("kind", apperr.OneOf, "values", "territory, department, office")
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), rbac.OrgRead).SQL("u.path")
	where := []string{cond}
	add := func(c string, v ...any) { where = append(where, c); args = append(args, v...) }
	if f.ParentCode != "" {
		add("u.parent_code = ?", f.ParentCode)
	}
	if f.Under != "" {
		p, err := s.st.unitPath(ctx, f.Under)
		if apperr.Is(err, apperr.NotFound) {
			return []Unit{}, 0, nil // the same answer as for a unit outside scope
		} else if err != nil {
			return nil, 0, err
		}
		add("u.path LIKE ? AND u.path <> ?", p+"%", p)
	}
	if f.Level != "" {
		add("u.level = ?", string(f.Level))
	}
	if f.Kind != "" {
		add("u.kind = ?", string(f.Kind))
	}
	q, err := searchText(f.Q)
	if err != nil {
		return nil, 0, err
	}
	if q != "" {
		cond, a := db.ContainsAny(q, "u.name", "u.code")
		add(cond, a...)
	}
	w := strings.Join(where, " AND ")
	total, err := s.st.count(ctx, "org_units u", w, args)
	if err != nil {
		return nil, 0, err
	}
	if total <= offset {
		return []Unit{}, total, nil
	}
	us, err := s.st.units(ctx, w, args, limit, offset)
	return us, total, err
}

// Ancestors returns the units from the root down to the parent of code,
// limited to those the actor may read (for breadcrumbs).
func (s *Service) Ancestors(ctx context.Context, code string) ([]Unit, error) {
	if err := rbac.RequireAny(ctx, rbac.OrgRead); err != nil {
		return nil, err
	}
	path, err := s.st.unitPath(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := rbac.Require(ctx, rbac.OrgRead, path); err != nil {
		return nil, err
	}
	codes := strings.Split(strings.Trim(path, "/"), "/")
	codes = codes[:len(codes)-1]
	if len(codes) == 0 {
		return []Unit{}, nil
	}
	byCode, err := s.st.unitsByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	a := actor.From(ctx)
	out := []Unit{}
	for _, c := range codes {
		if u, ok := byCode[c]; ok && rbac.Can(a, rbac.OrgRead, u.Path) {
			out = append(out, u)
		}
	}
	return out, nil
}

// UnitPath returns the materialised path of a unit, without permission
// checks: other modules use it to place objects in the tree.
func (s *Service) UnitPath(ctx context.Context, code string) (string, error) {
	return s.st.unitPath(ctx, code)
}

// CountUnder returns, for the territory unit code, how many units of each
// level exist at or below it (the city itself counts as city: 1). It
// checks no permission: the command line uses it to report imports.
func (s *Service) CountUnder(ctx context.Context, code string) (map[Level]int, error) {
	u, err := s.st.unit(ctx, code)
	if err != nil {
		return nil, err
	}
	counts, err := s.st.levelCounts(ctx, u.Path, false)
	if err != nil {
		return nil, err
	}
	if u.Kind == Territory {
		for _, l := range append([]Level{u.Level}, levelsBelow(u.Level)...) {
			counts[l] += 0
		}
	}
	return counts, nil
}

// sortedKeys returns the keys of a set in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
