package cases_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// outboxKinds counts the outbox messages of a case by kind/unit/channel.
func outboxKinds(t *testing.T, f *fixture, caseID int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range must(f.svc.Outbox(f.sys, caseID, 0)) {
		out[m.Kind+"/"+m.RecipientUnit+"/"+m.Channel]++
	}
	return out
}

func TestSupervisionRemindersOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.atDistrict(t)
		c = must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
		start := f.clk.Now()
		must(f.svc.Supervise(district(), c.ID, cases.SuperviseInput{SupervisorUnitCode: "410105",
			Deadline: start.Add(10 * time.Hour), Reason: "媒体曝光，限期办结"}))
		must(f.svc.RefreshOverdue(f.sys, start.Add(time.Hour)))
		if n := outboxKinds(t, f, c.ID)["supervision_due/410105-cgj/inapp"]; n != 0 {
			t.Fatalf("reminded too early: %d", n)
		}
		for i := 0; i < 2; i++ {
			res := must(f.svc.RefreshOverdue(f.sys, start.Add(9*time.Hour)))
			if res.SupervisionDue != 1 {
				t.Fatalf("due %d, want 1", res.SupervisionDue)
			}
		}
		if n := outboxKinds(t, f, c.ID)["supervision_due/410105-cgj/inapp"]; n != 1 {
			t.Fatalf("got %d reminders, want 1", n)
		}
		for i := 0; i < 2; i++ {
			must(f.svc.RefreshOverdue(f.sys, start.Add(11*time.Hour)))
		}
		got := outboxKinds(t, f, c.ID)
		for _, k := range []string{"supervision_overdue/410105-cgj/inapp", "supervision_overdue/410105-cgj/sms",
			"supervision_escalated/410100/inapp", "supervision_escalated/410100/sms"} {
			if got[k] != 1 {
				t.Fatalf("got %d of %s, want 1 (all: %v)", got[k], k, got)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action IN
			('case.supervision_due', 'case.supervision_overdue')`); n != 2 {
			t.Fatalf("got %d reminder audit entries, want 2", n)
		}
		sups, total := must2(f.svc.SupervisionBoardPage(district(), cases.SupervisionFilter{Limit: 1}))
		if total != 1 || len(sups) != 1 || sups[0].CaseID != c.ID {
			t.Fatalf("board %d of %d", len(sups), total)
		}
	})
}

func TestAccountability(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		c := f.atDistrict(t)
		in := cases.AccountabilityInput{UnitCode: "410105-cgj", PersonName: "张三", Kind: "talk", Note: "推诿扯皮，约谈负责人"}
		_, err := f.svc.AddAccountability(district(), c.ID, in)
		wantField(t, err, "supervision_id") // not supervised yet
		must(f.svc.Supervise(district(), c.ID, cases.SuperviseInput{SupervisorUnitCode: "410105",
			Deadline: f.clk.Now().Add(48 * time.Hour), Reason: "群众反映强烈"}))
		_, err = f.svc.AddAccountability(as("410105001", platform...), c.ID, in)
		wantCode(t, err, apperr.Forbidden) // the street sees the case but does not supervise
		bad := in
		bad.Kind = "fine"
		_, err = f.svc.AddAccountability(district(), c.ID, bad)
		wantField(t, err, "kind")
		_, err = f.svc.AddAccountability(as("410102", platform...), c.ID, in)
		wantCode(t, err, apperr.NotFound)
		rec := must(f.svc.AddAccountability(district(), c.ID, in))
		if rec.ID == 0 || rec.Kind != "talk" || rec.UnitCode != "410105-cgj" {
			t.Fatalf("record %+v", rec)
		}
		full := must(f.svc.CaseByID(district(), c.ID))
		if full.Supervision == nil || len(full.Supervision.Accountability) != 1 {
			t.Fatalf("supervision %+v", full.Supervision)
		}
		if n := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'case.accountability'`); n != 1 {
			t.Fatalf("got %d audit entries, want 1", n)
		}
	})
}

func TestStepAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		bs := blob.NewService(d, local, audit.New(d, f.clk), f.clk, blob.Options{},
			blob.ReaderFunc(func(ctx context.Context, id int64) (bool, error) { return f.svc.CanReadAttachment(ctx, id) }))
		f.with(cases.WithAttachments(bs))
		w := as("410105001001", append(worker, blob.PermUpload)...)
		other := as("410105001001", append(worker, blob.PermUpload)...)
		upload := func(ctx context.Context, body string) int64 {
			t.Helper()
			a, err := bs.Upload(ctx, blob.UploadInput{Filename: "r.pdf", Content: bytes.NewReader([]byte(body))})
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			return a.ID
		}
		mine, theirs := upload(w, "%PDF-1.4 现场"), upload(other, "%PDF-1.4 other")
		in := cases.CaseCreate{CategoryCode: "E010101", Description: "暴露垃圾", GridCode: "G410105001001",
			Source: cases.SourcePatrol, Attachments: []int64{theirs}}
		_, _, err = f.svc.CreateCase(w, in)
		wantField(t, err, "attachments")
		in.Attachments = []int64{mine}
		c := created(f.svc.CreateCase(w, in))
		c = must(f.svc.Escalate(comm(), c.ID, cases.Transition{Note: "上报"}))
		_, err = f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "上报",
			Attachments: []int64{theirs}})
		wantField(t, err, "attachments")
		c = must(f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "上报"}))
		cgjCtx := cgj()
		if ok := must(f.svc.CanReadAttachment(cgjCtx, mine)); ok {
			t.Fatal("the department reads before it handles the case")
		}
		must(f.svc.Assign(district(), c.ID, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
		if ok := must(f.svc.CanReadAttachment(cgjCtx, mine)); !ok {
			t.Fatal("the handler cannot read the case's photo")
		}
		if _, rc, err := bs.Open(cgjCtx, mine); err != nil {
			t.Fatalf("open through the reader: %v", err)
		} else {
			rc.Close()
		}
		if ok := must(f.svc.CanReadAttachment(as("410102", platform...), mine)); ok {
			t.Fatal("an outsider reads the attachment")
		}
		if ok := must(f.svc.CanReadAttachment(cgjCtx, theirs)); ok {
			t.Fatal("an unlinked attachment is readable")
		}
	})
}
