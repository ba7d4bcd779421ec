package cases

import (
	"context"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
)

// Feedback reports the result of an assignment (反馈). Co-handlers post
// theirs first; the lead's feedback sends the case to verification at the
// assigning platform.
func (s *Service) Feedback(ctx context.Context, id int64, in HandlerInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActFeedback, func(t *txn) error {
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
		if o := pendingCoHandler(asgs); a.Lead && o != nil {
			return apperr.Newf(apperr.Conflict, "co-handler %s has not posted its feedback yet", o.UnitCode).
				WithReason(ReasonInvalidTransition)
		}
		a.Status, a.Feedback, a.Attachments, a.FeedbackAt = AsgFeedback, t.note, t.att, &t.now
		if err := s.st.updateAssignment(t.ctx, *a); err != nil {
			return err
		}
		t.detail["assignment"] = a.ID
		if !a.Lead {
			return nil
		}
		return t.enterStage(StatusFeedback, StageVerify, a.FromUnitCode)
	})
}

// Verify records the check of the feedback (核查) by the assigning platform
// or the reporter: pass closes the case (办结), fail sends it back to the
// lead for rework (返工).
func (s *Service) Verify(ctx context.Context, id int64, in VerifyInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActVerify, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		asgs, err := t.assignments()
		if err != nil {
			return err
		}
		lead := activeLead(asgs)
		if lead == nil {
			return errTransition(ActVerify, t.c.Status)
		}
		if a := actor.From(t.ctx); isReporter(a, t.c) {
			t.unit = a.UnitCode
		} else if err := t.asPlatform(lead.FromUnitCode); err != nil {
			return err
		}
		if err := t.takeNote(in.Transition, t.noteRequired(!in.Pass), "note"); err != nil {
			return err
		}
		t.detail["pass"] = in.Pass
		if in.Pass {
			return t.finish(StatusClosed, AsgDone)
		}
		return t.rework(lead)
	})
}

// holder returns the platform holding the case (for suspend and resume).
func (t *txn) holder(st Status) (string, error) {
	asgs, err := t.assignments()
	if err != nil {
		return "", err
	}
	return holderOf(t.c, st, asgs), nil
}

// Suspend parks a long-term case (挂账); its stage clock stops.
func (s *Service) Suspend(ctx context.Context, id int64, in Transition) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActSuspend, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		h, err := t.holder(t.c.Status)
		if err != nil {
			return err
		}
		if err := t.asPlatform(h); err != nil {
			return err
		}
		if err := t.takeNote(in, t.noteRequired(false), "note"); err != nil {
			return err
		}
		t.c.ResumeStatus, t.c.Status = t.c.Status, StatusSuspended
		t.suspendClock()
		return nil
	})
}

// Resume takes a suspended case up again; the stage starts afresh.
func (s *Service) Resume(ctx context.Context, id int64, in Transition) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActResume, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		h, err := t.holder(t.c.ResumeStatus)
		if err != nil {
			return err
		}
		if err := t.asPlatform(h); err != nil {
			return err
		}
		if err := t.takeNote(in, t.noteRequired(false), "note"); err != nil {
			return err
		}
		st := t.c.ResumeStatus
		t.c.ResumeStatus = ""
		return t.resumeClock(st)
	})
}

// Supervise puts an open case under supervision (督查督办) by a unit with a
// deadline and a reason.
func (s *Service) Supervise(ctx context.Context, id int64, in SuperviseInput) (Case, error) {
	return s.mutate(ctx, id, in.Version, ActSupervise, func(t *txn) error {
		if err := t.need(); err != nil {
			return err
		}
		errs := apperr.FieldErrors{}
		in.SupervisorUnitCode = strings.TrimSpace(in.SupervisorUnitCode)
		if in.SupervisorUnitCode == "" {
			errs.Add("supervisor_unit_code", apperr.Required)
		}
		if !in.Deadline.After(t.now) {
			errs.Add("deadline", apperr.RequiredFuture)
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if in.Reason == "" {
			errs.Add("reason", apperr.Required)
		}
		if err := errs.Err(); err != nil {
			return err
		}
		path, err := s.st.unitPath(t.ctx, in.SupervisorUnitCode, "supervisor_unit_code")
		if err != nil {
			return err
		}
		if err := requireAt(t.ctx, t.rule.Perm, path, "the supervising unit"); err != nil {
			return err
		}
		if open, err := s.st.openSupervision(t.ctx, t.c.ID); err != nil {
			return err
		} else if open != nil {
			return apperr.New(apperr.Conflict, "the case is under supervision already").
				WithReason(ReasonInvalidTransition)
		}
		if err := t.takeNote(in.Transition, t.noteRequired(false), "note"); err != nil {
			return err
		}
		t.unit, t.note = in.SupervisorUnitCode, in.Reason
		sup := Supervision{CaseID: t.c.ID, SupervisorUnitCode: in.SupervisorUnitCode,
			Deadline: in.Deadline.UTC().Truncate(time.Microsecond), Reason: in.Reason,
			CreatedBy: actor.From(t.ctx).UserID, CreatedAt: t.now}
		if sup.ID, err = s.st.insertSupervision(t.ctx, sup); err != nil {
			return err
		}
		if err := t.link(in.SupervisorUnitCode, "supervisor"); err != nil {
			return err
		}
		t.c.Supervised = true
		t.detail["supervisor"], t.detail["deadline"] = in.SupervisorUnitCode, sup.Deadline
		return s.notify(t.ctx, t.c, OutboxSupervised, t.c.CurrentUnitCode, t.now, ChannelInApp, ChannelSMS)
	})
}
