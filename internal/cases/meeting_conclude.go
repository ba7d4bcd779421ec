package cases

import (
	"context"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// ConcludeMeeting closes an open meeting and turns its pending decisions
// into assignments of their cases through the same machinery as Assign,
// each writing a meeting_assign step and an audit entry. It is one
// transaction: a decision that cannot be applied fails the whole
// conclusion and nothing is written.
func (s *Service) ConcludeMeeting(ctx context.Context, id int64, in ConcludeInput) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	if len([]rune(in.Minutes)) > 20000 {
		return Meeting{}, apperr.Field("minutes", apperr.MaxChars, "n", 20000)
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.openMeeting(ctx, id)
		if err != nil {
			return err
		}
		applied := []int64{}
		for _, d := range m.Decisions {
			if d.Status != "pending" {
				continue
			}
			if err := s.applyDecision(ctx, m, d); err != nil {
				return err
			}
			applied = append(applied, d.CaseID)
		}
		now, uid := s.now(), actor.From(ctx).UserID
		if in.Minutes != "" {
			m.Minutes = in.Minutes
		}
		m.Status, m.ConcludedAt, m.ConcludedBy = MeetingConcluded, &now, &uid
		if ok, err := s.st.concludeMeeting(ctx, m); err != nil {
			return err
		} else if !ok {
			return errMeetingStale(m.ID)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "meeting.conclude", ObjectType: "case_meeting",
			ObjectID: strconv.FormatInt(m.ID, 10), Detail: map[string]any{"assigned": applied}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, id)
}

// applyDecision assigns one case as a meeting decided: the case must await
// assignment at the convener's platform (reported there, or returned to it).
func (s *Service) applyDecision(ctx context.Context, m meetingRow, d MeetingDecision) error {
	_, err := s.mutate(ctx, d.CaseID, 0, ActMeetingAssign, func(t *txn) error {
		notReady := apperr.Newf(apperr.Conflict, "case %s is %s at %s, not awaiting assignment at %s",
			t.c.Number, t.c.Status, t.c.CurrentUnitCode, m.ConvenerUnitCode).WithReason(ReasonInvalidTransition)
		if t.c.Status != StatusReported || t.c.CurrentUnitCode != m.ConvenerUnitCode {
			return notReady
		}
		asgs, err := t.assignments()
		if err != nil {
			return err
		}
		parent, platform, err := t.dispatchOrigin(AssignInput{}, asgs)
		if err != nil {
			return err
		}
		if platform != m.ConvenerUnitCode {
			return notReady
		}
		if err := t.asPlatform(platform); err != nil {
			return err
		}
		units, err := t.checkTargets(platform, AssignInput{LeadUnitCode: d.LeadUnitCode, CoUnitCodes: d.CoUnitCodes})
		if err != nil {
			return err
		}
		t.note = d.Note
		if t.note == "" {
			t.note = m.Title
		}
		t.att = []int64{}
		t.detail["meeting"], t.detail["decision"] = m.ID, d.ID
		if err := t.dispatch(parent, platform, units, t.note); err != nil {
			return err
		}
		return s.st.applyDecision(t.ctx, d.ID, t.now)
	})
	return err
}
