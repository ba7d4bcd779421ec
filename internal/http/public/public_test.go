package public_test

import (
	"net/http"
	"strings"
	"testing"

	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/http/public"
	"gridgov/internal/orgtest"
)

// TestReportCaptcha checks the CAPTCHA: a wrong answer and a reused
// challenge are refused with the form back; the right answer files once.
func TestReportCaptcha(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		v := f.form(t, "路灯不亮")
		v.Set("captcha_answer", "0000")
		p := f.post(t, v, nil)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="captcha-error"`) {
			t.Fatalf("wrong answer: got %d, want 422 with the captcha error: %s", p.status, p.body)
		}
		// A wrong answer uses the challenge up.
		v.Set("captcha_answer", answer)
		if p = f.post(t, v, nil); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("challenge answered wrong once, then right: got %d, want 422", p.status)
		}
		v = f.form(t, "路灯不亮")
		f.filed(t, v, nil)
		if p = f.post(t, v, nil); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, `id="captcha-error"`) {
			t.Fatalf("reused challenge: got %d, want 422", p.status)
		}
		v.Set("captcha", v.Get("captcha")+"x")
		if p = f.post(t, v, nil); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("forged challenge: got %d, want 422", p.status)
		}
		if p := f.get(t, "/public/captcha?t="+f.captcha(t)); p.status != 200 || !strings.HasPrefix(p.body, "\x89PNG") {
			t.Fatalf("captcha image: got %d", p.status)
		}
	})
}

// TestReportLandsAsCitizenCase files an anonymous report and one with a
// phone and a photo: both become citizen cases of channel portal at the
// accept stage of the community platform, with the notice version; the
// tracking page shows status, trail and photo, never the phone.
func TestReportLandsAsCitizenCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		anon := f.filed(t, f.form(t, "井盖缺失"), nil)
		v := f.form(t, "路面塌陷")
		v.Set("confirm_new", "1") // the first report is nearby
		v.Set("phone", phone)
		withPhone := f.filed(t, v, pngPhoto(t))
		for _, code := range []string{anon, withPhone} {
			q, err := f.cit.ByToken(f.sys, code)
			if err != nil {
				t.Fatal(err)
			}
			c, err := f.cs.CaseByID(f.sys, q.CaseID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Source != cases.SourceCitizen || c.Channel != "portal" || c.Status != cases.StatusReported ||
				c.Stage != "accept" || c.CurrentUnitCode != "410105001001" {
				t.Errorf("case: got source %s channel %q status %s stage %s unit %s, want citizen portal reported accept 410105001001",
					c.Source, c.Channel, c.Status, c.Stage, c.CurrentUnitCode)
			}
			if ver, _ := f.cit.NoticeVersion(f.sys, q.CaseID); ver != public.NoticeVersion {
				t.Errorf("notice version: got %q, want %q", ver, public.NoticeVersion)
			}
		}
		p := f.get(t, "/public/t/"+strings.ToLower(withPhone)+"?new=1")
		if p.status != 200 {
			t.Fatalf("tracking page: %d", p.status)
		}
		wantIn(t, p, withPhone, "已收到，等待工作人员核实", "路面塌陷", "已收到，等待核实", `id="expected"`, `/photo/`)
		photo := regexpFind(p.body, `src="(/public/t/[^"]+/photo/\d+)\?thumb=1"`)
		if ph := f.get(t, photo); ph.status != 200 || !strings.HasPrefix(ph.body, "\x89PNG") {
			t.Fatalf("photo: got %d", ph.status)
		}
		if ph := f.get(t, strings.Replace(photo, withPhone, anon, 1)); ph.status != http.StatusNotFound {
			t.Fatalf("photo under another report: got %d, want 404", ph.status)
		}
		if p := f.get(t, "/public/t/ZZZZZZZZZZ"); p.status != http.StatusNotFound {
			t.Fatalf("unknown code: got %d, want 404", p.status)
		}
		if p := f.get(t, "/public/track?code="+strings.ToLower(anon)); p.location != "/public/t/"+anon {
			t.Fatalf("track form: got %q", p.location)
		}
		if p := f.get(t, "/public/t/"+anon+"?lang=en"); !strings.Contains(p.body, "Received, awaiting verification") {
			t.Fatalf("English page: %s", p.body)
		}
	})
}

// TestReportValidation checks the form's own refusals.
func TestReportValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		v := f.form(t, "无位置")
		v.Del("lat")
		v.Del("lng")
		if p := f.post(t, v, nil); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="location-error"`) {
			t.Fatalf("no location: got %d", p.status)
		}
		v = f.form(t, "没同意告知")
		v.Del("notice")
		if p := f.post(t, v, nil); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("notice not accepted: got %d", p.status)
		}
		v = f.form(t, "不是照片")
		if p := f.post(t, v, []byte("%PDF-1.4 not a photo")); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, `id="photo-error"`) {
			t.Fatalf("not a photo: got %d %s", p.status, p.body)
		}
		v = f.form(t, "照片太大")
		if p := f.post(t, v, make([]byte, public.MaxPhoto+512<<10)); p.status != http.StatusRequestEntityTooLarge ||
			!strings.Contains(p.body, `id="photo-error"`) {
			t.Fatalf("photo too large: got %d", p.status)
		}
		v = f.form(t, "太远")
		v.Set("lat", "30.1")
		if p := f.post(t, v, nil); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="location-error"`) {
			t.Fatalf("outside the area: got %d", p.status)
		}
	})
}

