package cases_test

import (
	"time"

	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestCatalogue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		before := must(f.svc.Category(f.sys, "E010101"))
		f.clk.Advance(time.Hour)
		if err := f.svc.EnsureCatalogue(f.sys); err != nil { // a second start changes nothing
			t.Fatalf("ensure again: %v", err)
		}
		if after := must(f.svc.Category(f.sys, "E010101")); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("a second start rewrote the catalogue: updated_at %v, want %v", after.UpdatedAt, before.UpdatedAt)
		}
		cats := must(f.svc.Categories(as("410105001001", worker...), cases.CategoryFilter{}))
		if len(cats) < 60 {
			t.Fatalf("got %d categories, want at least 60", len(cats))
		}
		c := must(f.svc.Category(f.sys, "E010101"))
		if c.Name != "暴露垃圾" || c.Limits["handle"] != "1wd" || c.DefaultDept != "cgj" {
			t.Fatalf("got %+v", c)
		}
		in := cases.CategoryInput{Code: "X410105-01", Kind: cases.KindEvent, MajorCode: "X01", MajorName: "扩展事件",
			Name: "共享单车乱停放", DefaultDept: "cgj", UnitCode: "410105",
			Limits: map[string]string{"accept": "2wh", "sign": "1wh", "handle": "1wd", "verify": "4wh"}}
		_, err := f.svc.CreateCategory(as("410102", cases.PermCategoryWrite), in)
		wantCode(t, err, apperr.NotFound)
		bad := in
		bad.Limits = map[string]string{"accept": "2 weeks", "sign": "1wh", "handle": "1wd", "verify": "4wh"}
		_, err = f.svc.CreateCategory(as("410105", cases.PermCategoryWrite), bad)
		wantField(t, err, "limits.accept")
		must(f.svc.CreateCategory(as("410105", cases.PermCategoryWrite), in))
		_, err = f.svc.CreateCategory(as("410105", cases.PermCategoryWrite), in)
		wantField(t, err, "code")
		js := must(f.svc.Categories(f.sys, cases.CategoryFilter{UnitCode: "410105001001", Q: "共享单车"}))
		zy := must(f.svc.Categories(f.sys, cases.CategoryFilter{UnitCode: "410102001001", Q: "共享单车"}))
		if len(js) != 1 || len(zy) != 0 {
			t.Fatalf("extension visible in 金水区 %d, 中原区 %d; want 1, 0", len(js), len(zy))
		}
		// The extension may not be used for a case in 中原区.
		_, _, err = f.svc.CreateCase(as("410102001001", worker...), cases.CaseCreate{CategoryCode: "X410105-01",
			Description: "x", GridCode: "G410102001001"})
		wantField(t, err, "category_code")
	})
}

func TestCreateNumbersAndGrid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a, b := f.newCase(t), f.newCase(t)
		if a.Number != "2026-410100-000001" || b.Number != "2026-410100-000002" {
			t.Fatalf("numbers %s, %s", a.Number, b.Number)
		}
		if a.Status != cases.StatusReported || a.CurrentUnitCode != "410105001001" || a.UnitCode != "410105001001" {
			t.Fatalf("got %+v", a)
		}
		lat, lng := 34.77, 113.68
		ctx := as("410105001001", worker...)
		c := created(f.svc.CreateCase(ctx, cases.CaseCreate{CategoryCode: "E040101", Description: "占道经营",
			Lat: &lat, Lng: &lng, Source: cases.SourceCitizen}))
		if c.GridCode != "G410105001001" {
			t.Fatalf("located grid %q", c.GridCode)
		}
		far := 30.0
		_, _, err := f.svc.CreateCase(ctx, cases.CaseCreate{CategoryCode: "E040101", Description: "x", Lat: &far, Lng: &lng})
		wantField(t, err, "grid_code")
		_, _, err = f.svc.CreateCase(ctx, cases.CaseCreate{CategoryCode: "E040101", Description: "x",
			GridCode: "G410105001001", Source: "rumour"})
		wantField(t, err, "source")
		_, _, err = f.svc.CreateCase(ctx, cases.CaseCreate{CategoryCode: "E040101", Description: "x", GridCode: "G410102001001"})
		wantCode(t, err, apperr.NotFound)
		no := false
		draft := created(f.svc.CreateCase(ctx, cases.CaseCreate{CategoryCode: "E040101", Description: "草稿",
			GridCode: "G410105001001", Report: &no}))
		if draft.Status != cases.StatusCollected || draft.Deadline != nil {
			t.Fatalf("draft %+v", draft)
		}
		rep := must(f.svc.Report(ctx, draft.ID, cases.Transition{}))
		if rep.Status != cases.StatusReported || rep.Deadline == nil {
			t.Fatalf("reported %+v", rep)
		}
	})
}

func TestDeadlinesInWorkingTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// Friday 6 March 17:30: 1 working hour of intake run into Monday.
		f.clk.Set(at(2026, 3, 6, 17, 30))
		c := f.newCase(t)
		if want := at(2026, 3, 9, 9, 30); !c.Deadline.Equal(want) {
			t.Fatalf("accept deadline %v, want %v", c.Deadline.In(cst), want)
		}
		// Assigned on Monday 9 March 10:00 by the community to the district
		// 城管局 is impossible (not below it); escalated to the district first.
		f.clk.Set(at(2026, 3, 9, 10, 0))
		c = must(f.svc.Escalate(as("410105001001", platform...), c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Escalate(as("410105001", platform...), c.ID, cases.Transition{Note: "上报"}))
		c = must(f.svc.Assign(as("410105", platform...), c.ID, cases.AssignInput{LeadUnitCode: "410105-cgj"}))
		// sign 1wh → 11:00; handle 1wd from then → close of Tuesday 10 March.
		if want := at(2026, 3, 9, 11, 0); !c.Deadline.Equal(want) {
			t.Fatalf("sign deadline %v, want %v", c.Deadline.In(cst), want)
		}
		if want := at(2026, 3, 10, 18, 0); !c.HandleDeadline.Equal(want) {
			t.Fatalf("handle deadline %v, want %v", c.HandleDeadline.In(cst), want)
		}
		full := must(f.svc.CaseByID(as("410105", platform...), c.ID))
		if full.SuggestedDept != "410105-cgj" || len(full.Assignments) != 1 {
			t.Fatalf("suggested %q, assignments %d", full.SuggestedDept, len(full.Assignments))
		}
	})
}
