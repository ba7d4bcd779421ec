package citizen_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
	"gridgov/internal/seal"
)

type fixture struct {
	cit *citizen.Service
	cs  *cases.Service
	sys context.Context
	clk *clock.Fake
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	cs := cases.NewService(d, log, clk, calendar.Default(), orgtest.Locator{{34.77, 113.68}: "G410105001001"})
	if err := cs.EnsureCatalogue(sys); err != nil {
		t.Fatal(err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	sealer, err := seal.NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{cit: citizen.NewService(d, log, clk, cs, sealer, citizen.Options{}), cs: cs, sys: sys, clk: clk}
}

func ptr(f float64) *float64 { return &f }

func TestSubmitTrackRate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background() // the public has no actor
		in := citizen.ReportInput{Channel: cases.ChannelPortal, CategoryCode: "E010101", Description: "垃圾没人清",
			Lat: ptr(34.77), Lng: ptr(113.68), ClientKey: "ip:192.0.2.1"}
		rc, err := f.cit.Submit(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.Token) != 10 || rc.RequestID == "" || rc.Replayed {
			t.Fatalf("receipt %+v", rc)
		}
		q, err := f.cit.ByToken(ctx, " "+rc.Token[:5]+rc.Token[5:]+" ")
		if err != nil || q.RequestID != rc.RequestID || q.Channel != cases.ChannelPortal || q.Status != "open" {
			t.Fatalf("by token %+v %v", q, err)
		}
		if _, err := f.cit.ByToken(ctx, "ZZZZZZZZZZ"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown token: %v", err)
		}
		// Rating waits for the case to close, then happens once.
		if _, err := f.cit.Rate(ctx, rc.Token, 5, "好"); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("rate open: %v", err)
		}
		platform := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(platform, rc.CaseID, cases.Transition{Note: "已由环卫处理"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cit.Rate(ctx, rc.Token, 9, ""); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("rate 9: %v", err)
		}
		q, err = f.cit.Rate(ctx, rc.Token, 4, "还行")
		if err != nil || q.Rating == nil || *q.Rating != 4 {
			t.Fatalf("rate %+v %v", q, err)
		}
		if _, err := f.cit.Rate(ctx, rc.Token, 5, ""); apperr.CodeOf(err) != apperr.Conflict {
			t.Fatalf("rate twice: %v", err)
		}
		trail, err := f.cit.Trail(ctx, rc.CaseID)
		if err != nil || len(trail) != 2 || trail[1].Text != "已由环卫处理" || trail[1].Status != "no_further_action" {
			t.Fatalf("trail %+v %v", trail, err)
		}
	})
}

func TestSubmitValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		for _, c := range []struct {
			in    citizen.ReportInput
			field string
		}{
			{citizen.ReportInput{Channel: "fax", CategoryCode: "E010101", Description: "x", Address: "a"}, "channel"},
			{citizen.ReportInput{Channel: "app", Description: "x", Address: "a"}, citizen.FieldCategory},
			{citizen.ReportInput{Channel: "app", CategoryCode: "E010101", Description: "x"}, citizen.FieldLocation},
			{citizen.ReportInput{Channel: "app", CategoryCode: "E010101", Description: "x", Lat: ptr(34.77)}, citizen.FieldLocation},
			{citizen.ReportInput{Channel: "app", CategoryCode: "E010101", Description: "x", Lat: ptr(1), Lng: ptr(1)}, citizen.FieldLocation},
			{citizen.ReportInput{Channel: "app", CategoryCode: "NOPE", Description: "x", Lat: ptr(34.77), Lng: ptr(113.68)}, citizen.FieldCategory},
			{citizen.ReportInput{Channel: "app", CategoryCode: "E010101", Description: "x", Address: "a", Phone: "call me"}, "phone"},
			{citizen.ReportInput{Channel: "app", CategoryCode: "E010101", Description: "x", Address: "a", MediaURL: "file:///etc/passwd"}, "media_url"},
		} {
			_, err := f.cit.Submit(ctx, c.in)
			orgtest.WantField(t, err, apperr.Invalid, c.field)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		if _, _, err := f.cit.CreateKey(orgtest.As("410100", rbac.UserWrite), "x"); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("create without apikey.manage: %v", err)
		}
		admin := orgtest.As("410100", rbac.APIKeyManage)
		k, secret, err := f.cit.CreateKey(admin, "FixMyStreet")
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 30 || secret[:len(k.Prefix)] != k.Prefix || k.CreatedBy != "u-410100" {
			t.Fatalf("key %+v %q", k, secret)
		}
		id, ok, err := f.cit.CheckKey(context.Background(), secret)
		if err != nil || !ok || id != k.ID {
			t.Fatalf("check %d %v %v", id, ok, err)
		}
		if _, ok, _ := f.cit.CheckKey(context.Background(), secret+"x"); ok {
			t.Fatal("wrong key accepted")
		}
		keys, err := f.cit.Keys(admin)
		if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
			t.Fatalf("keys %+v %v", keys, err)
		}
		if err := f.cit.RevokeKey(admin, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.cit.CheckKey(context.Background(), secret); ok {
			t.Fatal("revoked key accepted")
		}
		if err := f.cit.RevokeKey(admin, 999); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("revoke unknown: %v", err)
		}
	})
}
