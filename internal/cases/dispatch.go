package cases

import (
	"context"
	"fmt"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
)

// assignments loads the case's assignments inside the transition.
func (t *txn) assignments() ([]Assignment, error) { return t.s.st.assignments(t.ctx, t.c.ID) }

// activeLead is the assignment leading the case now, if any.
func activeLead(asgs []Assignment) *Assignment {
	for i := range asgs {
		if leads(asgs[i]) {
			return &asgs[i]
		}
	}
	return nil
}

// leads reports whether assignment a is the one leading the case now.
func leads(a Assignment) bool {
	return a.Lead && (a.Status == AsgAssigned || a.Status == AsgHandling || a.Status == AsgFeedback)
}

// holderOf returns the platform holding a case in status st: the current
// unit while it awaits intake, else the unit that assigned the lead.
func holderOf(c caseRow, st Status, asgs []Assignment) string {
	if st == StatusReported || st == StatusCollected {
		return c.CurrentUnitCode
	}
	if l := activeLead(asgs); l != nil {
		return l.FromUnitCode
	}
	return c.CurrentUnitCode
}

// asPlatform checks case.dispatch over the unit code and makes it the
// acting unit of the step.
func (t *txn) asPlatform(code string) error {
	path, err := t.pathOf(code, "unit_code")
	if err != nil {
		return err
	}
	if err := requireAt(t.ctx, t.rule.Perm, path, "the platform holding the case"); err != nil {
		return err
	}
	t.unit = code
	return nil
}

// Report sends a collected case to its community platform (上报).
func (s *Service) Report(ctx context.Context, id int64, in Transition) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActReport, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		if !isReporter(actor.From(t.ctx), t.c) {
			if err := requireAt(t.ctx, t.rule.Perm, t.c.UnitPath, "the case's territory"); err != nil {
				return err
			}
		}
		if err := t.takeNote(in, t.noteRequired(false), "note"); err != nil {
			return err
		}
		t.unit = t.c.UnitCode
		return t.enterStage(StatusReported, StageAccept, t.c.UnitCode)
	})
}

// Escalate passes a reported case up to the parent platform (上报 beyond
// the holding platform's competence).
func (s *Service) Escalate(ctx context.Context, id int64, in Transition) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActEscalate, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		if err := t.asPlatform(t.c.CurrentUnitCode); err != nil {
			return err
		}
		if err := t.takeNote(in, t.noteRequired(false), "note"); err != nil {
			return err
		}
		cur, err := t.unitRow(t.c.CurrentUnitCode, "unit_code")
		if err != nil {
			return err
		}
		if cur.Parent == "" {
			return apperr.New(apperr.Conflict, "the case is at the top platform already").
				WithReason(ReasonInvalidTransition)
		}
		if err := t.link(cur.Parent, "reported"); err != nil {
			return err
		}
		if err := t.giveBack(cur.Code); err != nil {
			return err
		}
		t.detail["to_unit"] = cur.Parent
		return t.enterStage(StatusReported, StageAccept, cur.Parent)
	})
}

// giveBack settles the assignment a platform had received from above when
// it passes the case up instead of dispatching it again.
func (t *txn) giveBack(unit string) error {
	asgs, err := t.assignments()
	if err != nil {
		return err
	}
	for _, a := range asgs {
		if a.UnitCode == unit && a.Status == AsgHandling {
			a.Status = AsgReturned
			if err := t.s.st.updateAssignment(t.ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reject refuses a reported case at intake (不予立案); the note is the reason.
func (s *Service) Reject(ctx context.Context, id int64, in Transition) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActReject, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		if err := t.asPlatform(t.c.CurrentUnitCode); err != nil {
			return err
		}
		if err := t.takeNote(in, t.noteRequired(false), "note"); err != nil {
			return err
		}
		return t.finish(StatusRejected, AsgCancelled)
	})
}

// finish ends the case in a terminal status, settling its assignments and
// closing its supervision.
func (t *txn) finish(st Status, asgStatus AssignmentStatus) error {
	asgs, err := t.assignments()
	if err != nil {
		return err
	}
	for _, a := range asgs {
		switch a.Status {
		case AsgAssigned, AsgHandling, AsgFeedback, AsgDispatched:
			a.Status = asgStatus
			if err := t.s.st.updateAssignment(t.ctx, a); err != nil {
				return err
			}
		}
	}
	if err := t.s.st.closeSupervisions(t.ctx, t.c.ID, t.now); err != nil {
		return err
	}
	t.c.Status = st
	t.stopClock()
	t.c.Supervised = false
	t.c.ClosedAt = &t.now
	return nil
}

// Merge closes a duplicate reported case into another open case.
func (s *Service) Merge(ctx context.Context, id int64, in MergeInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActMerge, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		if err := t.asPlatform(t.c.CurrentUnitCode); err != nil {
			return err
		}
		if in.IntoID == 0 || in.IntoID == id {
			return apperr.Field("into_id", apperr.OpenCaseID)
		}
		into, err := s.visibleCase(t.ctx, in.IntoID)
		if err != nil || !into.Status.Open() {
			return apperr.Field("into_id", apperr.NoSuchOpenCase)
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		t.c.MergedInto = &into.ID
		t.detail["into"] = into.Number
		a := actor.From(t.ctx)
		if err := s.st.insertStep(t.ctx, Step{CaseID: into.ID, Action: ActMerge, FromStatus: into.Status,
			ToStatus: into.Status, UserID: a.UserID, Username: a.Username, UnitCode: t.unit,
			Note: fmt.Sprintf("merged duplicate %s", t.c.Number), CreatedAt: t.now}); err != nil {
			return err
		}
		return t.finish(StatusMerged, AsgCancelled)
	})
}

