package cases_test

import (
	"context"
	"strconv"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestDispatchDownAndVerify: the district assigns to a street platform,
// which dispatches its assignment on to a community; the community's
// feedback is verified by the street, and a co-handler works alongside.
func TestDispatchDownAndVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.newCase(t)
		street := as("410105001", dispatcher...)
		c = must(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Escalate(street, c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105001",
			CoUnitCodes: []string{"410105-szj"}}))
		_, err := f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410102001"})
		wantReason(t, err, cases.ReasonInvalidTransition)
		c = must(f.svc.Sign(street, c.ID, cases.HandlerInput{}))
		full := must(f.svc.CaseByID(street, c.ID))
		var streetAsg int64
		for _, a := range full.Assignments {
			if a.UnitCode == "410105001" {
				streetAsg = a.ID
			}
		}
		_, err = f.svc.Assign(street, c.ID, cases.AssignInput{FromAssignmentID: streetAsg, LeadUnitCode: "410105-cgj"})
		wantField(t, err, "lead_unit_code") // the district's department is not below the street
		c = must(f.svc.Assign(street, c.ID, cases.AssignInput{FromAssignmentID: streetAsg, LeadUnitCode: "410105001002"}))
		if c.Status != cases.StatusAssigned || c.CurrentUnitCode != "410105001002" {
			t.Fatalf("dispatched down: %s at %s", c.Status, c.CurrentUnitCode)
		}
		hh := as("410105001002", handler...)
		c = must(f.svc.Sign(hh, c.ID, cases.HandlerInput{}))
		_, err = f.svc.Feedback(hh, c.ID, cases.HandlerInput{Transition: cases.Transition{Note: "已处理"}})
		wantReason(t, err, cases.ReasonInvalidTransition) // the co-handler has not reported yet
		szj := as("410105-szj", handler...)
		must(f.svc.Sign(szj, c.ID, cases.HandlerInput{}))
		must(f.svc.Feedback(szj, c.ID, cases.HandlerInput{Transition: cases.Transition{Note: "市政设施已修复"}}))
		c = must(f.svc.Feedback(hh, c.ID, cases.HandlerInput{Transition: cases.Transition{Note: "已处理"}}))
		if c.Status != cases.StatusFeedback || c.CurrentUnitCode != "410105001" {
			t.Fatalf("feedback: %s at %s, want verification at the street", c.Status, c.CurrentUnitCode)
		}
		_, err = f.svc.Verify(as("410105001002", platform...), c.ID, cases.VerifyInput{Pass: true})
		wantCode(t, err, apperr.Forbidden) // the handler's unit may see but not verify
		c = must(f.svc.Verify(street, c.ID, cases.VerifyInput{Pass: true}))
		if c.Status != cases.StatusClosed || c.ClosedAt == nil {
			t.Fatalf("closed: %+v", c)
		}
		// Every step is audited in the same transaction.
		steps := must(f.svc.Steps(f.sys, c.ID))
		var audited int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE object_type = 'case'
			AND object_id = ?`, strconv.FormatInt(c.ID, 10)).Scan(&audited); err != nil {
			t.Fatal(err)
		}
		if audited != len(steps) {
			t.Fatalf("%d audit entries for %d steps", audited, len(steps))
		}
	})
}

func TestMergeDuplicate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a, b := f.newCase(t), f.newCase(t)
		_, err := f.svc.Merge(comm(), b.ID, cases.MergeInput{IntoID: b.ID})
		wantField(t, err, "into_id")
		m := must(f.svc.Merge(comm(), b.ID, cases.MergeInput{IntoID: a.ID}))
		if m.Status != cases.StatusMerged || m.MergedInto == nil || *m.MergedInto != a.ID {
			t.Fatalf("merged: %+v", m)
		}
		steps := must(f.svc.Steps(f.sys, a.ID))
		if last := steps[len(steps)-1]; last.Action != cases.ActMerge {
			t.Fatalf("target's last step %s, want merge", last.Action)
		}
		_, err = f.svc.Merge(comm(), a.ID, cases.MergeInput{IntoID: b.ID})
		wantField(t, err, "into_id") // b is no longer open
	})
}

// TestReturnUpTheChain: a community returns what its street dispatched;
// the street, unable to place it, passes it back up to the district, which
// assigns it afresh.
func TestReturnUpTheChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		street := as("410105001", dispatcher...)
		c := f.newCase(t)
		c = must(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Escalate(street, c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105001"}))
		c = must(f.svc.Sign(street, c.ID, cases.HandlerInput{}))
		asgs := must(f.svc.CaseByID(street, c.ID)).Assignments
		c = must(f.svc.Assign(street, c.ID, cases.AssignInput{FromAssignmentID: asgs[0].ID, LeadUnitCode: "410105001002"}))
		c = must(f.svc.Return(as("410105001002", handler...), c.ID,
			cases.HandlerInput{Transition: cases.Transition{Note: "不在本社区"}}))
		if c.Status != cases.StatusReported || c.CurrentUnitCode != "410105001" {
			t.Fatalf("returned: %s at %s, want reported at the street", c.Status, c.CurrentUnitCode)
		}
		c = must(f.svc.Escalate(street, c.ID, cases.Transition{Note: "街道无法处置"}))
		c = must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
		got := map[string]cases.AssignmentStatus{}
		for _, a := range must(f.svc.CaseByID(f.sys, c.ID)).Assignments {
			got[a.UnitCode] = a.Status
		}
		want := map[string]cases.AssignmentStatus{"410105001": cases.AsgReturned,
			"410105001002": cases.AsgReturned, "410105-cgj": cases.AsgAssigned}
		for u, st := range want {
			if got[u] != st {
				t.Errorf("assignment of %s: got %s, want %s", u, got[u], st)
			}
		}
		if c.Status != cases.StatusAssigned || c.CurrentUnitCode != "410105-cgj" {
			t.Fatalf("reassigned: %s at %s", c.Status, c.CurrentUnitCode)
		}
	})
}

// TestCommunityHandlesItself: a community platform keeps a case within its
// competence (自行处置), its own staff sign and feed back, the platform
// verifies; co-handlers must still be below it, and a unit outside it is
// refused.
func TestCommunityHandlesItself(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.newCase(t)
		community := as("410105001001", dispatcher...)
		_, err := f.svc.Assign(community, c.ID, cases.AssignInput{LeadUnitCode: "410105001001",
			CoUnitCodes: []string{"410105001002"}})
		wantField(t, err, "co_unit_codes") // a sibling community is not below it
		_, err = f.svc.Assign(community, c.ID, cases.AssignInput{LeadUnitCode: "410105001"})
		wantField(t, err, "lead_unit_code") // nor is its street
		c = must(f.svc.Assign(community, c.ID, cases.AssignInput{Transition: cases.Transition{Note: "社区自行处置"},
			LeadUnitCode: "410105001001"}))
		if c.Status != cases.StatusAssigned || c.CurrentUnitCode != "410105001001" {
			t.Fatalf("self-assigned: %s at %s", c.Status, c.CurrentUnitCode)
		}
		staff := as("410105001001", handler...)
		c = must(f.svc.Sign(staff, c.ID, cases.HandlerInput{}))
		c = must(f.svc.Feedback(staff, c.ID, cases.HandlerInput{Transition: cases.Transition{Note: "已清运"}}))
		if c.Status != cases.StatusFeedback || c.CurrentUnitCode != "410105001001" {
			t.Fatalf("feedback: %s at %s, want verification at the community", c.Status, c.CurrentUnitCode)
		}
		c = must(f.svc.Verify(community, c.ID, cases.VerifyInput{Pass: true}))
		if c.Status != cases.StatusClosed {
			t.Fatalf("closed: %s", c.Status)
		}
	})
}
