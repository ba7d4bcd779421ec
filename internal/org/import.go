package org

import (
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

type importOp int

const (
	opUnchanged importOp = iota
	opCreate
	opUpdate
)

// tally counts one planned operation under key in the map of its kind and
// returns 1 when the operation changes something.
func tally[K comparable](op importOp, key K, created, updated, unchanged map[K]int) int {
	switch op {
	case opCreate:
		created[key]++
	case opUpdate:
		updated[key]++
	default:
		unchanged[key]++
		return 0
	}
	return 1
}

// importItem is one input unit on its way into the tree.
type importItem struct {
	idx   int
	unit  Unit  // the state after the import
	old   *Unit // the stored row, if any
	op    importOp
	depth int
	state int // 0 unvisited, 1 resolving, 2 resolved
	ok    bool
}

// ImportUnits creates or updates many units in one transaction (parents
// before children), idempotently, with one audit entry (org.write over the
// parent of each top unit, or the system actor). A unit counts as unchanged
// when its name, level, kind and parent are equal; sort is only set when a
// unit is created, so an order chosen in the console survives a re-import.
// An import that changes nothing writes nothing, not even an audit entry.
func (s *Service) ImportUnits(ctx context.Context, units []UnitInput) (ImportResult, error) {
	res := ImportResult{Created: map[Level]int{}, Updated: map[Level]int{}, Unchanged: map[Level]int{}}
	if err := rbac.RequireAny(ctx, rbac.OrgWrite); err != nil {
		return res, err
	}
	if len(units) == 0 {
		return res, nil
	}
	in, index, err := cleanImport(units)
	if err != nil {
		return res, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		items, err := s.planImport(ctx, in, index)
		if err != nil {
			return err
		}
		changed := 0
		for _, it := range items {
			changed += tally(it.op, it.unit.Level, res.Created, res.Updated, res.Unchanged)
		}
		if changed == 0 {
			return nil
		}
		if err := s.applyImport(ctx, items); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "org.unit.import", ObjectType: "org_unit",
			ObjectID: items[0].unit.Code, Detail: map[string]any{"units": len(items),
				"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged}})
	})
	if err != nil {
		return ImportResult{Created: map[Level]int{}, Updated: map[Level]int{}, Unchanged: map[Level]int{}}, err
	}
	if created(res) >= analyzeAfter && (s.db.Dialect == db.SQLite || !db.InTx(ctx)) {
		// A bulk load changes the shape of the tree enough for the planners
		// to pick the level index over the path index; fresh statistics keep
		// subtree lists fast. The rows are stored, so a failure here costs
		// speed, not data, and is not reported. Inside a caller's transaction
		// PostgreSQL is left alone: a failed statement would abort that
		// transaction, and autovacuum analyzes after such a load anyway.
		_, _ = s.db.Exec(ctx, `ANALYZE org_units`)
	}
	return res, nil
}

// analyzeAfter is the number of new units after which an import refreshes
// the planner statistics.
const analyzeAfter = 500

func created(r ImportResult) int {
	n := 0
	for _, c := range r.Created {
		n += c
	}
	return n
}

// cleanImport trims the inputs, checks their shape and rejects duplicate
// codes (also those differing only in case, which paths cannot tell apart
// on SQLite's case-insensitive LIKE).
func cleanImport(units []UnitInput) ([]UnitInput, map[string]int, error) {
	in := make([]UnitInput, len(units))
	index := make(map[string]int, len(units))
	folded := make(map[string]int, len(units))
	errs := apperr.FieldErrors{}
	for i, u := range units {
		u = cleanUnitInput(u)
		in[i] = u
		prefix := fmt.Sprintf("units[%d].", i)
		checkUnitShape(errs, prefix, u)
		if j, dup := folded[strings.ToLower(u.Code)]; dup && u.Code != "" {
			errs.Add(prefix+"code", apperr.DuplicatesUnitRow, "index", j, "code", in[j].Code)
			continue
		}
		index[u.Code] = i
		folded[strings.ToLower(u.Code)] = i
	}
	return in, index, errs.Err()
}

// planImport resolves every input's parent, level and path against the
// input itself and the stored tree, checks permissions and decides what
// each unit needs. The result is ordered parents first.
func (s *Service) planImport(ctx context.Context, in []UnitInput, index map[string]int) ([]*importItem, error) {
	codes := make([]string, 0, len(in))
	for _, u := range in {
		codes = append(codes, u.Code)
		if _, ok := index[u.ParentCode]; u.ParentCode != "" && !ok {
			codes = append(codes, u.ParentCode)
		}
	}
	stored, err := s.st.unitsFolded(ctx, codes)
	if err != nil {
		return nil, err
	}
	exact := make(map[string]Unit, len(stored))
	folded := make(map[string]string, len(in))
	for _, u := range in {
		folded[strings.ToLower(u.Code)] = u.Code
	}
	for _, u := range stored {
		exact[u.Code] = u
		if c, ok := folded[strings.ToLower(u.Code)]; ok && c != u.Code {
			return nil, apperr.Newf(apperr.Conflict, "unit code %s differs from existing %s only in case", c, u.Code)
		}
	}
	p := &importPlanner{in: in, index: index, exact: exact, errs: apperr.FieldErrors{},
		actor: actor.From(ctx), items: make([]*importItem, len(in))}
	for i := range in {
		p.items[i] = &importItem{idx: i}
	}
	for i := range in {
		p.resolve(i)
	}
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	items := p.items
	sort.SliceStable(items, func(a, b int) bool { return items[a].depth < items[b].depth })
	return items, nil
}

type importPlanner struct {
	in    []UnitInput
	index map[string]int
	exact map[string]Unit
	errs  apperr.FieldErrors
	actor *actor.Actor
	items []*importItem
}

// resolve places input i, resolving its parent first; it reports whether
// the unit could be placed (problems go to p.errs).
func (p *importPlanner) resolve(i int) bool {
	it := p.items[i]
	switch it.state {
	case 2:
		return it.ok
	case 1:
		p.errs.Add(fmt.Sprintf("units[%d].parent_code", i), apperr.Cycle)
		return false
	}
	it.state = 1
	defer func() { it.state = 2 }()
	u := p.in[i]
	prefix := fmt.Sprintf("units[%d].", i)
	parent, ok := p.parent(i)
	if !ok {
		return false
	}
	level, problem := placeUnit(u, parent)
	if problem.field != "" {
		p.errs.AddProblem(prefix+problem.field, problem.text)
		return false
	}
	path := "/" + u.Code + "/"
	if parent != nil {
		path = parent.Path + u.Code + "/"
	} else if !rbac.Can(p.actor, rbac.OrgWrite, path) {
		p.errs.Add(prefix+"parent_code", apperr.CityNeedsParent)
		return false
	}
	it.unit = Unit{Code: u.Code, Name: u.Name, Level: level, Kind: u.Kind, ParentCode: u.ParentCode,
		Path: path, Sort: u.Sort}
	it.depth = strings.Count(path, "/") - 1
	if old, found := p.exact[u.Code]; found {
		if !p.compare(it, old, prefix) {
			return false
		}
	} else {
		it.op = opCreate
	}
	it.ok = true
	return true
}

// parent finds the parent of input i in the input or the stored tree and
// checks org.write over a stored one.
func (p *importPlanner) parent(i int) (*Unit, bool) {
	u := p.in[i]
	field := fmt.Sprintf("units[%d].parent_code", i)
	if u.ParentCode == "" {
		return nil, true
	}
	if j, ok := p.index[u.ParentCode]; ok {
		if !p.resolve(j) {
			return nil, false
		}
		return &p.items[j].unit, true
	}
	stored, ok := p.exact[u.ParentCode]
	if !ok || !(rbac.Can(p.actor, rbac.OrgRead, stored.Path) || rbac.Can(p.actor, rbac.OrgWrite, stored.Path)) {
		p.errs.Add(field, apperr.UnknownUnit, "code", u.ParentCode)
		return nil, false
	}
	if !rbac.Can(p.actor, rbac.OrgWrite, stored.Path) {
		p.errs.Add(field, apperr.NoUnitRights, "code", u.ParentCode)
		return nil, false
	}
	return &stored, true
}

// compare decides between unchanged and update for a stored unit.
func (p *importPlanner) compare(it *importItem, old Unit, prefix string) bool {
	if !rbac.Can(p.actor, rbac.OrgWrite, old.Path) {
		p.errs.Add(prefix+"code", apperr.AlreadyUsedUnit)
		return false
	}
	it.old = &old
	u := it.unit
	if old.Name == u.Name && old.Level == u.Level && old.Kind == u.Kind && old.ParentCode == u.ParentCode {
		it.op = opUnchanged
		it.unit = old
		it.unit.Path = u.Path // the same unless an ancestor moves in this import
		return true
	}
	if (old.Level != u.Level || old.Kind != u.Kind) && old.ChildCount > 0 {
		p.errs.Add(prefix+"level", apperr.LevelLocked)
		return false
	}
	if u.Path != old.Path && strings.HasPrefix(u.Path, old.Path) {
		p.errs.Add(prefix+"parent_code", apperr.BelowItself)
		return false
	}
	it.op = opUpdate
	it.unit.Sort, it.unit.CreatedAt, it.unit.ChildCount = old.Sort, old.CreatedAt, old.ChildCount
	return true
}

// applyImport writes the plan depth by depth: updates (moving subtrees
// whose parent changed) and then batched inserts, so every parent exists
// before its children arrive.
func (s *Service) applyImport(ctx context.Context, items []*importItem) error {
	now := s.now()
	var creates []Unit
	flush := func() error {
		if len(creates) == 0 {
			return nil
		}
		err := s.st.insertUnits(ctx, creates)
		creates = creates[:0]
		if db.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "a unit of the import was created by someone else meanwhile; run it again")
		}
		return err
	}
	for i, it := range items {
		if i > 0 && it.depth != items[i-1].depth {
			if err := flush(); err != nil {
				return err
			}
		}
		switch it.op {
		case opCreate:
			it.unit.CreatedAt, it.unit.UpdatedAt = now, now
			creates = append(creates, it.unit)
		case opUpdate:
			it.unit.UpdatedAt = now
			if err := s.st.updateUnit(ctx, it.unit); err != nil {
				return fmt.Errorf("update unit %s: %w", it.unit.Code, err)
			}
			if it.unit.Path != it.old.Path {
				if err := s.st.movePaths(ctx, it.old.Path, it.unit.Path, now); err != nil {
					return fmt.Errorf("move unit %s: %w", it.unit.Code, err)
				}
			}
		}
	}
	return flush()
}
