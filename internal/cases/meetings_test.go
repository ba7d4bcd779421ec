package cases_test

import (
	"strings"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// atDistrict files a case and escalates it to the 金水区 platform.
func (f *fixture) atDistrict(t *testing.T) cases.Case {
	t.Helper()
	c := f.newCase(t)
	c = must(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "上报"}))
	return must(f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "上报"}))
}

// count runs a count query.
func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func meetingInput(ids ...int64) cases.MeetingInput {
	return cases.MeetingInput{Kind: cases.MeetingJoint, Title: "占道问题联席会议", HeldAt: at(2026, 3, 2, 10, 0),
		Place: "金水区政府三楼会议室", ConvenerUnitCode: "410105", UnitCodes: []string{"410105-cgj", "410105-szj"},
		CaseIDs: ids, Minutes: "各部门推诿，会议明确分工"}
}

func TestMeetingConcludeAssignsCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c1, c2 := f.atDistrict(t), f.atDistrict(t)
		in := meetingInput(c1.ID, c2.ID)
		in.Decisions = []cases.DecisionInput{{CaseID: c1.ID, LeadUnitCode: "410105-cgj",
			CoUnitCodes: []string{"410105-szj"}, Note: "城管牵头，市政配合"}}
		_, err := f.svc.CreateMeeting(as("410102", platform...), in)
		wantCode(t, err, apperr.NotFound) // another district cannot convene here
		m := must(f.svc.CreateMeeting(district(), in))
		if m.Status != cases.MeetingOpen || len(m.CaseIDs) != 2 || len(m.Decisions) != 1 || len(m.UnitCodes) != 3 {
			t.Fatalf("meeting %+v", m)
		}
		m = must(f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c2.ID, LeadUnitCode: "410105-szj"}))
		szj := as("410105-szj", handler...)
		_, err = f.svc.CaseByID(szj, c2.ID)
		wantCode(t, err, apperr.NotFound) // not a handler yet
		if _, err := f.svc.MeetingByID(szj, m.ID); err != nil {
			t.Fatalf("participant reads meeting: %v", err)
		}
		_, err = f.svc.MeetingByID(as("410102", platform...), m.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.ConcludeMeeting(szj, m.ID, cases.ConcludeInput{})
		wantCode(t, err, apperr.Forbidden)

		m = must(f.svc.ConcludeMeeting(district(), m.ID, cases.ConcludeInput{Minutes: "会议纪要：分工明确"}))
		if m.Status != cases.MeetingConcluded || m.ConcludedAt == nil || m.Minutes != "会议纪要：分工明确" {
			t.Fatalf("concluded %+v", m)
		}
		for _, dc := range m.Decisions {
			if dc.Status != "applied" || dc.AppliedAt == nil {
				t.Fatalf("decision %+v not applied", dc)
			}
		}
		got1 := must(f.svc.CaseByID(szj, c1.ID)) // co-handler sees it now
		if got1.Status != cases.StatusAssigned || got1.CurrentUnitCode != "410105-cgj" || len(got1.Assignments) != 2 {
			t.Fatalf("case 1: %s at %s with %d assignments", got1.Status, got1.CurrentUnitCode, len(got1.Assignments))
		}
		if len(got1.Meetings) != 1 || got1.Meetings[0].ID != m.ID {
			t.Fatalf("case meetings %+v", got1.Meetings)
		}
		got2 := must(f.svc.CaseByID(szj, c2.ID))
		if got2.CurrentUnitCode != "410105-szj" {
			t.Fatalf("case 2 at %s", got2.CurrentUnitCode)
		}
		steps := must(f.svc.Steps(f.sys, c2.ID))
		if last := steps[len(steps)-1]; last.Action != cases.ActMeetingAssign || last.UnitCode != "410105" {
			t.Fatalf("last step %+v", last)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'case.meeting_assign'`); n != 2 {
			t.Fatalf("got %d meeting_assign audit entries, want 2", n)
		}
		must(f.svc.Sign(szj, c2.ID, cases.HandlerInput{})) // the new handler works it
		_, err = f.svc.ConcludeMeeting(district(), m.ID, cases.ConcludeInput{})
		wantReason(t, err, cases.ReasonInvalidTransition)
		list, total := must2(f.svc.Meetings(szj, cases.MeetingFilter{CaseID: c1.ID}))
		if total != 1 || len(list) != 1 {
			t.Fatalf("listed %d of %d", len(list), total)
		}
		list, total = must2(f.svc.Meetings(as("410102", platform...), cases.MeetingFilter{}))
		if total != 0 || len(list) != 0 {
			t.Fatalf("outsider lists %d", total)
		}
	})
}

func TestMeetingBadDecisionRollsBack(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c1 := f.atDistrict(t)
		c2 := f.newCase(t) // still at the community platform
		m := must(f.svc.CreateMeeting(district(), meetingInput(c1.ID, c2.ID)))
		_, err := f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: 999999, LeadUnitCode: "410105-cgj"})
		wantField(t, err, "case_id")
		_, err = f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c1.ID, LeadUnitCode: "410100-cgj"})
		wantField(t, err, "lead_unit_code") // the city's department is not below the district
		must(f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c1.ID, LeadUnitCode: "410105-cgj"}))
		must(f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c2.ID, LeadUnitCode: "410105-szj"}))
		_, err = f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c2.ID, LeadUnitCode: "410105-cgj"})
		wantField(t, err, "case_id") // one decision per case
		_, err = f.svc.ConcludeMeeting(district(), m.ID, cases.ConcludeInput{})
		wantReason(t, err, cases.ReasonInvalidTransition)
		if !strings.Contains(err.Error(), c2.Number) {
			t.Fatalf("error %q does not name case %s", err, c2.Number)
		}
		back := must(f.svc.CaseByID(district(), c1.ID))
		if back.Status != cases.StatusReported || back.CurrentUnitCode != "410105" || len(back.Assignments) != 0 {
			t.Fatalf("case 1 changed: %s at %s", back.Status, back.CurrentUnitCode)
		}
		if n := count(t, d, `SELECT count(*) FROM case_steps WHERE action = 'meeting_assign'`); n != 0 {
			t.Fatalf("got %d meeting steps after rollback", n)
		}
		m = must(f.svc.MeetingByID(district(), m.ID))
		if m.Status != cases.MeetingOpen || m.Decisions[0].Status != "pending" {
			t.Fatalf("meeting changed: %+v", m)
		}
		_, err = f.svc.CreateMeeting(district(), cases.MeetingInput{Kind: "party", HeldAt: time.Time{}})
		wantField(t, err, "kind")
	})
}

// TestReturnedMin: a case pushed back twice is found for a meeting.
func TestReturnedMin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.atDistrict(t)
		for _, u := range []string{"410105-cgj", "410105-szj"} {
			must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: u}))
			c = must(f.svc.Return(as(u, handler...), c.ID, cases.HandlerInput{
				Transition: cases.Transition{Note: "不属于本部门职责"}}))
		}
		if c.ReturnCount != 2 {
			t.Fatalf("return count %d, want 2", c.ReturnCount)
		}
		other := f.newCase(t)
		list, total := must2(f.svc.Cases(district(), cases.Filter{ReturnedMin: 2}))
		if total != 1 || list[0].ID != c.ID || list[0].ID == other.ID {
			t.Fatalf("returned_min=2 found %d", total)
		}
		_, _, err := f.svc.Cases(district(), cases.Filter{ReturnedMin: -1})
		wantField(t, err, "returned_min")
	})
}

// must2 is must for two results.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return a, b
}
