package cases

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// txn is one transition in progress: the case as loaded (and being
// changed) inside the transaction, and what its step will record.
type txn struct {
	s      *Service
	ctx    context.Context
	rule   Rule // the rule of the action (workflow.go)
	c      caseRow
	cat    Category
	from   Status
	now    time.Time
	unit   string // the unit on whose behalf the actor acts
	note   string
	att    []int64
	detail map[string]any
	units  map[string]unitRow // units loaded in this transition, by code
}

// unitRow loads a unit once per transition; field names the input in the
// error when it does not exist.
func (t *txn) unitRow(code, field string) (unitRow, error) {
	if u, ok := t.units[code]; ok {
		return u, nil
	}
	u, err := t.s.st.unit(t.ctx, code, field)
	if err != nil {
		return u, err
	}
	if t.units == nil {
		t.units = map[string]unitRow{}
	}
	t.units[code] = u
	return u, nil
}

// pathOf returns the path of a unit (see unitRow).
func (t *txn) pathOf(code, field string) (string, error) {
	u, err := t.unitRow(code, field)
	return u.Path, err
}

// mutate runs one transition of case id: it loads the case in a
// transaction, hides it from actors who cannot see it, takes the optimistic
// lock (version; 0 skips the caller's check but still locks), lets fn apply
// the rules, then writes the case, the step and the audit entry together.
// The lock is the final UPDATE's version condition: of two concurrent
// transitions only the first finds its version, the other is stale. On
// PostgreSQL the case row is also locked when loaded, so the second waits
// there and then sees the first one's version.
func (s *Service) mutate(ctx context.Context, id int64, version int, act Action,
	fn func(t *txn) error) (Case, error) {
	if err := requireLogin(ctx); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.db.WithGroupTx(ctx, func(ctx context.Context) error {
		r, err := s.loadVisible(ctx, id, true)
		if err != nil {
			return err
		}
		if version != 0 && version != r.Version {
			return errStale()
		}
		cat, err := s.cachedCategory(ctx, r.CategoryCode)
		if err != nil {
			return err
		}
		t := &txn{s: s, ctx: ctx, rule: s.rules[act], c: r, cat: cat, from: r.Status, now: s.now(),
			detail: map[string]any{}}
		if err := fn(t); err != nil {
			return err
		}
		t.c.Version = r.Version + 1
		t.c.UpdatedAt = t.now
		if ok, err := s.st.updateCase(ctx, t.c, r.Version); err != nil {
			return err
		} else if !ok {
			return errStale()
		}
		if err := t.record(act); err != nil {
			return err
		}
		out = t.c.Case
		return s.runHooks(ctx, out, t.from)
	})
	return out, err
}

// visibleCase loads a case the actor may read; others are not_found.
func (s *Service) visibleCase(ctx context.Context, id int64) (caseRow, error) {
	return s.loadVisible(ctx, id, false)
}

// loadVisible loads a case the actor may read, with its row lock when lock
// is set (see caseAndPaths); others are not_found.
func (s *Service) loadVisible(ctx context.Context, id int64, lock bool) (caseRow, error) {
	r, paths, err := s.st.caseAndPaths(ctx, id, lock)
	if err != nil {
		return r, err
	}
	if !visible(rbac.ScopeOf(actor.From(ctx), PermCaseRead), paths) {
		return r, apperr.NotFoundf("case %d not found", id)
	}
	return r, nil
}

// record writes the step and the audit entry of the transition.
func (t *txn) record(act Action) error {
	a := actor.From(t.ctx)
	st := Step{CaseID: t.c.ID, Action: act, FromStatus: t.from, ToStatus: t.c.Status, UserID: a.UserID,
		Username: a.Username, UnitCode: t.unit, Note: t.note, Attachments: t.att, CreatedAt: t.now}
	if err := t.s.st.insertStep(t.ctx, st); err != nil {
		return err
	}
	t.detail["number"] = t.c.Number
	t.detail["from"] = string(t.from)
	t.detail["to"] = string(t.c.Status)
	if t.unit != "" {
		t.detail["unit"] = t.unit
	}
	if t.note != "" {
		t.detail["note"] = t.note
	}
	if len(t.att) > 0 {
		t.detail["attachments"] = t.att
	}
	return t.s.audit.Record(t.ctx, audit.Entry{Action: "case." + string(act), ObjectType: "case",
		ObjectID: strconv.FormatInt(t.c.ID, 10), Detail: t.detail})
}

// need fails with invalid_transition unless the action's rule applies to
// the case's status.
func (t *txn) need() error {
	if t.rule.AppliesTo(t.c.Status) {
		return nil
	}
	return errTransition(t.rule.Action, t.c.Status)
}

// noteRequired says whether the step's note is required by the rule;
// refused tells a failed verification or a refused extension.
func (t *txn) noteRequired(refused bool) bool {
	return t.rule.Note == NoteRequired || t.rule.Note == NoteOnRefusal && refused
}

// notifyArrived queues the in-app notice that the case reached unit.
func (t *txn) notifyArrived(unit string) error {
	return t.s.notify(t.ctx, t.c, OutboxArrived, unit, t.now, ChannelInApp)
}

// notify queues a notification of kind for unit, once per stage and kind.
func (s *Service) notify(ctx context.Context, c caseRow, kind, unit string, now time.Time, channels ...string) error {
	payload := mustJSON(map[string]any{"case_id": c.ID, "number": c.Number, "status": c.Status,
		"stage": c.Stage, "category": c.CategoryName, "deadline": c.Deadline, "address": c.Address})
	for _, ch := range channels {
		m := OutboxMessage{Channel: ch, RecipientUnit: unit, Kind: kind, CaseID: c.ID,
			Payload: []byte(payload), CreatedAt: now}
		dedup := fmt.Sprintf("%d/%s/%d/%s/%s", c.ID, kind, c.StageSeq, unit, ch)
		if err := s.st.enqueue(ctx, m, dedup); err != nil {
			return err
		}
	}
	return nil
}

// takeNote copies the common transition input into the step.
func (t *txn) takeNote(in Transition, noteRequired bool, field string) error {
	errs := apperr.FieldErrors{}
	if noteRequired && in.Note == "" {
		errs.Add(field, apperr.Required)
	}
	if len([]rune(in.Note)) > 2000 {
		errs.Add(field, apperr.MaxChars, "n", 2000)
	}
	checkIDs(in.Attachments, errs)
	if err := errs.Err(); err != nil {
		return err
	}
	t.note, t.att = in.Note, cleanIDs(in.Attachments)
	return t.s.linkCheck(t.ctx, t.att)
}

// link adds a unit to the case's scope units.
func (t *txn) link(code, reason string) error {
	path, err := t.pathOf(code, "unit_code")
	if err != nil {
		return err
	}
	return t.s.st.addUnit(t.ctx, t.c.ID, code, path, reason)
}
