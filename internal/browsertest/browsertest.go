// Package browsertest drives Debian's Chromium for the browser tests of
// the console, the field app and the citizen portal: it starts a headless
// browser per test, collects the errors its pages report, runs named
// steps with a time limit and checks texts and locations. Only tests
// import it.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, which .ci/run installs.
const ChromiumPath = "/usr/bin/chromium"

// Require skips t when Chromium is missing, except under CI=true, where
// it fails: in CI the browser tests must run.
func Require(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is required in CI: %v", err)
		}
		t.Skipf("skipping the browser test: %s not found (apt-get install chromium)", ChromiumPath)
	}
}

// New starts a headless Chromium for one test (closed when it ends) and
// returns its context and a function listing the errors and exceptions
// its pages reported on the console.
func New(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
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

// Step runs actions within 20 seconds, failing t with the step's name,
// the page's location and its text when they do not complete.
func Step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v (at %s)\n%s", name, err, loc, html)
	}
}

// Screenshot saves the page as name.png in $GRIDGOV_SCREENSHOTS, when
// set, for a person to look at.
func Screenshot(t *testing.T, ctx context.Context, name string) {
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

// WantLocation fails t unless the page's path (without host and query)
// is path.
func WantLocation(t *testing.T, ctx context.Context, path string) {
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

// WantText fails t unless the text of the element css (waited for up to
// 10 seconds) contains every one of subs.
func WantText(t *testing.T, ctx context.Context, css string, subs ...string) {
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
