package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gridgov/internal/browsertest"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestBrowserCase walks one case through the console in a real Chromium:
// the community files it as the grid worker and reports it up, the street
// passes it to the district, the district assigns it to its 城管局, which
// signs for it and reports the result, and the district verifies it: the
// page then shows 已办结 and a timeline with the six steps.
func TestBrowserCase(t *testing.T) {
	browsertest.Require(t)
	f := newCaseFixture(t, dbtest.Open(t, db.SQLite))
	ctx, errs := newBrowser(t)
	base := f.srv.URL
	step(t, ctx, "open the console", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")))

	browserLogin(t, ctx, "sq")
	step(t, ctx, "open the to-do and the new-case form",
		chromedp.Click(chromedp.CSS(`nav.mainnav a[href="/inbox"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a.btn[href="/cases"]`)),
		chromedp.Navigate(base+"/cases/new"),
		chromedp.WaitVisible(chromedp.ID("c-category")))
	step(t, ctx, "file the case",
		chromedp.SetValue(chromedp.ID("c-category"), "E010101"),
		chromedp.SendKeys(chromedp.ID("c-desc"), "红专路口有暴露垃圾"),
		chromedp.SendKeys(chromedp.ID("c-address"), "红专路 12 号"),
		chromedp.SetValue(chromedp.ID("c-grid"), "G410105001001"),
		chromedp.Click(chromedp.CSS(`#case-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("act-escalate")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	casePath := loc[strings.Index(loc, "/cases/"):]
	if q := strings.Index(casePath, "?"); q >= 0 {
		casePath = casePath[:q]
	}
	wantText(t, ctx, "h1", "2026-410100-000001", "暴露垃圾")
	screenshot(t, ctx, "case-filed")
	browserAct(t, ctx, base+casePath, "escalate", "超出社区职责")
	browserLogout(t, ctx)

	browserLogin(t, ctx, "jd")
	browserAct(t, ctx, base+casePath, "escalate", "需区级部门处置")
	browserLogout(t, ctx)

	browserLogin(t, ctx, "admin-410105")
	step(t, ctx, "assign to the 城管局", chromedp.Navigate(base+casePath),
		chromedp.WaitVisible(chromedp.ID("act-assign")),
		chromedp.SetValue(chromedp.ID("a-lead"), "410105-cgj"),
		chromedp.SendKeys(chromedp.ID("a-note"), "请及时处置"),
		chromedp.Click(chromedp.CSS(`#act-assign button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	wantText(t, ctx, "#assignments", "金水区城市管理局", "主办")
	browserLogout(t, ctx)

	browserLogin(t, ctx, "cgj")
	step(t, ctx, "find it in the to-do", chromedp.Navigate(base+"/inbox"),
		chromedp.WaitVisible(chromedp.ID("task-sign")))
	step(t, ctx, "sign for it", chromedp.Click(chromedp.CSS(`#task-sign a[href="`+casePath+`"]`)),
		chromedp.WaitVisible(chromedp.ID("act-sign")),
		chromedp.Click(chromedp.CSS(`#act-sign button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	browserAct(t, ctx, base+casePath, "feedback", "已清运完毕")
	browserLogout(t, ctx)

	browserLogin(t, ctx, "admin-410105")
	step(t, ctx, "verify: pass", chromedp.Navigate(base+casePath),
		chromedp.WaitVisible(chromedp.ID("act-verify")),
		chromedp.SendKeys(chromedp.ID("v-note"), "现场核查通过"),
		chromedp.Click(chromedp.ID("verify-pass")),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	wantText(t, ctx, ".case-head", "已办结")
	wantText(t, ctx, "#timeline", "采集", "上报", "交办", "签收", "反馈", "核查", "已清运完毕", "现场核查通过")
	screenshot(t, ctx, "case-closed")

	step(t, ctx, "the case on a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(3)),
		chromedp.Navigate(base+casePath), chromedp.WaitVisible(chromedp.ID("timeline")))
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Errorf("phone screen: case page wider than the screen (fits=%v, err=%v)", fits, err)
	}
	screenshot(t, ctx, "case-phone")
	for _, e := range errs() {
		t.Errorf("browser console: %s", e)
	}
}

// browserLogin signs in on the login page.
func browserLogin(t *testing.T, ctx context.Context, user string) {
	t.Helper()
	step(t, ctx, "log in as "+user,
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.mainnav a[href="/inbox"]`)))
}

// browserLogout signs out and waits for the login page.
func browserLogout(t *testing.T, ctx context.Context) {
	t.Helper()
	step(t, ctx, "log out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("username")))
}

// browserAct opens the case page fresh and submits the note form of one
// action.
func browserAct(t *testing.T, ctx context.Context, url, action, note string) {
	t.Helper()
	step(t, ctx, action, chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("act-"+action)),
		chromedp.SendKeys(chromedp.ID(action+"-note"), note),
		chromedp.Click(chromedp.CSS(`#act-`+action+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
}
