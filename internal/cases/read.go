package cases

import (
	"context"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// CaseByID returns a case the actor may see, with its assignments,
// extensions, open supervision and the actions the actor may take now.
func (s *Service) CaseByID(ctx context.Context, id int64) (Case, error) {
	if err := requireLogin(ctx); err != nil {
		return Case{}, err
	}
	r, err := s.visibleCase(ctx, id)
	if err != nil {
		return Case{}, err
	}
	c := r.Case
	if c.Assignments, err = s.st.assignments(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Extensions, err = s.st.extensions(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Supervision, err = s.st.openSupervision(ctx, id); err != nil {
		return Case{}, err
	}
	if c.Supervision != nil {
		if c.Supervision.Accountability, err = s.st.accountability(ctx, c.Supervision.ID); err != nil {
			return Case{}, err
		}
	}
	if c.Meetings, err = s.st.caseMeetings(ctx, id); err != nil {
		return Case{}, err
	}
	c.AllowedActions = s.allowed(ctx, r, c.Assignments, c.Extensions)
	c.SuggestedDept = s.suggestDept(ctx, r)
	return c, nil
}

// suggestDept resolves the category's default department suffix (e.g.
// "cgj") to the department of the case's district, else of its city.
func (s *Service) suggestDept(ctx context.Context, r caseRow) string {
	cat, err := s.cachedCategory(ctx, r.CategoryCode)
	if err != nil || cat.DefaultDept == "" {
		return ""
	}
	segs := strings.Split(strings.Trim(r.UnitPath, "/"), "/")
	for i := min(len(segs), 2) - 1; i >= 0; i-- {
		code := segs[i] + "-" + cat.DefaultDept
		if _, err := s.st.unitPath(ctx, code, "unit_code"); err == nil {
			return code
		}
	}
	return ""
}

// Steps returns the history of a case the actor may see.
func (s *Service) Steps(ctx context.Context, id int64) ([]Step, error) {
	if err := requireLogin(ctx); err != nil {
		return nil, err
	}
	if _, err := s.visibleCase(ctx, id); err != nil {
		return nil, err
	}
	return s.st.steps(ctx, id)
}

func page(limit, offset, def, max int) (int, int, error) {
	return db.Paging{Default: def, Max: max}.Apply(limit, offset)
}

// Cases lists the cases visible to the actor matching f, newest first,
// with the total count.
func (s *Service) Cases(ctx context.Context, f Filter) ([]Case, int, error) {
	if err := rbac.RequireAny(ctx, PermCaseRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset, 50, 500)
	if err != nil {
		return nil, 0, err
	}
	where, args := scopeSQL(rbac.ScopeOf(actor.From(ctx), PermCaseRead))
	conds := []string{where}
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if len(f.Status) > 0 {
		ph := make([]string, len(f.Status))
		for i, st := range f.Status {
			ph[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, "c.status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Category != "" {
		add(db.HasPrefix("c.category_code", f.Category))
	}
	if f.Unit != "" {
		p, err := s.st.unitPath(ctx, f.Unit, "unit")
		if err != nil {
			return nil, 0, err
		}
		add("(c.unit_path LIKE ? OR c.current_unit_code = ?)", p+"%", f.Unit)
	}
	if f.Overdue != "" {
		add("c.overdue = ?", string(f.Overdue))
	}
	if f.Source != "" {
		add("c.source = ?", string(f.Source))
	}
	if f.Supervised != nil {
		add("c.supervised = ?", *f.Supervised)
	}
	if f.ReturnedMin < 0 {
		return nil, 0, apperr.Field("returned_min", apperr.NotNegative)
	}
	if f.ReturnedMin > 0 {
		add("c.return_count >= ?", f.ReturnedMin)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cond, a := db.ContainsAny(q, "c.number", "c.description", "c.address")
		add(cond, a...)
	}
	return s.st.cases(ctx, strings.Join(conds, " AND "), args, limit, offset)
}

// SupervisionBoard lists the open supervisions of cases the actor may see,
// earliest deadline first (the 督办 board).
func (s *Service) SupervisionBoard(ctx context.Context, limit, offset int) ([]Supervision, error) {
	sups, _, err := s.SupervisionBoardPage(ctx, SupervisionFilter{Limit: limit, Offset: offset})
	return sups, err
}

// Inbox lists what waits for the actor's units: cases to accept or verify
// at platforms the actor dispatches for, assignments to sign or handle at
// units the actor handles for, and the actor's own drafts to report.
func (s *Service) Inbox(ctx context.Context, limit int) ([]InboxItem, error) {
	a := actor.From(ctx)
	if err := rbac.RequireAny(ctx, PermCaseRead); err != nil {
		return nil, err
	}
	limit, _, err := page(limit, 0, 100, 500)
	if err != nil {
		return nil, err
	}
	dispatch := rbac.ScopeOf(a, PermCaseDispatch)
	handle := rbac.ScopeOf(a, PermCaseHandle)
	return s.st.inbox(ctx, a.UserID, grantUnits(a, PermCaseDispatch, dispatch.All),
		grantUnits(a, PermCaseHandle, handle.All), limit)
}

// grantUnits lists the units at which the actor holds perm; nil with all
// set means every unit (the system actor).
func grantUnits(a *actor.Actor, perm rbac.Permission, all bool) []string {
	if all {
		return nil
	}
	out := []string{}
	for _, g := range a.Grants {
		if g.Perms[perm] {
			out = append(out, g.ScopeCode)
		}
	}
	return out
}

// Outbox lists queued notifications (of one case, or all with caseID 0);
// for system actors and the sender.
func (s *Service) Outbox(ctx context.Context, caseID int64, limit int) ([]OutboxMessage, error) {
	a := actor.From(ctx)
	if a == nil || !a.System {
		return nil, apperr.New(apperr.Forbidden, "only the system reads the outbox")
	}
	limit, err := db.Paging{Default: 1000, Max: 10000}.Limit(limit)
	if err != nil {
		return nil, err
	}
	return s.st.outbox(ctx, caseID, limit)
}
