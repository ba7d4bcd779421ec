package cases_test

import (
	"slices"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func ptr[T any](v T) *T { return &v }

func TestMeetingUpdate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c1, c2, c3 := f.atDistrict(t), f.atDistrict(t), f.atDistrict(t)
		in := meetingInput(c1.ID, c2.ID)
		in.Decisions = []cases.DecisionInput{{CaseID: c1.ID, LeadUnitCode: "410105-cgj"},
			{CaseID: c2.ID, LeadUnitCode: "410105-szj"}}
		m := must(f.svc.CreateMeeting(district(), in))
		if m.Version != 1 {
			t.Fatalf("new meeting at version %d", m.Version)
		}
		title := cases.MeetingUpdate{Title: ptr("改期后的联席会议")}
		_, err := f.svc.UpdateMeeting(as("410102", platform...), m.ID, title)
		wantCode(t, err, apperr.NotFound) // out of scope
		_, err = f.svc.UpdateMeeting(as("410105-szj", handler...), m.ID, title)
		wantCode(t, err, apperr.Forbidden) // a participant, not the platform

		for field, bad := range map[string]cases.MeetingUpdate{
			"title":      {Title: ptr("  ")},
			"held_at":    {HeldAt: ptr(time.Time{})},
			"case_ids":   {CaseIDs: ptr([]int64{})},
			"unit_codes": {UnitCodes: ptr([]string{"999999"})},
			"staff_ids":  {StaffIDs: ptr([]int64{987654})},
			"minutes":    {Minutes: ptr(string(make([]rune, 20001)))},
		} {
			_, err := f.svc.UpdateMeeting(district(), m.ID, bad)
			wantField(t, err, field)
		}
		_, err = f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{CaseIDs: ptr([]int64{c1.ID, 999999})})
		wantField(t, err, "case_ids")
		_, err = f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{Title: ptr("x"), Version: m.Version + 1})
		wantReason(t, err, cases.ReasonStale)

		held := at(2026, 3, 3, 15, 0)
		got := must(f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{Title: ptr(" 改期后的联席会议 "),
			HeldAt: &held, Place: ptr("区城管局会议室"), UnitCodes: ptr([]string{"410105-cgj"}),
			CaseIDs: ptr([]int64{c1.ID, c3.ID}), Version: m.Version}))
		if got.Title != "改期后的联席会议" || !got.HeldAt.Equal(held) || got.Place != "区城管局会议室" ||
			got.Version != 2 || got.Minutes != m.Minutes {
			t.Fatalf("updated %+v", got)
		}
		if !slices.Equal(got.CaseIDs, []int64{c1.ID, c3.ID}) || !slices.Equal(got.UnitCodes, []string{"410105", "410105-cgj"}) {
			t.Fatalf("links: cases %v units %v", got.CaseIDs, got.UnitCodes)
		}
		if len(got.Decisions) != 1 || got.Decisions[0].CaseID != c1.ID {
			t.Fatalf("the unlinked case's decision stays: %+v", got.Decisions)
		}
		_, err = f.svc.MeetingByID(as("410105-szj", handler...), m.ID)
		wantCode(t, err, apperr.NotFound) // no longer a participant
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'meeting.update'`); n != 1 {
			t.Fatalf("got %d meeting.update entries, want 1", n)
		}
		same := must(f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{Title: ptr(got.Title),
			CaseIDs: ptr([]int64{c3.ID, c1.ID})}))
		if same.Version != 2 || count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'meeting.update'`) != 1 {
			t.Fatalf("an update changing nothing wrote: version %d", same.Version)
		}
		_, err = f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{Title: ptr("x"), Version: 1})
		wantReason(t, err, cases.ReasonStale)

		_, err = f.svc.RemoveDecision(district(), m.ID, 999999)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.RemoveDecision(as("410105-cgj", handler...), m.ID, got.Decisions[0].ID)
		wantCode(t, err, apperr.Forbidden)
		got = must(f.svc.RemoveDecision(district(), m.ID, got.Decisions[0].ID))
		if len(got.Decisions) != 0 || got.Version != 3 {
			t.Fatalf("after removal: %d decisions, version %d", len(got.Decisions), got.Version)
		}
		got = must(f.svc.AddDecision(district(), m.ID, cases.DecisionInput{CaseID: c3.ID, LeadUnitCode: "410105-cgj"}))
		if got.Version != 4 {
			t.Fatalf("adding a decision left version %d", got.Version)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'meeting.decision_remove'`); n != 1 {
			t.Fatalf("got %d decision_remove entries", n)
		}
		got = must(f.svc.ConcludeMeeting(district(), m.ID, cases.ConcludeInput{}))
		if got.Version != 5 || got.Status != cases.MeetingConcluded {
			t.Fatalf("concluded %+v", got)
		}
		if c := must(f.svc.CaseByID(district(), c2.ID)); c.Status != cases.StatusReported || len(c.Assignments) != 0 {
			t.Fatalf("unlinked case 2 was assigned: %s", c.Status)
		}
		if c := must(f.svc.CaseByID(district(), c3.ID)); c.Status != cases.StatusAssigned {
			t.Fatalf("linked case 3 is %s", c.Status)
		}
		refusedAfter(t, f, m.ID, got.Decisions[0].ID)
	})
}

// refusedAfter checks a closed meeting refuses every change.
func refusedAfter(t *testing.T, f *fixture, id, decision int64) {
	t.Helper()
	_, err := f.svc.UpdateMeeting(district(), id, cases.MeetingUpdate{Title: ptr("x")})
	wantReason(t, err, cases.ReasonInvalidTransition)
	_, err = f.svc.CancelMeeting(district(), id, "取消")
	wantReason(t, err, cases.ReasonInvalidTransition)
	_, err = f.svc.RemoveDecision(district(), id, decision)
	wantReason(t, err, cases.ReasonInvalidTransition)
	_, err = f.svc.AddDecision(district(), id, cases.DecisionInput{CaseID: 1, LeadUnitCode: "410105-cgj"})
	wantReason(t, err, cases.ReasonInvalidTransition)
	_, err = f.svc.ConcludeMeeting(district(), id, cases.ConcludeInput{})
	wantReason(t, err, cases.ReasonInvalidTransition)
}

func TestMeetingCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c1 := f.atDistrict(t)
		in := meetingInput(c1.ID)
		in.Decisions = []cases.DecisionInput{{CaseID: c1.ID, LeadUnitCode: "410105-cgj"}}
		m := must(f.svc.CreateMeeting(district(), in))
		_, err := f.svc.CancelMeeting(district(), m.ID, "  ")
		wantField(t, err, "reason")
		_, err = f.svc.CancelMeeting(as("410102", platform...), m.ID, "不开了")
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.CancelMeeting(as("410105-szj", handler...), m.ID, "不开了")
		wantCode(t, err, apperr.Forbidden)

		got := must(f.svc.CancelMeeting(district(), m.ID, " 相关部门已自行协商解决 "))
		if got.Status != cases.MeetingCancelled || got.CancelReason != "相关部门已自行协商解决" ||
			got.CancelledAt == nil || got.CancelledBy == nil || got.Version != 2 {
			t.Fatalf("cancelled %+v", got)
		}
		if len(got.Decisions) != 1 || got.Decisions[0].Status != "pending" {
			t.Fatalf("decisions %+v", got.Decisions)
		}
		c := must(f.svc.CaseByID(district(), c1.ID))
		if c.Status != cases.StatusReported || len(c.Assignments) != 0 {
			t.Fatalf("case changed by a cancelled meeting: %s", c.Status)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'meeting.cancel'`); n != 1 {
			t.Fatalf("got %d meeting.cancel entries", n)
		}
		refusedAfter(t, f, m.ID, got.Decisions[0].ID)
		list, total := must2(f.svc.Meetings(district(), cases.MeetingFilter{Status: cases.MeetingCancelled}))
		if total != 1 || list[0].CancelReason == "" {
			t.Fatalf("listed %d cancelled: %+v", total, list)
		}
		if _, total := must2(f.svc.Meetings(district(), cases.MeetingFilter{Status: cases.MeetingOpen})); total != 0 {
			t.Fatalf("listed %d open", total)
		}
		// The linked case can go to another meeting and be assigned there.
		m2 := must(f.svc.CreateMeeting(district(), in))
		must(f.svc.ConcludeMeeting(district(), m2.ID, cases.ConcludeInput{}))
		if c := must(f.svc.CaseByID(district(), c1.ID)); c.Status != cases.StatusAssigned {
			t.Fatalf("case is %s after the second meeting", c.Status)
		}
	})
}

// TestMeetingUpdateRace: two edits from the same version both relinking
// units and cases; one wins, the other is a stale conflict, never a
// constraint error.
func TestMeetingUpdateRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c1, c2 := f.atDistrict(t), f.atDistrict(t)
		m := must(f.svc.CreateMeeting(district(), meetingInput(c1.ID)))
		errs := make(chan error, 2)
		for _, units := range [][]string{{"410105-cgj"}, {"410105-szj"}} {
			go func() {
				_, err := f.svc.UpdateMeeting(district(), m.ID, cases.MeetingUpdate{UnitCodes: &units,
					CaseIDs: ptr([]int64{c1.ID, c2.ID}), Version: m.Version})
				errs <- err
			}()
		}
		var failed []error
		for range 2 {
			if err := <-errs; err != nil {
				failed = append(failed, err)
			}
		}
		if len(failed) != 1 {
			t.Fatalf("got %d failures (%v), want 1", len(failed), failed)
		}
		wantReason(t, failed[0], cases.ReasonStale)
		got := must(f.svc.MeetingByID(district(), m.ID))
		if got.Version != 2 || len(got.UnitCodes) != 2 || len(got.CaseIDs) != 2 {
			t.Fatalf("after the race: %+v", got)
		}
	})
}
