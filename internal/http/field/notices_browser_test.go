package field_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gridgov/internal/actor"
	"gridgov/internal/browsertest"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestBrowserFieldNotices drives the notices of 社管通: a case reported in
// the worker's community shows as an unread notice (header badge and
// list); offline, the last list is still shown and opening the notice
// marks it read on the phone; back online, the read reaches the server.
func TestBrowserFieldNotices(t *testing.T) {
	browsertest.Require(t)
	f := newFieldServer(t, dbtest.Open(t, db.SQLite))
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	c, _, err := f.cases.CreateCase(sys, cases.CaseCreate{CategoryCode: "E010101", Description: "井盖缺失",
		GridCode: "G410105001001", Address: "红专路 3 号", Source: cases.SourcePatrol})
	if err != nil {
		t.Fatal(err)
	}
	ctx, errs := newBrowser(t)
	step(t, ctx, "open the app", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
		chromedp.Navigate(f.srv.URL+"/field/"), chromedp.WaitVisible(chromedp.ID("username")))
	step(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("username"), "wg"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("todo")))
	step(t, ctx, "the badge counts the unread notice", chromedp.WaitVisible(chromedp.CSS(`#notices-badge.unread`)))
	wantText(t, ctx, "#notices-badge", "1")
	step(t, ctx, "open the notices", chromedp.Click(chromedp.ID("notices-link")),
		chromedp.WaitVisible(chromedp.CSS(`#notices li.unread`)))
	wantText(t, ctx, "#notices", "新到案件", c.Number, "红专路 3 号")

	f.down.Store(true)
	setOffline(t, ctx, true)
	step(t, ctx, "offline, the cached list is shown",
		chromedp.Click(chromedp.CSS(`#tabs a[href="#/me"]`)), chromedp.WaitVisible(chromedp.ID("logout")),
		chromedp.Click(chromedp.ID("notices-link")), chromedp.WaitVisible(chromedp.CSS(`#notices li.unread`)))
	wantText(t, ctx, "#view", "离线")
	step(t, ctx, "open the notice offline", chromedp.Click(chromedp.CSS(`#notices li.unread a`)),
		chromedp.WaitVisible(chromedp.CSS(`#notices li.read`)))
	step(t, ctx, "the badge clears", chromedp.WaitVisible(chromedp.CSS(`#notices-badge:not(.unread)`)))
	wantText(t, ctx, "#notices-badge", "0")

	f.down.Store(false)
	setOffline(t, ctx, false)
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		if err := f.db.QueryRow(context.Background(), `SELECT count(*) FROM notice_reads`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reads on the server after going online: %d, want 1", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("phone screen: page wider than the screen (fits=%v, err=%v)", fits, err)
	}
	for _, e := range errs() {
		if simulatedOutage(e) {
			continue
		}
		t.Errorf("browser console: %s", e)
	}
}
