package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gridgov/internal/browsertest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/seal"
)

// TestBrowserRegistry imports a small Excel workbook in the console in a
// real Chromium — three valid rows and one with a bad check digit — sees
// the counts and the failure, then searches a person by ID-card number and
// opens their page, which shows the masked number.
func TestBrowserRegistry(t *testing.T) {
	browsertest.Require(t)
	f := newRegistryFixture(t, dbtest.Open(t, db.SQLite))
	file := filepath.Join(t.TempDir(), "人口.xlsx")
	if err := os.WriteFile(file, peopleXLSX(t), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, errs := newBrowser(t)
	base := f.srv.URL
	step(t, ctx, "open the console", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")))
	step(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/registry/people"]`)))

	step(t, ctx, "open the import page",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/registry/people"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.btn[href="/registry/import"]`)),
		chromedp.Click(chromedp.CSS(`a.btn[href="/registry/import"]`)),
		chromedp.WaitVisible(chromedp.ID("import-form")))
	wantLocation(t, ctx, "/registry/import")
	step(t, ctx, "upload the workbook",
		chromedp.SetUploadFiles(chromedp.ID("i-file"), []string{file}),
		chromedp.SetValue(chromedp.ID("i-unit"), "410105001001"),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("import-result")))
	wantText(t, ctx, "#c-total", "4")
	wantText(t, ctx, "#c-inserted", "3")
	wantText(t, ctx, "#c-failed", "1")
	wantText(t, ctx, "#import-failures", "5", "id_number")
	screenshot(t, ctx, "registry-import")

	step(t, ctx, "search by ID-card number",
		chromedp.Navigate(base+"/registry/people"),
		chromedp.WaitVisible(chromedp.ID("people-search")),
		chromedp.SendKeys(chromedp.ID("f-id"), regIDZhang),
		// The full list already shows a table: take it away, so that the
		// table waited for is the search's answer.
		chromedp.Evaluate[chromedp.Void](`document.querySelector("table#people").remove()`),
		chromedp.Submit(chromedp.ID("f-id")),
		chromedp.WaitVisible(chromedp.CSS(`table#people a[href^="/registry/people/"]`)))
	wantText(t, ctx, "table#people", "张三", seal.MaskID(regIDZhang))
	step(t, ctx, "open the person",
		chromedp.Click(chromedp.CSS(`table#people a[href^="/registry/people/"]`)),
		chromedp.WaitVisible(chromedp.ID("person-record")))
	wantText(t, ctx, "h1", "张三")
	wantText(t, ctx, "#person-id-number", seal.MaskID(regIDZhang))
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("person-record")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, regIDZhang) || strings.Contains(text, regPhoneZhang) {
		t.Errorf("person page shows a full identifier: %q", text)
	}
	screenshot(t, ctx, "registry-person")

	// On a phone the list and the person page fit the screen.
	for _, path := range []string{"/registry/people?id_number=" + regIDZhang, "/registry/import"} {
		step(t, ctx, "open "+path+" on a phone",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS("main h1")))
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
		if err != nil || !fits {
			t.Errorf("phone screen: %s wider than the screen (fits=%v, err=%v)", path, fits, err)
		}
	}
	screenshot(t, ctx, "registry-phone")
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}
