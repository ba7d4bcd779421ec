package field_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gridgov/internal/actor"
	"gridgov/internal/apptest"
	"gridgov/internal/auth"
	"gridgov/internal/browsertest"
	"gridgov/internal/cases"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/http/server"
	"gridgov/internal/org"
)

// testPassword satisfies the mlps3 policy and contains no login name.
const testPassword = "Zx9!kLm#Qw27pT"

// fieldServer is the whole binary's handler on a real database with a
// community, one third-level grid, the standard case catalogue, local
// attachments and a grid worker "wg" over the community.
type fieldServer struct {
	db    *db.DB
	srv   *httptest.Server
	cases *cases.Service
	// down cuts the API off: its connections are dropped unanswered.
	down atomic.Bool
}

func newFieldServer(t *testing.T, d *db.DB) *fieldServer {
	t.Helper()
	// The browser's cookies and the service worker run on real time.
	a := apptest.New(t, d, apptest.Options{Clock: clock.System{}})
	orgs, as := a.Org, a.Auth
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	for _, u := range []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
		{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, Kind: org.Territory, ParentCode: "410105"},
		{Code: "410105001001", Name: "红专路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
	} {
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	if _, err := orgs.CreateGrid(sys, org.GridInput{Code: "G410105001001", Name: "红专路一网格", Level: 3,
		UnitCode: "410105001001"}); err != nil {
		t.Fatalf("grid: %v", err)
	}
	if _, err := as.CreateUser(sys, auth.UserInput{Username: "wg", DisplayName: "网格员", Password: testPassword,
		UnitCode: "410105001001", Grants: []auth.GrantInput{{Role: "admin", ScopeCode: "410105001001"}}}); err != nil {
		t.Fatalf("user: %v", err)
	}
	h := server.New(a, server.Options{})
	f := &fieldServer{db: d, cases: a.Cases}
	f.srv = httptest.NewServer(f.gate(h))
	t.Cleanup(f.srv.Close)
	return f
}

// gate drops API connections while the server is down. DevTools' network
// emulation takes the page offline, but not the service worker, whose
// Background Sync would otherwise reach the server "offline"; cutting the
// API off is what a phone without signal sees from both.
func (f *fieldServer) gate(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.down.Load() && strings.HasPrefix(r.URL.Path, "/api/") {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		h.ServeHTTP(w, r)
	})
}

