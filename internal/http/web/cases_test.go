package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

var thumbRe = regexp.MustCompile(`src="/attachments/(\d+)/thumb"`)

// TestCaseConsoleCreate files a case through the form with a photo: the
// case page shows it with the community platform's actions only, its
// photo is served to the reporter and hidden from another district, as is
// the case itself.
func TestCaseConsoleCreate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq := f.client(t)
		sq.mustLogin("sq")
		id := sq.createCase("红专路口有暴露垃圾", testPhoto(t))
		p := sq.get("/cases/" + fmtInt(id))
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "2026-410100-000001", "暴露垃圾", "红专路口有暴露垃圾", "红专路 12 号", "已上报",
			`id="act-escalate"`, `id="act-reject"`, `id="act-merge"`, `id="act-supervise"`, "巡查发现")
		wantNoBody(t, p, `id="act-sign"`, `id="act-feedback"`, `id="act-verify"`)
		m := thumbRe.FindStringSubmatch(p.body)
		if m == nil {
			t.Fatalf("case page shows no thumbnail\n%s", excerpt(p.body))
		}
		th := sq.get("/attachments/" + m[1] + "/thumb")
		wantStatus(t, th, http.StatusOK)
		if got := th.header.Get("Content-Type"); got != "image/jpeg" {
			t.Errorf("thumbnail type %q, want image/jpeg", got)
		}
		if th.header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(th.header.Get("Content-Disposition"), "thumb.jpg") {
			t.Errorf("thumbnail headers %v", th.header)
		}
		en := sq.get("/lang?l=en&next=/cases/" + fmtInt(id))
		wantBody(t, en, "Escalate", "Reported", "Patrol", "Timeline")
		full := sq.get("/attachments/" + m[1])
		wantStatus(t, full, http.StatusOK)

		zy := f.client(t)
		zy.mustLogin("zy")
		wantStatus(t, zy.get("/cases/"+fmtInt(id)), http.StatusNotFound)
		wantStatus(t, zy.get("/attachments/"+m[1]+"/thumb"), http.StatusNotFound)
		wantStatus(t, zy.get("/attachments/"+m[1]), http.StatusNotFound)
		list := zy.get("/cases")
		wantStatus(t, list, http.StatusOK)
		wantNoBody(t, list, "2026-410100-000001")
		wantStatus(t, zy.post("/cases/"+fmtInt(id)+"/reject", url.Values{"csrf": {zy.csrf(list)}, "note": {"x"}}),
			http.StatusNotFound)
	})
}

// TestCaseConsoleFormErrors checks that bad input comes back on the form
// next to its field, and nothing is created.
func TestCaseConsoleFormErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq := f.client(t)
		sq.mustLogin("sq")
		form := sq.get("/cases/new")
		wantBody(t, form, "暴露垃圾", "红专路一网格", "巡查发现")
		p := sq.post("/cases", url.Values{"csrf": {sq.csrf(form)}, "category_code": {"E010101"},
			"description": {""}, "lat": {"north"}, "grid_code": {"G410105001001"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `class="ferr"`, "flash-error")
		p = sq.post("/cases", url.Values{"csrf": {sq.csrf(form)}, "category_code": {"NOPE"},
			"description": {"x"}, "grid_code": {"G410105001001"}})
		if p.status < 400 || p.status >= 500 {
			t.Fatalf("unknown category: got %d, want a 4xx", p.status)
		}
		list := sq.get("/cases")
		wantBody(t, list, "没有符合条件的案件")
		wantStatus(t, sq.get("/cases?supervised=maybe"), http.StatusUnprocessableEntity)
	})
}

