package citizen_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

var cst = time.FixedZone("CST", 8*3600)

type sms struct{ phone, text string }

// fakeGateway records the messages it is given; fail makes it refuse.
type fakeGateway struct {
	got  []sms
	fail bool
}

func (g *fakeGateway) SendSMS(_ context.Context, phone, text string) error {
	if g.fail {
		return errors.New("gateway down")
	}
	g.got = append(g.got, sms{phone, text})
	return nil
}

// reporterSMS lists the reporter SMS queued for a case.
func reporterSMS(t *testing.T, f *fixture, caseID int64) []cases.OutboxMessage {
	t.Helper()
	all, err := f.cs.Outbox(f.sys, caseID, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []cases.OutboxMessage
	for _, m := range all {
		if m.Kind == cases.OutboxCitizenStatus {
			out = append(out, m)
		}
	}
	return out
}

func phaseOf(t *testing.T, m cases.OutboxMessage) string {
	t.Helper()
	var p struct{ Phase, Token, Path, Text string }
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	return p.Phase
}

func TestReporterSMS(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		const phone = "13800138000"
		rc, err := f.cit.Submit(ctx, citizen.ReportInput{Channel: cases.ChannelPortal, CategoryCode: "E010101",
			Description: "井盖丢了", Lat: ptr(34.77), Lng: ptr(113.68), Phone: phone, ClientKey: "ip:192.0.2.9"})
		if err != nil {
			t.Fatal(err)
		}
		anon, err := f.cit.Submit(ctx, citizen.ReportInput{Channel: cases.ChannelPortal, CategoryCode: "E010101",
			Description: "路灯不亮", Lat: ptr(34.77), Lng: ptr(113.68), ClientKey: "ip:192.0.2.9"})
		if err != nil {
			t.Fatal(err)
		}
		if got := reporterSMS(t, f, rc.CaseID); len(got) != 0 {
			t.Fatalf("SMS on submit: %d", len(got))
		}
		comm := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		street := orgtest.As("410105001", cases.PermCaseRead, cases.PermCaseDispatch)
		district := orgtest.As("410105", cases.PermCaseRead, cases.PermCaseDispatch)
		cgj := orgtest.As("410105-cgj", cases.PermCaseRead, cases.PermCaseHandle)
		must := func(_ cases.Case, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []int64{rc.CaseID, anon.CaseID} {
			must(f.cs.Escalate(comm, id, cases.Transition{Note: "上报"}))
			must(f.cs.Escalate(street, id, cases.Transition{Note: "上报"}))
			must(f.cs.Assign(district, id, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
		}
		if got := reporterSMS(t, f, anon.CaseID); len(got) != 0 {
			t.Fatalf("SMS without a phone: %d", len(got))
		}
		got := reporterSMS(t, f, rc.CaseID)
		if len(got) != 1 || phaseOf(t, got[0]) != citizen.PhaseHandling || got[0].NotBefore != nil ||
			got[0].RecipientRef != cases.RecipientReporter || got[0].Channel != cases.ChannelSMS {
			t.Fatalf("after assign: %+v", got)
		}
		// Signing keeps the public phase: no second SMS.
		must(f.cs.Sign(cgj, rc.CaseID, cases.HandlerInput{}))
		if got := reporterSMS(t, f, rc.CaseID); len(got) != 1 {
			t.Fatalf("after sign: %d SMS, want 1", len(got))
		}
		// Feedback at 23:10 waits for 08:00 the next morning.
		f.clk.Set(time.Date(2026, 3, 2, 23, 10, 0, 0, cst))
		must(f.cs.Feedback(cgj, rc.CaseID, cases.HandlerInput{Transition: cases.Transition{Note: "内部备注：已联系李某"}}))
		got = reporterSMS(t, f, rc.CaseID)
		if len(got) != 2 || phaseOf(t, got[1]) != citizen.PhaseFeedback {
			t.Fatalf("after feedback: %+v", got)
		}
		if want := time.Date(2026, 3, 3, 8, 0, 0, 0, cst); got[1].NotBefore == nil || !got[1].NotBefore.Equal(want) {
			t.Fatalf("not before %v, want %v", got[1].NotBefore, want)
		}
		// The outbox holds neither the phone nor the internal note.
		var n int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE payload LIKE ? OR payload LIKE ?
			OR recipient_ref LIKE ? OR recipient_unit LIKE ?`, "%"+phone+"%", "%李某%", "%"+phone+"%",
			"%"+phone+"%").Scan(&n); err != nil || n != 0 {
			t.Fatalf("outbox rows leaking phone or note: %d %v", n, err)
		}
		// Sending at 23:30: the first SMS goes, the night one waits.
		f.clk.Set(time.Date(2026, 3, 2, 23, 30, 0, 0, cst))
		gw := &fakeGateway{}
		if sent, err := f.cit.SendReporterSMS(ctx, gw, 10); err != nil || sent != 1 {
			t.Fatalf("night send: %d %v", sent, err)
		}
		if gw.got[0].phone != phone || !strings.Contains(gw.got[0].text, rc.Token) ||
			!strings.Contains(gw.got[0].text, "/public/t/"+rc.Token) || strings.Contains(gw.got[0].text, "上报") {
			t.Fatalf("sms %+v", gw.got[0])
		}
		// A gateway failure leaves the message for the next run.
		f.clk.Set(time.Date(2026, 3, 3, 8, 0, 0, 0, cst))
		if sent, err := f.cit.SendReporterSMS(ctx, &fakeGateway{fail: true}, 10); err == nil || sent != 0 {
			t.Fatalf("failing gateway: %d %v", sent, err)
		}
		if sent, err := f.cit.SendReporterSMS(ctx, gw, 10); err != nil || sent != 1 || len(gw.got) != 2 ||
			!strings.Contains(gw.got[1].text, "反馈") || strings.Contains(gw.got[1].text, "李某") {
			t.Fatalf("morning send: %d %v %+v", sent, err, gw.got)
		}
		if sent, err := f.cit.SendReporterSMS(ctx, gw, 10); err != nil || sent != 0 {
			t.Fatalf("resend: %d %v", sent, err)
		}
		// Verification fails: the case is worked again, and the reporter hears it.
		must(f.cs.Verify(district, rc.CaseID, cases.VerifyInput{Pass: false, Transition: cases.Transition{Note: "未修好"}}))
		got = reporterSMS(t, f, rc.CaseID)
		if len(got) != 3 || phaseOf(t, got[2]) != citizen.PhaseHandling {
			t.Fatalf("after rework: %+v", got)
		}
		must(f.cs.Feedback(cgj, rc.CaseID, cases.HandlerInput{Transition: cases.Transition{Note: "已修好"}}))
		must(f.cs.Verify(district, rc.CaseID, cases.VerifyInput{Pass: true}))
		got = reporterSMS(t, f, rc.CaseID)
		if len(got) != 5 || phaseOf(t, got[4]) != citizen.PhaseClosed {
			t.Fatalf("after close: %+v", got)
		}
	})
}

func TestReporterSMSOnReject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		rc, err := f.cit.Submit(context.Background(), citizen.ReportInput{Channel: cases.ChannelWeChat,
			CategoryCode: "E010101", Description: "有人乱停车", Lat: ptr(34.77), Lng: ptr(113.68),
			Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		comm := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(comm, rc.CaseID, cases.Transition{Note: "不属于本平台"}); err != nil {
			t.Fatal(err)
		}
		got := reporterSMS(t, f, rc.CaseID)
		if len(got) != 1 || phaseOf(t, got[0]) != citizen.PhaseRejected {
			t.Fatalf("after reject: %+v", got)
		}
	})
}
