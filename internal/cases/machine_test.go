package cases_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// roles of the fixture: the community platform, the district platform and
// the district 城管局 as handler.
func comm() context.Context     { return as("410105001001", platform...) }
func district() context.Context { return as("410105", platform...) }
func cgj() context.Context      { return as("410105-cgj", handler...) }

// toStatus brings a fresh case to st along the main path.
func (f *fixture) toStatus(t *testing.T, st cases.Status) cases.Case {
	t.Helper()
	c := f.newCase(t)
	step := func(c cases.Case, err error) cases.Case { return must(c, err) }
	if st == cases.StatusReported {
		return c
	}
	if st == cases.StatusRejected {
		return step(f.svc.Reject(comm(), c.ID, cases.Transition{Note: "不予立案"}))
	}
	if st == cases.StatusSuspended {
		return step(f.svc.Suspend(comm(), c.ID, cases.Transition{Note: "挂账"}))
	}
	c = step(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "上报"}))
	c = step(f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "上报"}))
	c = step(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
	if st == cases.StatusAssigned {
		return c
	}
	c = step(f.svc.Sign(cgj(), c.ID, cases.HandlerInput{}))
	if st == cases.StatusHandling {
		return c
	}
	c = step(f.svc.Feedback(cgj(), c.ID, cases.HandlerInput{Transition: cases.Transition{Note: "已处理"}}))
	if st == cases.StatusFeedback {
		return c
	}
	return step(f.svc.Verify(district(), c.ID, cases.VerifyInput{Pass: true}))
}

// TestStateMachine tries every action from each status: the ones the loop
// does not allow there are conflicts with reason invalid_transition.
func TestStateMachine(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		type act func(id int64) error
		wrap := func(_ cases.Case, err error) error { return err }
		// A city-wide actor holding every case permission, so that only the
		// status decides.
		boss := func() context.Context { return as("410100", allCase...) }
		actions := map[cases.Action]act{
			cases.ActReport:   func(id int64) error { return wrap(f.svc.Report(boss(), id, cases.Transition{})) },
			cases.ActEscalate: func(id int64) error { return wrap(f.svc.Escalate(boss(), id, cases.Transition{Note: "n"})) },
			cases.ActReject:   func(id int64) error { return wrap(f.svc.Reject(boss(), id, cases.Transition{Note: "n"})) },
			cases.ActAssign: func(id int64) error {
				return wrap(f.svc.Assign(boss(), id, cases.AssignInput{LeadUnitCode: "410105-szj"}))
			},
			cases.ActSign: func(id int64) error { return wrap(f.svc.Sign(boss(), id, cases.HandlerInput{})) },
			cases.ActFeedback: func(id int64) error {
				return wrap(f.svc.Feedback(boss(), id, cases.HandlerInput{Transition: cases.Transition{Note: "n"}}))
			},
			cases.ActVerify: func(id int64) error { return wrap(f.svc.Verify(boss(), id, cases.VerifyInput{Pass: true})) },
			cases.ActResume: func(id int64) error { return wrap(f.svc.Resume(boss(), id, cases.Transition{})) },
		}
		forbidden := map[cases.Status][]cases.Action{
			cases.StatusReported:  {cases.ActReport, cases.ActSign, cases.ActFeedback, cases.ActVerify, cases.ActResume},
			cases.StatusAssigned:  {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActFeedback, cases.ActVerify, cases.ActResume},
			cases.StatusHandling:  {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActAssign, cases.ActSign, cases.ActVerify, cases.ActResume},
			cases.StatusFeedback:  {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActAssign, cases.ActSign, cases.ActFeedback, cases.ActResume},
			cases.StatusClosed:    {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActAssign, cases.ActSign, cases.ActFeedback, cases.ActVerify, cases.ActResume},
			cases.StatusRejected:  {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActAssign, cases.ActVerify, cases.ActResume},
			cases.StatusSuspended: {cases.ActReport, cases.ActEscalate, cases.ActReject, cases.ActAssign, cases.ActSign, cases.ActFeedback, cases.ActVerify},
		}
		for st, acts := range forbidden {
			c := f.toStatus(t, st)
			if c.Status != st {
				t.Fatalf("set-up reached %s, want %s", c.Status, st)
			}
			for _, a := range acts {
				err := actions[a](c.ID)
				e := apperr.As(err)
				if err == nil || e.Code != apperr.Conflict || e.Reason != cases.ReasonInvalidTransition {
					t.Errorf("%s from %s: got %v, want conflict invalid_transition", a, st, err)
				}
			}
			after := must(f.svc.CaseByID(f.sys, c.ID))
			if after.Status != st || after.Version != c.Version {
				t.Errorf("%s: refused actions changed the case to %s v%d", st, after.Status, after.Version)
			}
		}
	})
}

func TestConcurrentTransitionOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.toStatus(t, cases.StatusAssigned)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.Sign(cgj(), c.ID, cases.HandlerInput{Transition: cases.Transition{Version: c.Version}})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
				continue
			}
			if e := apperr.As(err); e.Code != apperr.Conflict || (e.Reason != cases.ReasonStale && e.Reason != cases.ReasonInvalidTransition) {
				t.Errorf("loser got %v, want conflict stale or invalid_transition", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d transitions won, want 1", wins)
		}
		steps := must(f.svc.Steps(f.sys, c.ID))
		if n := len(steps); steps[n-1].Action != cases.ActSign || steps[n-2].Action == cases.ActSign {
			t.Fatalf("steps end %s, %s; want exactly one sign", steps[n-2].Action, steps[n-1].Action)
		}
	})
}

// TestScopeMatrix: territory and handler units see a case; others get 404.
func TestScopeMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.toStatus(t, cases.StatusReported)
		c = must(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "n"}))
		c = must(f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "n"}))
		c = must(f.svc.Escalate(district(), c.ID, cases.Transition{Note: "n"}))
		c = must(f.svc.Assign(as("410100", platform...), c.ID, cases.AssignInput{LeadUnitCode: "410100-cgj"}))
		for _, tt := range []struct {
			unit string
			want apperr.Code
		}{
			{"410105001001", ""},              // community of the case
			{"410105001002", apperr.NotFound}, // sibling community
			{"410100-cgj", ""},                // assigned city department
			{"410105-cgj", apperr.NotFound},   // not involved
			{"410102", apperr.NotFound},       // other district
			{"410100", ""},                    // the city
		} {
			ctx := as(tt.unit, cases.PermCaseRead)
			_, err := f.svc.CaseByID(ctx, c.ID)
			if apperr.CodeOf(err) != tt.want {
				t.Errorf("%s: got %v, want %q", tt.unit, err, tt.want)
			}
			list, total := func() ([]cases.Case, int) {
				l, n, err := f.svc.Cases(ctx, cases.Filter{})
				return must(l, err), n
			}()
			if seen := total == 1 && list[0].ID == c.ID; seen != (tt.want == "") {
				t.Errorf("%s: list shows the case %v, want %v", tt.unit, seen, tt.want == "")
			}
		}
	})
}

func TestIdempotentCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := as("410105001001", worker...)
		in := cases.CaseCreate{CategoryCode: "E010101", Description: "x", GridCode: "G410105001001", IdempotencyKey: "k"}
		a, replayed, err := f.svc.CreateCase(ctx, in)
		if err != nil || replayed {
			t.Fatalf("first: %v replayed %v", err, replayed)
		}
		b, replayed, err := f.svc.CreateCase(ctx, in)
		if err != nil || !replayed || b.ID != a.ID {
			t.Fatalf("retry: %v replayed %v id %d want %d", err, replayed, b.ID, a.ID)
		}
		in.Description = "y"
		_, _, err = f.svc.CreateCase(ctx, in)
		wantField(t, err, "Idempotency-Key")
		if e := apperr.As(err); e.Reason != cases.ReasonIdempotency {
			t.Fatalf("reason %q, want %s", e.Reason, cases.ReasonIdempotency)
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM cases`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("cases stored: %d (%v), want 1", n, err)
		}
	})
}

// TestOverdueAndOutbox: the stage turns yellow at 80 % of its time and red
// past it, each notice queued once.
func TestOverdueAndOutbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.newCase(t) // accept limit 1wh from Monday 09:00
		count := func(kind string) int {
			msgs := must(f.svc.Outbox(f.sys, c.ID, 0))
			n := 0
			for _, m := range msgs {
				if m.Kind == kind {
					n++
				}
			}
			return n
		}
		if count(cases.OutboxArrived) != 1 {
			t.Fatalf("arrival notices %d, want 1", count(cases.OutboxArrived))
		}
		check := func(at time.Time, want cases.Overdue) {
			t.Helper()
			must(f.svc.RefreshOverdue(context.Background(), at))
			got := must(f.svc.CaseByID(f.sys, c.ID))
			if got.Overdue != want {
				t.Fatalf("at %v: overdue %s, want %s", at, got.Overdue, want)
			}
		}
		check(at(2026, 3, 2, 9, 30), cases.Green)
		check(at(2026, 3, 2, 9, 50), cases.Yellow)
		check(at(2026, 3, 2, 9, 55), cases.Yellow)
		check(at(2026, 3, 2, 10, 1), cases.Red)
		check(at(2026, 3, 2, 11, 0), cases.Red)
		if y, r := count(cases.OutboxNearLimit), count(cases.OutboxOverdue); y != 1 || r != 2 {
			t.Fatalf("near-limit %d, overdue %d notices; want 1 and 2 (in-app and SMS)", y, r)
		}
		red, _, err := f.svc.Cases(as("410105", cases.PermCaseRead), cases.Filter{Overdue: cases.Red})
		if err != nil || len(red) != 1 {
			t.Fatalf("red list %d, want 1", len(red))
		}
		must(f.svc.Supervise(as("410100", platform...), c.ID, cases.SuperviseInput{SupervisorUnitCode: "410100",
			Deadline: at(2026, 3, 5, 18, 0), Reason: "领导交办"}))
		if count(cases.OutboxSupervised) != 2 {
			t.Fatalf("supervised notices %d, want 2", count(cases.OutboxSupervised))
		}
	})
}
