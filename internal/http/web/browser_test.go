package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// chromiumPath is Debian's Chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// TestBrowser logs in through the form in a real Chromium and browses the
// tree from the city down to the communities, on a desktop screen and on a
// phone screen.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI: %v", err)
		}
		t.Skipf("skipping the browser test: %s not found (apt-get install chromium)", chromiumPath)
	}
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

// newBrowser starts a headless Chromium for one test and returns its
// context and a function that lists the errors its pages reported.
func newBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	var mu sync.Mutex
	var errs []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// screenshot saves the page as a PNG in $GRIDGOV_SCREENSHOTS, when set, for
// a person to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("GRIDGOV_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// step runs actions with a time limit, naming the step when it fails.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v (at %s)\n%s", name, err, loc, html)
	}
}

func wantLocation(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if i := strings.Index(loc, "://"); i >= 0 {
		loc = loc[i+3:]
		loc = loc[strings.Index(loc, "/"):]
	}
	if q := strings.Index(loc, "?"); q >= 0 {
		loc = loc[:q]
	}
	if loc != path {
		t.Errorf("location: got %s, want %s", loc, path)
	}
}

func wantText(t *testing.T, ctx context.Context, css string, subs ...string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	text, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s: got text %q, want it to contain %q", css, text, s)
		}
	}
}
