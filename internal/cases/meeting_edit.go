package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// UpdateMeeting changes an open meeting at the convening platform
// (case.dispatch over the convener): title, time, place, minutes,
// participating units and staff, and linked cases, validated as on
// creation. A case no longer linked loses its pending decision (listed in
// the audit entry). With in.Version set, a meeting changed meanwhile is a
// stale conflict. Nothing changed writes nothing.
func (s *Service) UpdateMeeting(ctx context.Context, id int64, in MeetingUpdate) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.openMeeting(ctx, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != m.Version {
			return errMeetingStale(id)
		}
		merged, err := checkMeeting(mergeMeeting(m.Meeting, in))
		if err != nil {
			return err
		}
		return s.applyMeetingUpdate(ctx, m, merged)
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, id)
}

// mergeMeeting is the meeting input of m with the fields in sets.
func mergeMeeting(m Meeting, in MeetingUpdate) MeetingInput {
	out := MeetingInput{Kind: m.Kind, Title: m.Title, HeldAt: m.HeldAt, Place: m.Place,
		ConvenerUnitCode: m.ConvenerUnitCode, UnitCodes: m.UnitCodes, StaffIDs: m.StaffIDs, CaseIDs: m.CaseIDs,
		Minutes: m.Minutes}
	if in.Title != nil {
		out.Title = *in.Title
	}
	if in.HeldAt != nil {
		out.HeldAt = *in.HeldAt
	}
	if in.Place != nil {
		out.Place = *in.Place
	}
	if in.Minutes != nil {
		out.Minutes = strings.TrimSpace(*in.Minutes)
	}
	if in.UnitCodes != nil {
		out.UnitCodes = *in.UnitCodes
	}
	if in.StaffIDs != nil {
		out.StaffIDs = *in.StaffIDs
	}
	if in.CaseIDs != nil {
		out.CaseIDs = *in.CaseIDs
	}
	return out
}

// applyMeetingUpdate writes what differs between the open meeting m and
// the checked input in, and audits it. The version-checked row update
// comes first, so a concurrent edit waits on the row (PostgreSQL) and then
// fails as stale before touching the links.
func (s *Service) applyMeetingUpdate(ctx context.Context, m meetingRow, in MeetingInput) error {
	next := m
	next.Title, next.Place, next.Minutes = in.Title, in.Place, in.Minutes
	next.HeldAt = in.HeldAt.UTC().Truncate(time.Microsecond)
	next.StaffIDs = cleanIDs(in.StaffIDs)
	units := participants(m.ConvenerUnitCode, in.UnitCodes)
	ids := cleanIDs(in.CaseIDs)
	added := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return slices.Contains(m.CaseIDs, id) })
	removed := slices.DeleteFunc(slices.Clone(m.CaseIDs), func(id int64) bool { return slices.Contains(ids, id) })
	var changed []string
	for _, c := range []struct {
		field string
		diff  bool
	}{{"title", next.Title != m.Title}, {"held_at", !next.HeldAt.Equal(m.HeldAt)}, {"place", next.Place != m.Place},
		{"minutes", next.Minutes != m.Minutes}, {"staff_ids", !slices.Equal(next.StaffIDs, m.StaffIDs)},
		{"unit_codes", !slices.Equal(units, m.UnitCodes)}, {"case_ids", len(added)+len(removed) > 0}} {
		if c.diff {
			changed = append(changed, c.field)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if ok, err := s.st.updateMeeting(ctx, next); err != nil {
		return err
	} else if !ok {
		return errMeetingStale(m.ID)
	}
	if slices.Contains(changed, "staff_ids") {
		if err := s.checkStaff(ctx, next.StaffIDs); err != nil {
			return err
		}
	}
	if slices.Contains(changed, "unit_codes") {
		if err := s.st.deleteMeetingUnits(ctx, m.ID); err != nil {
			return err
		}
		if err := s.meetingUnits(ctx, m.ID, m.ConvenerUnitCode, in.UnitCodes); err != nil {
			return err
		}
	}
	dropped, err := s.relinkCases(ctx, m, added, removed)
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Entry{Action: "meeting.update", ObjectType: "case_meeting",
		ObjectID: strconv.FormatInt(m.ID, 10), Detail: map[string]any{"changed": changed, "title": next.Title,
			"cases_added": added, "cases_removed": removed, "decisions_dropped": dropped}})
}

// participants are the sorted participant units of a meeting: the
// convener and the given codes, once each.
func participants(convener string, codes []string) []string {
	out := []string{convener}
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// relinkCases links the added cases (each visible to the actor) and
// unlinks the removed ones with their pending decisions, whose ids it
// returns.
func (s *Service) relinkCases(ctx context.Context, m meetingRow, added, removed []int64) ([]int64, error) {
	for _, cid := range added {
		if err := s.linkMeetingCase(ctx, m.ID, cid); err != nil {
			return nil, err
		}
	}
	dropped := []int64{}
	for _, cid := range removed {
		for _, d := range m.Decisions {
			if d.CaseID == cid && d.Status == "pending" {
				dropped = append(dropped, d.ID)
			}
		}
		if err := s.st.unlinkMeetingCase(ctx, m.ID, cid); err != nil {
			return nil, err
		}
	}
	return dropped, nil
}

// RemoveDecision removes a pending decision of an open meeting at the
// convening platform; a decision not of this meeting is not_found.
func (s *Service) RemoveDecision(ctx context.Context, meetingID, decisionID int64) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.openMeeting(ctx, meetingID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(m.Decisions, func(d MeetingDecision) bool { return d.ID == decisionID })
		if i < 0 {
			return apperr.NotFoundf("decision %d of meeting %d not found", decisionID, meetingID)
		}
		d := m.Decisions[i]
		if d.Status != "pending" {
			return apperr.Newf(apperr.Conflict, "decision %d is %s already", d.ID, d.Status).
				WithReason(ReasonInvalidTransition)
		}
		if err := s.touch(ctx, m); err != nil {
			return err
		}
		if err := s.st.deleteDecision(ctx, m.ID, d.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "meeting.decision_remove", ObjectType: "case_meeting",
			ObjectID: strconv.FormatInt(m.ID, 10), Detail: map[string]any{"decision": d.ID, "case": d.CaseID,
				"lead": d.LeadUnitCode, "co": d.CoUnitCodes}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, meetingID)
}

// CancelMeeting cancels an open meeting at the convening platform with a
// reason: its pending decisions are never applied, and a cancelled meeting
// refuses every further change.
func (s *Service) CancelMeeting(ctx context.Context, id int64, reason string) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 2000 {
		return Meeting{}, apperr.Field("reason", apperr.RequiredMaxChars, "n", 2000)
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.openMeeting(ctx, id)
		if err != nil {
			return err
		}
		now, uid := s.now(), actor.From(ctx).UserID
		m.Status, m.CancelReason, m.CancelledAt, m.CancelledBy = MeetingCancelled, reason, &now, &uid
		if ok, err := s.st.cancelMeeting(ctx, m); err != nil {
			return err
		} else if !ok {
			return errMeetingStale(m.ID)
		}
		pending := []int64{}
		for _, d := range m.Decisions {
			if d.Status == "pending" {
				pending = append(pending, d.ID)
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "meeting.cancel", ObjectType: "case_meeting",
			ObjectID: strconv.FormatInt(m.ID, 10), Detail: map[string]any{"reason": reason,
				"pending_decisions": pending}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, id)
}
