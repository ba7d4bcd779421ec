package citizen_test

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/orgtest"
)

// TestCaptcha checks challenges: the right answer passes once, a wrong
// one uses the challenge up, Peek does not use a right one up, forged and
// expired tokens are refused, and the image is a PNG.
func TestCaptcha(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		c := citizen.NewCaptcha(d, f.clk, []byte("0123456789abcdef0123456789abcdef"))
		c.SetAnswerSource(func(string) string { return "1234" })
		tok := c.New()
		if err := c.Peek(ctx, tok, "1234"); err != nil {
			t.Fatalf("peek right: %v", err)
		}
		if err := c.Check(ctx, tok, " 1234 "); err != nil {
			t.Fatalf("check right: %v", err)
		}
		if err := c.Check(ctx, tok, "1234"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("reused: got %v, want invalid", err)
		}
		if err := c.Peek(ctx, tok, "1234"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("peek reused: got %v, want invalid", err)
		}
		tok = c.New()
		if err := c.Peek(ctx, tok, "9999"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("peek wrong: got %v", err)
		}
		if err := c.Check(ctx, tok, "1234"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("right after wrong: got %v, want the challenge used up", err)
		}
		other := citizen.NewCaptcha(d, f.clk, []byte("another key, 32 bytes long......"))
		if err := other.Check(ctx, c.New(), "1234"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("token of another key: got %v", err)
		}
		tok = c.New()
		f.clk.Advance(citizen.CaptchaTTL + time.Second)
		if err := c.Check(ctx, tok, "1234"); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("expired: got %v", err)
		}
		if _, err := c.Image(tok); err == nil {
			t.Fatal("image of an expired challenge")
		}
		// The default answer source: four digits, the same for one token.
		plain := citizen.NewCaptcha(d, f.clk, nil)
		img, err := plain.Image(plain.New())
		if err != nil || len(img) < 100 || string(img[1:4]) != "PNG" {
			t.Fatalf("image: %d bytes, %v", len(img), err)
		}
	})
}

// TestNearbyAndContact checks the duplicate query (category, radius, open
// only, no tracking codes) and the contact unsealing (permission, reason).
func TestNearbyAndContact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		in := citizen.ReportInput{Channel: cases.ChannelPortal, CategoryCode: "E010101", Description: "垃圾",
			Lat: ptr(34.77), Lng: ptr(113.68), ClientKey: "ip:192.0.2.9", Phone: "13900000000", Name: "王五"}
		rc, err := f.cit.Submit(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		near, err := f.cit.Nearby(ctx, "E010101", 34.771, 113.68, 200, 5)
		if err != nil || len(near) != 1 || near[0].RequestID != rc.RequestID || near[0].Token != "" ||
			near[0].Distance < 100 || near[0].Distance > 120 {
			t.Fatalf("nearby: got %+v %v, want the report about 111 m away without its code", near, err)
		}
		for _, q := range []struct {
			cat    string
			lat    float64
			radius float64
		}{{"E010102", 34.77, 200}, {"E010101", 34.775, 200}, {"E010101", 34.771, 50}} {
			if got, _ := f.cit.Nearby(ctx, q.cat, q.lat, 113.68, q.radius, 5); len(got) != 0 {
				t.Errorf("nearby %+v: got %d, want none", q, len(got))
			}
		}

		mod := orgtest.As("410105001001", cases.PermCaseRead, "case.moderate")
		if _, err := f.cit.Contact(mod, rc.CaseID, "回访"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("contact without case.contact: got %v, want forbidden", err)
		}
		other := orgtest.As("410102", "case.contact")
		if _, err := f.cit.Contact(other, rc.CaseID, "回访"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("contact out of scope: got %v, want not_found", err)
		}
		staff := orgtest.As("410105001001", "case.contact")
		if _, err := f.cit.Contact(staff, rc.CaseID, " "); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("contact without reason: got %v, want invalid", err)
		}
		c, err := f.cit.Contact(staff, rc.CaseID, "回访")
		if err != nil || c.Phone != "13900000000" || c.Name != "王五" {
			t.Fatalf("contact: got %+v %v", c, err)
		}

		platform := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(platform, rc.CaseID, cases.Transition{Note: "重复"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.cit.Nearby(ctx, "E010101", 34.77, 113.68, 200, 5); len(got) != 0 {
			t.Fatalf("nearby after closing: got %d, want none", len(got))
		}
	})
}
