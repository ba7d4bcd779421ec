package public_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gridgov/internal/browsertest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/http/httpx"
	"gridgov/internal/http/public"
)

// TestBrowserPortal drives the portal in Chromium's phone emulation from
// the report form (category, text, a photo, the place picked on the map,
// the notice, the CAPTCHA) to the tracking page, under the site's CSP,
// and checks that the page fits the phone screen and logs no errors.
func TestBrowserPortal(t *testing.T) {
	browsertest.Require(t)
	f := newFixture(t, dbtest.Open(t, db.SQLite))
	// The site as served: the portal and the console's static files
	// (Leaflet), behind the site's security headers.
	mux := http.NewServeMux()
	mux.Handle(public.Prefix, f.srv.Config.Handler)
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir("../web/static"))))
	srv := httptest.NewServer(httpx.SecurityHeaders(httpx.Meta(httpx.Options{}, mux)))
	t.Cleanup(srv.Close)

	photo := filepath.Join(t.TempDir(), "scene.png")
	if err := os.WriteFile(photo, pngPhoto(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, errs := newBrowser(t)
	step(t, ctx, "open the report form on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
		chromedp.Navigate(srv.URL+"/public/"),
		chromedp.WaitVisible(chromedp.ID("report-form")),
		chromedp.WaitVisible(chromedp.CSS(`#map.leaflet-container`)))
	step(t, ctx, "fill in the report",
		chromedp.SetValue(chromedp.ID("category"), "E010101"),
		chromedp.SendKeys(chromedp.ID("description"), "小区门口垃圾堆积，无人清理"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photo}),
		chromedp.Click(chromedp.ID("map")),
		chromedp.WaitVisible(chromedp.CSS(`#map .leaflet-marker-icon`)))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('lat').value + ',' + document.getElementById('lng').value`))
	if err != nil || !strings.HasPrefix(got, "34.7") {
		t.Fatalf("map pick: got %q (%v), want a point near 34.77,113.68", got, err)
	}
	screenshot(t, ctx, "portal-report")
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("phone screen: the form is wider than the screen (fits=%v, err=%v)", fits, err)
	}
	captcha, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('captcha-img').naturalWidth > 0`))
	if err != nil || !captcha {
		t.Errorf("the CAPTCHA image did not load (%v)", err)
	}
	step(t, ctx, "accept the notice, answer the CAPTCHA and submit",
		chromedp.Click(chromedp.CSS(`input[name="notice"]`)),
		chromedp.SendKeys(chromedp.ID("captcha_answer"), answer),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("filed")))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/public/t/") {
		t.Fatalf("after submitting: at %s, want the tracking page", loc)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status-text")))
	if err != nil || !strings.Contains(status, "已收到") {
		t.Errorf("status: got %q (%v)", status, err)
	}
	img, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var i=document.querySelector('img.photo');return !!i && i.complete && i.naturalWidth>0})()`))
	if err != nil || !img {
		t.Errorf("the photo does not show on the tracking page (%v)", err)
	}
	screenshot(t, ctx, "portal-track")
	code := loc[strings.LastIndex(loc, "/t/")+3:]
	code, _, _ = strings.Cut(code, "?")
	q, err := f.cit.ByToken(context.Background(), code)
	if err != nil || q.Lat == nil || q.Channel != "portal" {
		t.Fatalf("filed report: %+v %v", q, err)
	}
	step(t, ctx, "track by code, in English",
		chromedp.Navigate(srv.URL+"/public/track?lang=en"),
		chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(code)),
		chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.ID("status-text")))
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("status-text"))); !strings.Contains(s, "Received") {
		t.Errorf("English status: got %q", s)
	}
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}

// The browser helpers of the steps above (internal/browsertest).
var (
	newBrowser = browsertest.New
	step       = browsertest.Step
	screenshot = browsertest.Screenshot
)
