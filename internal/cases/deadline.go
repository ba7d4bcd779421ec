package cases

import (
	"errors"
	"strings"
	"time"

	"gridgov/internal/apperr"
)

// This file is where a case gets its deadlines. A case has the deadline
// of its current stage (Case.Deadline, with StageStartedAt: the overdue
// traffic light of overdue.go compares the two) and the lead's handle
// deadline (Case.HandleDeadline); each assignment has a sign and a handle
// deadline. Limits come from the case's category (Category.Limits, per
// stage: "4wh", "3wd", "24h") and are counted by the working calendar
// (Deadlines). Each action of the loop sets them by the DeadlineRule its
// Rule names; nothing else writes them.

// DeadlineRule says how an action sets the stage deadline.
type DeadlineRule string

// The deadline rules.
const (
	// DeadlineNone leaves every deadline as it is.
	DeadlineNone DeadlineRule = "none"
	// DeadlineStage: when the case enters a stage (accept on report,
	// escalate or the lead's return; verify on the lead's feedback), the
	// stage's limit counted from now (enterStage). A co-handler's step
	// leaves the deadlines alone.
	DeadlineStage DeadlineRule = "stage"
	// DeadlineAssign: each new assignment gets the sign limit from now and
	// the handle limit from its sign deadline; the case takes the lead's
	// (assignmentDeadlines).
	DeadlineAssign DeadlineRule = "assign"
	// DeadlineSign: when the lead signs, the handle stage's deadline is the
	// lead assignment's handle deadline (signed).
	DeadlineSign DeadlineRule = "sign"
	// DeadlineExtend: an approved extension moves the assignment's handle
	// deadline by the requested limit, counted from the later of now and
	// the old deadline; for the lead it is the case's too (extend).
	DeadlineExtend DeadlineRule = "extend"
	// DeadlineVerify: a pass clears the deadline (the case is closed); a
	// fail gives the lead the handle limit from now (rework).
	DeadlineVerify DeadlineRule = "verify"
	// DeadlineClear: the case ends; its deadline is cleared (stopClock).
	DeadlineClear DeadlineRule = "clear"
	// DeadlineStop: a suspended case has no deadline (suspendClock).
	DeadlineStop DeadlineRule = "stop"
	// DeadlineRestart: a resumed case starts its stage afresh: the stage's
	// limit from now, the lead's handle deadline with it (resumeClock).
	DeadlineRestart DeadlineRule = "restart"
)

// deadline computes from+limit; an empty limit means no deadline.
func (s *Service) deadline(from time.Time, limit string) (*time.Time, error) {
	if strings.TrimSpace(limit) == "" {
		return nil, nil
	}
	t, err := s.deadlines.DeadlineFor(from, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "compute deadline")
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, nil
}

// checkLimit validates a limit text through the calendar.
func (s *Service) checkLimit(limit string) error {
	if _, err := s.deadlines.DeadlineFor(s.now(), limit); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			if p, ok := ae.Problems["limit"]; ok {
				return p
			}
			return apperr.P(apperr.LimitDetail, "detail", ae.Message)
		}
		return err
	}
	return nil
}

// stageDeadline is the deadline of stage entered at from under cat.
func (s *Service) stageDeadline(cat Category, stage string, from time.Time) (*time.Time, error) {
	return s.deadline(from, cat.Limits[stage])
}

// firstStage puts a new case reported on filing into the accept stage.
func (s *Service) firstStage(r *caseRow, cat Category) error {
	dl, err := s.stageDeadline(cat, StageAccept, r.CreatedAt)
	if err != nil {
		return err
	}
	r.Status, r.Stage, r.StageSeq, r.Deadline = StatusReported, StageAccept, 1, dl
	return nil
}

// enterStage moves the case to status and stage at unit, computing the
// stage deadline from the category limit, and notifies the unit.
func (t *txn) enterStage(status Status, stage, unit string) error {
	dl, err := t.s.stageDeadline(t.cat, stage, t.now)
	if err != nil {
		return err
	}
	t.setStage(status, stage, unit, dl)
	return t.notifyArrived(unit)
}

