package cases

import (
	"context"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
)

// handlerAssignment picks the assignment a handler acts on: the one named,
// or the only one in one of the rule's assignment statuses whose unit the
// actor may handle. It checks the rule's permission (case.handle) over the
// assignment's unit and makes it the acting unit.
func (t *txn) handlerAssignment(id int64) (*Assignment, []Assignment, error) {
	asgs, err := t.assignments()
	if err != nil {
		return nil, nil, err
	}
	act := t.rule.Action
	want := t.rule.worksOn
	var pick *Assignment
	for i := range asgs {
		a := &asgs[i]
		if id != 0 && a.ID == id {
			pick = a
			break
		}
		if id == 0 && want(*a) && t.canHandle(a.UnitCode) {
			if pick != nil {
				return nil, nil, apperr.Field("assignment_id", apperr.SeveralOpen)
			}
			pick = a
		}
	}
	if pick == nil {
		if id != 0 {
			return nil, nil, apperr.Field("assignment_id", apperr.NoSuchAssignment)
		}
		return nil, nil, errTransition(act, t.c.Status)
	}
	path, err := t.pathOf(pick.UnitCode, "assignment_id")
	if err != nil {
		return nil, nil, err
	}
	if err := requireAt(t.ctx, t.rule.Perm, path, "the assigned unit"); err != nil {
		return nil, nil, err
	}
	if !want(*pick) {
		return nil, nil, errTransition(act, t.c.Status)
	}
	t.unit = pick.UnitCode
	return pick, asgs, nil
}

func (t *txn) canHandle(code string) bool {
	p, err := t.pathOf(code, "unit_code")
	return err == nil && rbac.Can(actor.From(t.ctx), t.rule.Perm, p)
}

// Sign records that a receiving unit signed for its assignment (签收).
func (s *Service) Sign(ctx context.Context, id int64, in HandlerInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActSign, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		a, _, err := t.handlerAssignment(in.AssignmentID)
		if err != nil {
			return err
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		a.Status, a.SignedAt = AsgHandling, &t.now
		if err := s.st.updateAssignment(t.ctx, *a); err != nil {
			return err
		}
		t.detail["assignment"] = a.ID
		if a.Lead {
			t.signed(a)
		}
		return nil
	})
}

// Return sends an assignment back (回退) with a reason; when the lead
// returns, the case goes back to intake at the assigning platform.
func (s *Service) Return(ctx context.Context, id int64, in HandlerInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActReturn, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		a, asgs, err := t.handlerAssignment(in.AssignmentID)
		if err != nil {
			return err
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		a.Status = AsgReturned
		if err := s.st.updateAssignment(t.ctx, *a); err != nil {
			return err
		}
		t.c.ReturnCount++
		t.detail["assignment"] = a.ID
		if !a.Lead {
			return nil
		}
		for _, o := range asgs {
			if o.ID != a.ID && sameParent(o, *a) && (o.Status == AsgAssigned || o.Status == AsgHandling ||
				o.Status == AsgFeedback) {
				o.Status = AsgCancelled
				if err := s.st.updateAssignment(t.ctx, o); err != nil {
					return err
				}
			}
			if a.ParentID != nil && o.ID == *a.ParentID {
				o.Status = AsgHandling
				if err := s.st.updateAssignment(t.ctx, o); err != nil {
					return err
				}
			}
		}
		return t.returned(a.FromUnitCode)
	})
}

func sameParent(a, b Assignment) bool {
	if a.ParentID == nil || b.ParentID == nil {
		return a.ParentID == nil && b.ParentID == nil
	}
	return *a.ParentID == *b.ParentID
}

// RequestExtension asks the assigning platform for more time (延期).
func (s *Service) RequestExtension(ctx context.Context, id int64, in ExtensionRequest) (Extension, error) {
	var ext Extension
	_, err := s.mutate(ctx, id, in.Version, ActRequestExtension, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		a, _, err := t.handlerAssignment(in.AssignmentID)
		if err != nil {
			return err
		}
		in.Limit = strings.TrimSpace(in.Limit)
		if in.Limit == "" {
			return apperr.Field("limit", apperr.TimeLimitRequired)
		}
		if err := s.checkLimit(in.Limit); err != nil {
			return apperr.FieldProblem("limit", apperr.ProblemOf(err))
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		exts, err := s.st.extensions(t.ctx, t.c.ID)
		if err != nil {
			return err
		}
		if pendingExtension(exts, a.ID) {
			return apperr.New(apperr.Conflict, "an extension request is already pending").
				WithReason(ReasonInvalidTransition)
		}
		ext = Extension{CaseID: t.c.ID, AssignmentID: a.ID, Limit: in.Limit, Reason: in.Note,
			Status: ExtPending, RequestedBy: actor.From(t.ctx).UserID, CreatedAt: t.now}
		ext.ID, err = s.st.insertExtension(t.ctx, ext)
		t.detail["extension"], t.detail["limit"] = ext.ID, in.Limit
		return err
	})
	return ext, err
}

// DecideExtension approves or refuses a pending extension; approval moves
// the assignment's (and, for the lead, the case's) handle deadline.
func (s *Service) DecideExtension(ctx context.Context, id, extID int64, in ExtensionDecision) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActDecideExtension, func(t *txn) error {
		ext, err := s.st.extension(t.ctx, t.c.ID, extID)
		if err != nil {
			return err
		}
		if ext.Status != ExtPending || !t.c.Status.Open() {
			return apperr.New(apperr.Conflict, "the extension was decided already").WithReason(ReasonInvalidTransition)
		}
		asgs, err := t.assignments()
		if err != nil {
			return err
		}
		var a *Assignment
		for i := range asgs {
			if asgs[i].ID == ext.AssignmentID {
				a = &asgs[i]
			}
		}
		if a == nil {
			return apperr.NotFoundf("assignment %d not found", ext.AssignmentID)
		}
		if err := t.asPlatform(a.FromUnitCode); err != nil {
			return err
		}
		if err := t.takeNote(in.Transition, t.noteRequired(!in.Approve), "note"); err != nil {
			return err
		}
		uid := actor.From(t.ctx).UserID
		ext.Status, ext.DecisionNote, ext.DecidedBy, ext.DecidedAt = ExtRefused, in.Note, &uid, &t.now
		t.detail["extension"], t.detail["approve"] = ext.ID, in.Approve
		if in.Approve {
			ext.Status = ExtApproved
			if err := t.extend(a, ext.Limit); err != nil {
				return err
			}
		}
		return s.st.decideExtension(t.ctx, ext)
	})
}