// TestCaseConsoleLoop walks one case through the six steps as the users of
// four levels, with a refused transition and an action without its CSRF
// token on the way.
func TestCaseConsoleLoop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, jd, qu, cgj, city := f.client(t), f.client(t), f.client(t), f.client(t), f.client(t)
		sq.mustLogin("sq")
		jd.mustLogin("jd")
		qu.mustLogin("admin-410105")
		cgj.mustLogin("cgj")
		city.mustLogin("admin")
		id := sq.createCase("井盖缺失", nil)
		path := "/cases/" + fmtInt(id)

		// Without its token a transition is refused and changes nothing.
		wantStatus(t, sq.post(path+"/escalate", url.Values{"note": {"上报街道"}}), http.StatusForbidden)
		// Escalating needs a reason: the form shows the problem next to it.
		p := sq.act(id, "escalate", nil)
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `id="act-escalate"`, `class="ferr"`, "已上报")
		wantBody(t, sq.get("/inbox"), "待受理", "2026-410100-000001")

		p = sq.act(id, "escalate", url.Values{"note": {"超出社区职责"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "操作成功：上报上级")
		wantNoBody(t, p, `id="act-escalate"`)
		wantStatus(t, jd.act(id, "escalate", url.Values{"note": {"需区级部门处置"}}), http.StatusOK)
		// The district platform dispatches to its 城管局, suggested by the category.
		p = qu.get(path)
		wantBody(t, p, `id="act-assign"`, `<option value="410105-cgj" selected>`)
		wantStatus(t, qu.act(id, "assign", url.Values{"lead_unit_code": {"410105-cgj"}, "note": {"请及时处置"}}), http.StatusOK)

		inbox := cgj.get("/inbox")
		wantBody(t, inbox, "待签收", "2026-410100-000001")
		p = cgj.get(path)
		wantBody(t, p, `id="act-sign"`, `id="act-return"`, `id="act-request_extension"`, "金水区城市管理局", "主办")
		wantStatus(t, cgj.act(id, "sign", nil), http.StatusOK)
		cp := cgj.get(path)
		p = cgj.postMultipart(path+"/feedback", url.Values{"csrf": {cgj.csrf(cp)}, "note": {"已补装井盖"}}, testPhoto(t))
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已反馈", "已补装井盖")
		if len(thumbRe.FindAllString(p.body, -1)) != 1 {
			t.Errorf("feedback photo not on the timeline\n%s", excerpt(p.body))
		}
		// The feedback photo is the handler's; the reporting community sees
		// the result on the case page.
		wantBody(t, sq.get(path), "已补装井盖")

		wantBody(t, qu.get("/inbox"), "待核查")
		p = qu.act(id, "verify", url.Values{"pass": {"1"}, "note": {"现场核查通过"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已办结", "现场核查通过")
		wantNoBody(t, p, `id="actions"`)
		for _, step := range []string{"采集", "上报", "交办", "签收", "反馈", "核查"} {
			if !strings.Contains(p.body[strings.Index(p.body, `id="timeline"`):], step) {
				t.Errorf("timeline lacks %s", step)
			}
		}
		wantBody(t, city.get("/cases?status=closed"), "2026-410100-000001")
		wantNoBody(t, city.get("/cases?status=reported"), "2026-410100-000001")
	})
}

// TestCaseConsoleSupervise puts a case under supervision from the city and
// finds it on the board and in the supervised filter.
func TestCaseConsoleSupervise(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, city := f.client(t), f.client(t)
		sq.mustLogin("sq")
		city.mustLogin("admin")
		id := sq.createCase("占道经营", nil)
		wantBody(t, city.get("/supervision"), "暂无督办案件")
		p := city.act(id, "supervise", url.Values{"supervisor_unit_code": {"410100"}, "deadline": {"2026-03-06T18:00"},
			"reason": {"媒体曝光"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, `id="supervised"`, "2026-03-06 18:00")
		wantNoBody(t, p, `id="act-supervise"`)
		board := city.get("/supervision")
		wantBody(t, board, "2026-410100-000001", "媒体曝光")
		wantBody(t, city.get("/cases?supervised=1"), "2026-410100-000001")
		wantNoBody(t, city.get("/cases?supervised=0"), "2026-410100-000001")
		// A bad deadline is shown on the form.
		id2 := sq.createCase("乱堆物料", nil)
		p = city.act(id2, "supervise", url.Values{"supervisor_unit_code": {"410100"}, "deadline": {"soon"}, "reason": {"x"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `id="act-supervise"`, `class="ferr"`)
	})
}

// TestCaseConsoleExceptions takes cases down the exception paths through
// the forms: rejection, merging a duplicate, return (回退), an extension
// approved, rework after a failed verification, and suspension.
func TestCaseConsoleExceptions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, jd, qu, cgj := f.client(t), f.client(t), f.client(t), f.client(t)
		sq.mustLogin("sq")
		jd.mustLogin("jd")
		qu.mustLogin("admin-410105")
		cgj.mustLogin("cgj")

		rej := sq.createCase("楼道堆物", nil)
		wantStatus(t, sq.act(rej, "reject", nil), http.StatusUnprocessableEntity)
		p := sq.act(rej, "reject", url.Values{"note": {"属物业管理范围"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "不予立案", "属物业管理范围")
		wantNoBody(t, p, `id="actions"`)

		a, b := sq.createCase("路灯不亮", nil), sq.createCase("路灯不亮（重复）", nil)
		p = sq.act(b, "merge", url.Values{"into": {"2026-410100-000002"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "已合并", `href="/cases/`+fmtInt(a)+`"`)
		wantStatus(t, sq.act(a, "merge", url.Values{"into": {"2026-410100-999999"}}), http.StatusUnprocessableEntity)

		id := sq.createCase("人行道破损", nil)
		wantStatus(t, sq.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)
		wantStatus(t, jd.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)
		wantStatus(t, qu.act(id, "assign", url.Values{"lead_unit_code": {"410105-cgj"}}), http.StatusOK)
		p = cgj.act(id, "return", url.Values{"note": {"不属本局职责"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "不属本局职责", "已回退")
		wantBody(t, qu.get("/cases/"+fmtInt(id)), `id="act-assign"`)
		wantStatus(t, qu.act(id, "assign", url.Values{"lead_unit_code": {"410105-cgj"}, "note": {"经研究仍由城管局办理"}}), http.StatusOK)

		p = cgj.act(id, "request_extension", url.Values{"limit": {"two days"}, "note": {"需采购材料"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `id="act-request_extension"`, `class="ferr"`)
		wantStatus(t, cgj.act(id, "request_extension", url.Values{"limit": {"2wd"}, "note": {"需采购材料"}}), http.StatusOK)
		p = qu.get("/cases/" + fmtInt(id))
		wantBody(t, p, `id="act-decide_extension"`, "需采购材料")
		extID := regexp.MustCompile(`name="extension_id" value="(\d+)"`).FindStringSubmatch(p.body)
		if extID == nil {
			t.Fatal("no pending extension on the decision form")
		}
		wantStatus(t, qu.act(id, "decide_extension", url.Values{"extension_id": {extID[1]}, "approve": {"1"}}), http.StatusOK)

		wantStatus(t, cgj.act(id, "sign", nil), http.StatusOK)
		wantStatus(t, cgj.act(id, "feedback", url.Values{"note": {"已修复"}}), http.StatusOK)
		wantStatus(t, qu.act(id, "verify", url.Values{"pass": {"0"}}), http.StatusUnprocessableEntity)
		p = qu.act(id, "verify", url.Values{"pass": {"0"}, "note": {"修复不彻底"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "返工 1 次", "修复不彻底")
		wantNoBody(t, p, "已办结")

		p = qu.act(id, "suspend", url.Values{"note": {"待道路整体改造"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "挂账", `id="act-resume"`)
		p = qu.act(id, "resume", nil)
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "恢复办理")
		wantNoBody(t, p, `id="act-resume"`)
	})
}

// TestCaseConsoleChannel: a citizen's report shows the channel it came in
// by, on its page and in the list; a staff case shows none.
func TestCaseConsoleChannel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sys := actor.With(context.Background(), actor.SystemActor("citizen-open311"))
		c, _, err := f.cases.CreateCase(sys, cases.CaseCreate{CategoryCode: "E010101", Description: "小区门口有暴露垃圾",
			GridCode: "G410105001001", Source: cases.SourceCitizen, Channel: cases.ChannelOpen311})
		if err != nil {
			t.Fatal(err)
		}
		sq := f.client(t)
		sq.mustLogin("sq")
		p := sq.get("/cases/" + fmtInt(c.ID))
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "群众反映", `<span id="case-channel">Open311 接口</span>`)
		wantBody(t, sq.get("/cases"), "Open311 接口")
		staff := sq.createCase("红专路口有暴露垃圾", testPhoto(t))
		wantNoBody(t, sq.get("/cases/"+fmtInt(staff)), `id="case-channel"`)
		en := sq.get("/lang?l=en&next=/cases/" + fmtInt(c.ID))
		wantBody(t, en, "Open311 API")
	})
}
