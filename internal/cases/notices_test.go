package cases_test

import (
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestNotices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		me := as("410105001001", platform...)    // one user of the community platform
		other := as("410105001001", platform...) // a colleague at the same unit
		dist := as("410105", platform...)
		c1 := f.newCase(t)
		c2 := f.newCase(t)
		l := must(f.svc.Notices(me, 0))
		if l.Unread != 2 || len(l.Notices) != 2 || l.Notices[0].CaseID != c2.ID || l.Notices[0].Kind != cases.OutboxArrived {
			t.Fatalf("notices %+v", l)
		}
		// The district platform is not told about its communities' cases.
		if l := must(f.svc.Notices(dist, 0)); l.Unread != 0 || len(l.Notices) != 0 {
			t.Fatalf("district notices %+v", l)
		}
		// Reading the newest puts it after the unread one; reading twice is fine.
		for range 2 {
			if err := f.svc.MarkNoticeRead(me, l.Notices[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		l = must(f.svc.Notices(me, 0))
		if l.Unread != 1 || l.Notices[0].CaseID != c1.ID || l.Notices[0].ReadAt != nil ||
			l.Notices[1].CaseID != c2.ID || l.Notices[1].ReadAt == nil {
			t.Fatalf("after read %+v", l)
		}
		// Reads are per user: the colleague still has both unread.
		if l := must(f.svc.Notices(other, 0)); l.Unread != 2 {
			t.Fatalf("colleague unread %d, want 2", l.Unread)
		}
		// Another unit's notice is not found; so is an unknown id.
		wantCode(t, f.svc.MarkNoticeRead(dist, l.Notices[0].ID), apperr.NotFound)
		wantCode(t, f.svc.MarkNoticeRead(me, 99999), apperr.NotFound)
		// Escalation tells the street, whose user sees it.
		must(f.svc.Escalate(me, c1.ID, cases.Transition{Note: "上报"}))
		if l := must(f.svc.Notices(as("410105001", platform...), 0)); l.Unread != 1 || l.Notices[0].CaseID != c1.ID {
			t.Fatalf("street notices %+v", l)
		}
		wantCode(t, f.svc.MarkNoticeRead(t.Context(), 1), apperr.Unauthenticated)
		// The paging rule: above the maximum is clamped, negative is invalid.
		if _, err := f.svc.Notices(me, 1000); err != nil {
			t.Errorf("limit 1000: got %v, want it clamped", err)
		}
		_, err := f.svc.Notices(me, -1)
		wantCode(t, err, apperr.Invalid)
	})
}