// TestDuplicateSuggestion checks that an open report of the same category
// nearby is offered before filing, that confirming files anyway, and that
// other categories or far points are not offered.
func TestDuplicateSuggestion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		first := f.filed(t, f.form(t, "垃圾堆积"), nil)
		q, _ := f.cit.ByToken(f.sys, first)
		v := f.form(t, "垃圾桶满了")
		v.Set("lat", "34.771") // about 110 m away
		p := f.post(t, v, pngPhoto(t))
		if p.status != http.StatusOK || !strings.Contains(p.body, `id="duplicates"`) ||
			!strings.Contains(p.body, "/public/r/"+q.RequestID) || strings.Contains(p.body, first) {
			t.Fatalf("duplicate suggestion: got %d, want the form listing %s without its code: %s", p.status, q.RequestID, p.body)
		}
		wantIn(t, p, `id="photo-kept"`, `id="confirm_new"`)
		// The public page of the suggested report shows it, with no rating.
		if r := f.get(t, "/public/r/"+q.RequestID); r.status != 200 || !strings.Contains(r.body, "垃圾堆积") ||
			strings.Contains(r.body, first) || strings.Contains(r.body, "rate-form") {
			t.Fatalf("public page: %d %s", r.status, r.body)
		}
		// The citizen confirms: the same challenge and the photo carry over.
		v.Set("photo_ids", regexpFind(p.body, `name="photo_ids" value="([0-9,]+)"`))
		v.Set("confirm_new", "1")
		second := f.filed(t, v, nil)
		q2, _ := f.cit.ByToken(f.sys, second)
		if ph, _ := f.cit.Photos(f.sys, q2.CaseID); len(ph) != 1 {
			t.Fatalf("photo carried over: got %v, want one", ph)
		}
		// Another category at the same place is not a duplicate.
		v = f.form(t, "路灯坏了")
		v.Set("category", "E010102")
		if p := f.post(t, v, nil); p.status != http.StatusSeeOther {
			t.Fatalf("other category: got %d, want filed: %s", p.status, p.body)
		}
	})
}

// TestRatingAfterClose rates a closed report once, through the page.
func TestRatingAfterClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		code := f.filed(t, f.form(t, "噪音扰民"), nil)
		if p := f.get(t, "/public/t/"+code); strings.Contains(p.body, `id="rate-form"`) {
			t.Fatal("an open report offers rating")
		}
		if p := f.postForm(t, "/public/t/"+code+"/rate", "score=5"); p.status != http.StatusConflict {
			t.Fatalf("rate open: got %d, want 409", p.status)
		}
		q, _ := f.cit.ByToken(f.sys, code)
		platform := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(platform, q.CaseID, cases.Transition{Note: "已协调物业处理"}); err != nil {
			t.Fatal(err)
		}
		p := f.get(t, "/public/t/"+code)
		wantIn(t, p, "不予立案", "已协调物业处理", `id="rate-form"`)
		if p := f.postForm(t, "/public/t/"+code+"/rate", "score=9"); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("score 9: got %d", p.status)
		}
		if p := f.postForm(t, "/public/t/"+code+"/rate", "score=4&note=ok"); p.status != http.StatusSeeOther {
			t.Fatalf("rate: got %d %s", p.status, p.body)
		}
		wantIn(t, f.get(t, "/public/t/"+code), `id="rated"`, "4 分")
		if p := f.postForm(t, "/public/t/"+code+"/rate", "score=5"); p.status != http.StatusConflict {
			t.Fatalf("rate twice: got %d, want 409", p.status)
		}
	})
}

// TestRateLimitMessage checks the intake's per-client limit reaches the
// citizen as a clear message.
func TestRateLimitMessage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, func(c *config.Config) { c.CitizenPerHour = 1 })
		f.filed(t, f.form(t, "第一次"), nil)
		v := f.form(t, "第二次")
		v.Set("confirm_new", "1")
		p := f.post(t, v, nil)
		if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, "提交过于频繁") {
			t.Fatalf("over the limit: got %d, want 429 with the message: %s", p.status, p.body)
		}
	})
}

// TestModerationOnTrackingPage hides a report's text and photos: the
// tracking page shows neither.
func TestModerationOnTrackingPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		code := f.filed(t, f.form(t, "某某人乱停车 13800000000"), pngPhoto(t))
		q, _ := f.cit.ByToken(f.sys, code)
		photo := regexpFind(f.get(t, "/public/t/"+code).body, `src="(/public/t/[^"]+/photo/\d+)\?thumb=1"`)
		mod := orgtest.As("410105001001", cases.PermCaseRead, "case.moderate")
		if _, err := f.cit.Moderate(mod, q.CaseID, citizen.Moderation{HideText: true, HideMedia: true, Note: "隐私"}); err != nil {
			t.Fatal(err)
		}
		p := f.get(t, "/public/t/"+code)
		if strings.Contains(p.body, "13800000000") || strings.Contains(p.body, "/photo/") {
			t.Fatalf("moderated page still shows the text or photo: %s", p.body)
		}
		wantIn(t, p, "内容已隐藏")
		if ph := f.get(t, photo); ph.status != http.StatusNotFound {
			t.Fatalf("hidden photo: got %d, want 404", ph.status)
		}
	})
}

func (f *fixture) postForm(t *testing.T, path, body string) page {
	t.Helper()
	res, err := noRedirect.Post(f.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func regexpFind(s, re string) string {
	m := regexpMust(re).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