// TestBrowserFieldOffline drives 社管通 in Chromium's phone emulation: log
// in, go offline, capture a case with a photo, see it waiting in the
// outbox (and not on the server), come back online, and the case arrives
// on the server once, with its photo (sent as a resumable upload), and the
// outbox is empty. Then the case is opened from the to-do, shows its photo,
// and is escalated on site through the outbox.
func TestBrowserFieldOffline(t *testing.T) {
	browsertest.Require(t)
	f := newFieldServer(t, dbtest.Open(t, db.SQLite))
	photo := filepath.Join(t.TempDir(), "site.jpg")
	if err := os.WriteFile(photo, testJPEG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, errs := newBrowser(t)
	step(t, ctx, "open the app", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
		chromedp.Navigate(f.srv.URL+"/field/"), chromedp.WaitVisible(chromedp.ID("username")))
	step(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("username"), "wg"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`#login-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("todo-empty")))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`navigator.serviceWorker.ready.then(r => !!r.active)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("service worker: %v", err)
	}

	f.down.Store(true)
	setOffline(t, ctx, true)
	const desc = "离线采集：红专路 12 号垃圾满溢"
	step(t, ctx, "capture a case offline",
		chromedp.Click(chromedp.CSS(`#tabs a[href="#/new"]`)),
		chromedp.WaitVisible(chromedp.ID("c-category")),
		chromedp.SetValue(chromedp.ID("c-category"), "E010101"),
		chromedp.SendKeys(chromedp.ID("c-desc"), desc),
		chromedp.SetValue(chromedp.ID("c-grid"), "G410105001001"),
		chromedp.SetUploadFiles(chromedp.ID("c-photos"), []string{photo}),
		chromedp.Click(chromedp.ID("c-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	wantText(t, ctx, "#net", "离线")
	wantText(t, ctx, "#outbox-badge", "1")
	step(t, ctx, "open the outbox", chromedp.Click(chromedp.ID("outbox-link")),
		chromedp.WaitVisible(chromedp.CSS(`#outbox-list li.ob-waiting`)))
	wantText(t, ctx, "#outbox-list", "采集案件", "1 个附件")
	if n := countCases(t, f, desc); n != 0 {
		t.Fatalf("cases on the server while offline: got %d, want 0", n)
	}

	f.down.Store(false)
	setOffline(t, ctx, false)
	step(t, ctx, "the outbox empties once online", chromedp.WaitVisible(chromedp.ID("outbox-empty")))
	wantText(t, ctx, "#outbox-badge", "0")
	got := findCases(t, f, desc)
	if len(got) != 1 {
		t.Fatalf("cases on the server: got %d, want exactly 1", len(got))
	}
	c, err := f.cases.CaseByID(actor.With(context.Background(), actor.SystemActor("test")), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Attachments) != 1 {
		t.Fatalf("attachments of the case: got %v, want one photo", c.Attachments)
	}
	var resumed int
	if err := f.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM uploads WHERE attachment_id = ?`,
		c.Attachments[0]).Scan(&resumed); err != nil || resumed != 1 {
		t.Errorf("the photo's resumable upload: got %d (%v), want 1", resumed, err)
	}
	if c.GridCode != "G410105001001" || c.CategoryCode != "E010101" {
		t.Errorf("case: got grid %s category %s, want G410105001001 E010101", c.GridCode, c.CategoryCode)
	}
	// The case is now in the community's to-do; its page shows the photo
	// (fetched with the token) and the actions the server offers.
	step(t, ctx, "open the case from the to-do",
		chromedp.Click(chromedp.CSS(`#tabs a[href="#/todo"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#todo a[href="#/case/`+strconv.FormatInt(c.ID, 10)+`"]`)),
		chromedp.Click(chromedp.CSS(`#todo a[href="#/case/`+strconv.FormatInt(c.ID, 10)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.case-head h1`)),
		chromedp.WaitVisible(chromedp.CSS(`img[data-att][src^="blob:"]`)))
	wantText(t, ctx, ".case-head", c.Number, desc)
	step(t, ctx, "escalate it on site (through the outbox)",
		chromedp.SendKeys(chromedp.ID("n-escalate"), "超出社区处置能力"),
		chromedp.Click(chromedp.CSS(`#act-escalate button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		chromedp.Click(chromedp.ID("outbox-link")),
		chromedp.WaitVisible(chromedp.ID("outbox-empty")))
	after, err := f.cases.CaseByID(actor.With(context.Background(), actor.SystemActor("test")), c.ID)
	if err != nil || after.CurrentUnitCode != "410105001" {
		t.Errorf("after escalating: got current unit %q (%v), want the street 410105001", after.CurrentUnitCode, err)
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

// setOffline cuts (or restores) the page's and the service worker's
// network and tells the page, which fires offline/online.
func setOffline(t *testing.T, ctx context.Context, off bool) {
	t.Helper()
	yes := true
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		conds := []*network.Conditions{}
		if off {
			conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes, MatchedNetworkConditions: conds}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
	if err != nil {
		t.Fatalf("set offline=%v: %v", off, err)
	}
}

func findCases(t *testing.T, f *fieldServer, desc string) []cases.Case {
	t.Helper()
	cs, _, err := f.cases.Cases(actor.With(context.Background(), actor.SystemActor("test")), cases.Filter{Q: desc})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func countCases(t *testing.T, f *fieldServer, desc string) int { return len(findCases(t, f, desc)) }

// testJPEG is a small real photo, so the server's content checks pass.
func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The browser helpers of the steps above (internal/browsertest).
var (
	newBrowser = browsertest.New
	step       = browsertest.Step
	wantText   = browsertest.WantText
)

// simulatedOutage reports whether a browser console error is Chromium
// logging a request the test itself cut off: offline emulation, or the
// gate closing the connection while the API is "down". The app retries
// those; any other console error fails the test.
func simulatedOutage(msg string) bool {
	return strings.Contains(msg, "net::ERR_EMPTY_RESPONSE") || strings.Contains(msg, "net::ERR_INTERNET_DISCONNECTED")
}