// Assign dispatches the case (交办) from the holding platform — or, with
// FromAssignmentID, from an assignment a platform received — to a lead unit
// and co-handlers in that platform's subtree.
func (s *Service) Assign(ctx context.Context, id int64, in AssignInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActAssign, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		asgs, err := t.assignments()
		if err != nil {
			return err
		}
		parent, platform, err := t.dispatchOrigin(in, asgs)
		if err != nil {
			return err
		}
		if err := t.asPlatform(platform); err != nil {
			return err
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		units, err := t.checkTargets(platform, in)
		if err != nil {
			return err
		}
		return t.dispatch(parent, platform, units, in.Note)
	})
}

// dispatchOrigin finds where an assignment starts: the assignment it
// continues (nil at a platform's own intake) and the dispatching platform.
func (t *txn) dispatchOrigin(in AssignInput, asgs []Assignment) (*Assignment, string, error) {
	// The dispatcher (OverDispatcher): the intake platform while the case
	// is reported, else a unit holding an active assignment.
	if in.FromAssignmentID != 0 {
		if t.c.Status == StatusReported {
			return nil, "", errTransition(ActAssign, t.c.Status)
		}
		for i := range asgs {
			a := &asgs[i]
			if a.ID == in.FromAssignmentID {
				if a.Status != AsgAssigned && a.Status != AsgHandling {
					return nil, "", errTransition(ActAssign, t.c.Status)
				}
				return a, a.UnitCode, nil
			}
		}
		return nil, "", apperr.Field("from_assignment_id", apperr.NoSuchAssignment)
	}
	if t.c.Status != StatusReported {
		return nil, "", errTransition(ActAssign, t.c.Status)
	}
	// A platform that got the case back (回退) from below continues the
	// assignment it had received from above.
	for i := range asgs {
		a := &asgs[i]
		if a.UnitCode == t.c.CurrentUnitCode && a.Status == AsgHandling {
			return a, a.UnitCode, nil
		}
	}
	return nil, t.c.CurrentUnitCode, nil
}

// checkTargets validates lead and co-handler units: distinct units inside
// the platform's subtree (its departments or lower platforms); the lead may
// also be the platform itself, which then handles the case on its own.
func (t *txn) checkTargets(platform string, in AssignInput) ([]string, error) {
	errs := apperr.FieldErrors{}
	lead := strings.TrimSpace(in.LeadUnitCode)
	if lead == "" {
		errs.Add("lead_unit_code", apperr.Required)
	}
	if len(in.CoUnitCodes) > 20 {
		errs.Add("co_unit_codes", apperr.MaxCount, "n", 20)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	pp, err := t.pathOf(platform, "unit_code")
	if err != nil {
		return nil, err
	}
	units := []string{lead}
	seen := map[string]bool{lead: true}
	for _, c := range in.CoUnitCodes {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			return nil, apperr.Field("co_unit_codes", apperr.CoUnits)
		}
		seen[c] = true
		units = append(units, c)
	}
	for i, code := range units {
		field := "lead_unit_code"
		if i > 0 {
			field = "co_unit_codes"
		}
		u, err := t.unitRow(code, field)
		if err != nil {
			return nil, err
		}
		// A platform may keep a case within its competence as the lead
		// handler itself (自行处置: a community's own staff and grid
		// workers deal with it); co-handlers are always below it.
		self := i == 0 && u.Path == pp
		if !self && (u.Path == pp || !strings.HasPrefix(u.Path, pp)) {
			return nil, apperr.Field(field, apperr.PlatformScope, "code", code, "platform", platform)
		}
	}
	return units, nil
}

// dispatch writes the assignments and moves the case to the lead.
func (t *txn) dispatch(parent *Assignment, platform string, units []string, note string) error {
	sign, handle, err := t.assignmentDeadlines()
	if err != nil {
		return err
	}
	// Only the case lead's chain leads; a co-handler dispatching down hands
	// out co-handling shares.
	leads := parent == nil || parent.Lead
	for i, code := range units {
		a := Assignment{CaseID: t.c.ID, UnitCode: code, FromUnitCode: platform, Lead: i == 0 && leads,
			Status: AsgAssigned, Note: note, SignDeadline: sign, Deadline: handle, CreatedAt: t.now}
		if parent != nil {
			a.ParentID = &parent.ID
		}
		if _, err := t.s.st.insertAssignment(t.ctx, a); err != nil {
			return err
		}
		if err := t.link(code, "assigned"); err != nil {
			return err
		}
		if !a.Lead {
			if err := t.notifyArrived(code); err != nil {
				return err
			}
		}
	}
	if parent != nil {
		parent.Status = AsgDispatched
		if err := t.s.st.updateAssignment(t.ctx, *parent); err != nil {
			return err
		}
	}
	t.detail["lead"], t.detail["units"] = units[0], units
	if !leads {
		return nil
	}
	t.assigned(units[0], sign, handle)
	return t.notifyArrived(units[0])
}