// setStage moves the case to a stage with a given deadline.
func (t *txn) setStage(status Status, stage, unit string, dl *time.Time) {
	t.c.Status, t.c.Stage, t.c.CurrentUnitCode = status, stage, unit
	t.c.StageSeq++
	t.c.StageStartedAt, t.c.Deadline, t.c.Overdue = t.now, dl, Green
}

// assignmentDeadlines are the sign and handle deadlines of assignments
// made now.
func (t *txn) assignmentDeadlines() (sign, handle *time.Time, err error) {
	if sign, err = t.s.stageDeadline(t.cat, StageSign, t.now); err != nil {
		return nil, nil, err
	}
	handleFrom := t.now
	if sign != nil {
		handleFrom = *sign
	}
	handle, err = t.s.stageDeadline(t.cat, StageHandle, handleFrom)
	return sign, handle, err
}

// assigned puts the case at the lead's sign stage with its deadlines.
func (t *txn) assigned(lead string, sign, handle *time.Time) {
	t.setStage(StatusAssigned, StageSign, lead, sign)
	t.c.HandleDeadline = handle
}

// signed starts the handle stage at the lead with its handle deadline.
func (t *txn) signed(lead *Assignment) {
	t.setStage(StatusHandling, StageHandle, lead.UnitCode, lead.Deadline)
}

// returned puts the case back to intake at the assigning platform from,
// with the accept limit; the lead's handle deadline is gone.
func (t *txn) returned(from string) error {
	t.c.HandleDeadline = nil
	return t.enterStage(StatusReported, StageAccept, from)
}

// extend moves an assignment's deadline by limit; when it leads the case
// (not a lead assignment since returned or dispatched further down), the
// case's handle deadline moves with it.
func (t *txn) extend(a *Assignment, limit string) error {
	from := t.now
	if a.Deadline != nil && a.Deadline.After(from) {
		from = *a.Deadline
	}
	dl, err := t.s.deadline(from, limit)
	if err != nil {
		return err
	}
	a.Deadline, a.ExtensionUsed = dl, true
	if err := t.s.st.updateAssignment(t.ctx, *a); err != nil {
		return err
	}
	if leads(*a) {
		t.c.HandleDeadline = dl
		if t.c.Stage == StageHandle {
			// A new deadline starts a fresh round of near/overdue notices.
			t.c.Deadline, t.c.Overdue = dl, Green
			t.c.StageSeq++
		}
	}
	return nil
}

// rework sends the case back to the lead with a fresh handle limit.
func (t *txn) rework(lead *Assignment) error {
	dl, err := t.s.stageDeadline(t.cat, StageHandle, t.now)
	if err != nil {
		return err
	}
	lead.Status, lead.FeedbackAt, lead.Deadline = AsgHandling, nil, dl
	if err := t.s.st.updateAssignment(t.ctx, *lead); err != nil {
		return err
	}
	t.c.ReworkCount++
	t.c.HandleDeadline = dl
	t.setStage(StatusHandling, StageHandle, lead.UnitCode, dl)
	return t.notifyArrived(lead.UnitCode)
}

// stopClock ends the case's stages: no stage, no deadline.
func (t *txn) stopClock() {
	t.c.Stage, t.c.Deadline, t.c.Overdue = "", nil, Green
	t.c.StageSeq++
}

// suspendClock stops the stage clock of a suspended case.
func (t *txn) suspendClock() {
	t.c.Deadline, t.c.Overdue = nil, Green
	t.c.StageSeq++
}

// resumeClock restarts the stage the case was suspended in, status st; a
// handled case's lead gets the new deadline too.
func (t *txn) resumeClock(st Status) error {
	if err := t.enterStage(st, t.c.Stage, t.c.CurrentUnitCode); err != nil {
		return err
	}
	if st != StatusHandling {
		return nil
	}
	asgs, err := t.assignments()
	if err != nil {
		return err
	}
	if l := activeLead(asgs); l != nil {
		l.Deadline = t.c.Deadline
		t.c.HandleDeadline = t.c.Deadline
		return t.s.st.updateAssignment(t.ctx, *l)
	}
	return nil
}
