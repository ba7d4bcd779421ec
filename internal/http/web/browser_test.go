package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"gridgov/internal/browsertest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestBrowser logs in through the form in a real Chromium and browses the
// tree from the city down to the communities, on a desktop screen and on a
// phone screen.
func TestBrowser(t *testing.T) {
	browsertest.Require(t)
	f := newFixture(t, dbtest.Open(t, db.SQLite))
	screens := []struct {
		name          string
		width, height int64
		mobile        bool
	}{
		{"desktop", 1280, 900, false},
		{"phone", 390, 844, true},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx, errs := newBrowser(t)
			emulate := chromedp.EmulateViewport(sc.width, sc.height)
			if sc.mobile {
				emulate = chromedp.EmulateViewport(sc.width, sc.height, chromedp.EmulateMobile, chromedp.EmulateScale(3))
			}
			step(t, ctx, "open the console", emulate,
				chromedp.Navigate(f.srv.URL+"/"),
				chromedp.WaitVisible(chromedp.ID("username")))
			wantLocation(t, ctx, "/login")
			browseTree(t, ctx, sc.name)
			searchAndVerify(t, ctx, f.srv.URL, sc.name)
			if sc.mobile {
				fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
					`document.documentElement.scrollWidth <= window.innerWidth`))
				if err != nil || !fits {
					t.Errorf("phone screen: page wider than the screen (fits=%v, err=%v)", fits, err)
				}
			}
			for _, e := range errs() {
				t.Errorf("browser console: %s", e)
			}
		})
	}
}

// browseTree logs in on the login page and clicks from the city down to
// the communities of a street, then opens the street's grids tab.
func browseTree(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	step(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.units a[href="/org/410105"]`)))
	wantLocation(t, ctx, "/org/410100")
	wantText(t, ctx, "h1", "郑州市")
	screenshot(t, ctx, screen+"-city")

	step(t, ctx, "open 金水区",
		chromedp.Click(chromedp.CSS(`table.units a[href="/org/410105"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.units a[href="/org/410105001"]`)))
	wantLocation(t, ctx, "/org/410105")
	wantText(t, ctx, "h1", "金水区")

	step(t, ctx, "open the street",
		chromedp.Click(chromedp.CSS(`table.units a[href="/org/410105001"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.units a[href="/org/410105001002"]`)))
	wantLocation(t, ctx, "/org/410105001")
	wantText(t, ctx, "h1", "经八路街道")
	wantText(t, ctx, "table.units", "红专路社区", "纬五路社区")
	wantText(t, ctx, "nav.crumbs", "郑州市", "金水区")

	// The grids tab loads through htmx, inside the page.
	step(t, ctx, "open the grids tab",
		chromedp.Click(chromedp.CSS(`nav.tabs a[href="/org/410105001?tab=grids"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.tabs a.active[href="/org/410105001?tab=grids"]`)))
	wantText(t, ctx, "#org-tabs", "暂无网格")
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof htmx === "object"`))
	if err != nil || !loaded {
		t.Errorf("htmx not loaded under the page's CSP (loaded=%v, err=%v)", loaded, err)
	}
	screenshot(t, ctx, screen+"-street")
}

// searchAndVerify uses the two htmx features that talk to the server
// without a page load: the live unit search and the audit chain check (a
// POST that carries the CSRF header).
func searchAndVerify(t *testing.T, ctx context.Context, base, screen string) {
	t.Helper()
	step(t, ctx, "search from the city",
		chromedp.Navigate(base+"/org/410100"),
		chromedp.SendKeys(chromedp.ID("q"), "纬五"),
		chromedp.WaitVisible(chromedp.CSS(`table.units a[href="/org/410105001002"]`)))
	wantText(t, ctx, "#org-tabs", "纬五路社区")

	step(t, ctx, "verify the audit chain",
		chromedp.Navigate(base+"/audit"),
		chromedp.Click(chromedp.CSS(`form[action="/audit/verify"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#verify .flash-ok`)))
	wantLocation(t, ctx, "/audit")
	wantText(t, ctx, "#verify", "日志链完整")
	screenshot(t, ctx, screen+"-audit")
}

// The browser helpers of the steps above (internal/browsertest).
var (
	newBrowser   = browsertest.New
	step         = browsertest.Step
	screenshot   = browsertest.Screenshot
	wantText     = browsertest.WantText
	wantLocation = browsertest.WantLocation
)
