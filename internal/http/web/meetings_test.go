package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

var meetingIDRe = regexp.MustCompile(`^/meetings/(\d+)$`)

// TestMeetingConsole convenes a joint meeting at the district platform
// about an escalated case, adds a decision and concludes it: the case is
// assigned to the 城管局. Another district cannot open the meeting, and a
// post without the CSRF token is refused.
func TestMeetingConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, jd, qu, zy := f.client(t), f.client(t), f.client(t), f.client(t)
		sq.mustLogin("sq")
		jd.mustLogin("jd")
		qu.mustLogin("admin-410105")
		zy.mustLogin("zy")
		id := sq.createCase("河道漂浮物", nil)
		wantStatus(t, sq.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)
		wantStatus(t, jd.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)

		form := qu.get("/meetings/new?case_ids=2026-410100-000001")
		wantStatus(t, form, http.StatusOK)
		wantBody(t, form, "联席会议", "联合执法", `value="2026-410100-000001"`)
		// Without its token the form is refused.
		wantStatus(t, qu.post("/meetings", url.Values{"title": {"x"}}), http.StatusForbidden)
		// A bad time comes back on the form.
		p := qu.post("/meetings", url.Values{"csrf": {qu.csrf(form)}, "kind": {"meeting"}, "title": {"河道治理联席会"},
			"held_at": {"tomorrow"}, "convener_unit_code": {"410105"}, "case_ids": {"2026-410100-000001"}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `class="ferr"`, "河道治理联席会")
		p = qu.post("/meetings", url.Values{"csrf": {qu.csrf(form)}, "kind": {"meeting"}, "title": {"河道治理联席会"},
			"held_at": {"2026-03-02T10:00"}, "place": {"区政府三楼会议室"}, "convener_unit_code": {"410105"},
			"unit_codes": {"410105-cgj, 410105001"}, "case_ids": {"2026-410100-000001"}, "minutes": {"研究河道漂浮物处置"}})
		wantStatus(t, p, http.StatusOK)
		m := meetingIDRe.FindStringSubmatch(p.url.Path)
		if m == nil {
			t.Fatalf("create meeting: landed on %s\n%s", p.url, excerpt(p.body))
		}
		path := "/meetings/" + m[1]
		wantBody(t, p, "会议已召集", "河道治理联席会", "区政府三楼会议室", "金水区城市管理局", `href="/cases/`+fmtInt(id)+`"`,
			`id="act-decision"`, `id="act-conclude"`, "进行中")
		wantBody(t, qu.get("/meetings"), "河道治理联席会")
		wantBody(t, qu.get("/meetings?status=open"), "河道治理联席会")
		wantNoBody(t, qu.get("/meetings?status=concluded"), "河道治理联席会")
		wantStatus(t, qu.get("/meetings?status=maybe"), http.StatusUnprocessableEntity)

		// The outsider sees neither the meeting nor it in the list.
		wantStatus(t, zy.get(path), http.StatusNotFound)
		wantNoBody(t, zy.get("/meetings"), "河道治理联席会")
		// Without its token a decision is refused.
		wantStatus(t, qu.post(path+"/decisions", url.Values{"case_id": {fmtInt(id)}, "lead_unit_code": {"410105-cgj"}}),
			http.StatusForbidden)

		p = qu.post(path+"/decisions", url.Values{"csrf": {qu.csrf(p)}, "case_id": {fmtInt(id)},
			"lead_unit_code": {"410105-cgj"}, "note": {"城管局牵头清理"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "决定已添加", `id="decisions"`, "城管局牵头清理", "待执行")
		// A second decision on the same case is refused on the form.
		p2 := qu.post(path+"/decisions", url.Values{"csrf": {qu.csrf(p)}, "case_id": {fmtInt(id)},
			"lead_unit_code": {"410105-cgj"}})
		wantStatus(t, p2, http.StatusUnprocessableEntity)
		wantBody(t, p2, `class="ferr"`)

		p = qu.post(path+"/conclude", url.Values{"csrf": {qu.csrf(p)}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "会议已结束", "已结束", "已交办")
		wantNoBody(t, p, `id="act-conclude"`)

		cp := qu.get("/cases/" + fmtInt(id))
		wantStatus(t, cp, http.StatusOK)
		wantBody(t, cp, `id="assignments"`, "金水区城市管理局", "主办", "会议交办", `href="`+path+`"`)
		en := qu.get("/lang?l=en&next=" + path)
		wantBody(t, en, "Joint meeting", "Concluded", "Decisions")
	})
}

// TestAccountabilityConsole puts a case under supervision from the city
// and records an accountability measure through the case page's form.
func TestAccountabilityConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, city := f.client(t), f.client(t)
		sq.mustLogin("sq")
		city.mustLogin("admin")
		id := sq.createCase("占道经营", nil)
		wantStatus(t, city.act(id, "supervise", url.Values{"supervisor_unit_code": {"410100"},
			"deadline": {"2026-03-06T18:00"}, "reason": {"媒体曝光"}}), http.StatusOK)
		p := city.get("/cases/" + fmtInt(id))
		wantBody(t, p, `id="act-accountability"`, "约谈", "通报批评", "记过")
		// The community may read the case but not hold the city's supervision.
		wantNoBody(t, sq.get("/cases/"+fmtInt(id)), `id="act-accountability"`)
		wantStatus(t, city.post("/cases/"+fmtInt(id)+"/accountability", url.Values{"kind": {"talk"}, "note": {"x"}}),
			http.StatusForbidden)

		p = city.act(id, "accountability", url.Values{"kind": {"talk"}, "note": {""}})
		wantStatus(t, p, http.StatusUnprocessableEntity)
		wantBody(t, p, `id="act-accountability"`, `class="ferr"`)
		p = city.act(id, "accountability", url.Values{"kind": {"notice"}, "unit_code": {"410105001001"},
			"person_name": {"张三"}, "note": {"处置迟缓"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "操作成功：问责", `id="accountability-list"`, "通报批评", "张三", "处置迟缓")
		wantBody(t, sq.get("/cases/"+fmtInt(id)), `id="accountability-list"`, "通报批评", "处置迟缓")
	})
}

// TestMeetingEditConsole edits an open meeting from its page (adding a
// case), removes a pending decision and cancels it with a reason; a
// participant may not change it, an outsider does not find it, and a
// cancelled meeting shows its reason and refuses further changes.
func TestMeetingEditConsole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		sq, jd, qu, zy := f.client(t), f.client(t), f.client(t), f.client(t)
		sq.mustLogin("sq")
		jd.mustLogin("jd")
		qu.mustLogin("admin-410105")
		zy.mustLogin("zy")
		var ids []int64
		for _, desc := range []string{"河道漂浮物", "桥下堆放杂物"} {
			id := sq.createCase(desc, nil)
			wantStatus(t, sq.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)
			wantStatus(t, jd.act(id, "escalate", url.Values{"note": {"上报"}}), http.StatusOK)
			ids = append(ids, id)
		}
		form := qu.get("/meetings/new")
		p := qu.post("/meetings", url.Values{"csrf": {qu.csrf(form)}, "kind": {"meeting"}, "title": {"河道治理联席会"},
			"held_at": {"2026-03-02T10:00"}, "convener_unit_code": {"410105"}, "unit_codes": {"410105-cgj, 410105001"},
			"case_ids": {fmtInt(ids[0])}})
		m := meetingIDRe.FindStringSubmatch(p.url.Path)
		if m == nil {
			t.Fatalf("create meeting: landed on %s\n%s", p.url, excerpt(p.body))
		}
		path := "/meetings/" + m[1]
		wantBody(t, p, `id="act-edit"`, `id="act-cancel"`, `value="河道治理联席会"`, `value="2026-03-02T10:00"`,
			`name="version" value="1"`)
		// The participating street reads the meeting but may not change it.
		jp := jd.get(path)
		wantStatus(t, jp, http.StatusOK)
		wantNoBody(t, jp, `id="act-edit"`, `id="act-cancel"`)
		wantStatus(t, jd.post(path, url.Values{"csrf": {jd.csrf(jp)}, "title": {"x"}, "held_at": {"2026-03-02T10:00"},
			"case_ids": {fmtInt(ids[0])}}), http.StatusForbidden)
		zp := zy.get("/meetings")
		wantStatus(t, zy.post(path+"/cancel", url.Values{"csrf": {zy.csrf(zp)}, "reason": {"x"}}), http.StatusNotFound)

		edit := url.Values{"csrf": {qu.csrf(p)}, "version": {"1"}, "title": {""}, "held_at": {"2026-03-05T14:30"},
			"place": {"区城管局会议室"}, "unit_codes": {"410105-cgj, 410105001"},
			"case_ids": {fmtInt(ids[0]) + ", " + fmtInt(ids[1])}, "minutes": {""}}
		bad := qu.post(path, edit)
		wantStatus(t, bad, http.StatusUnprocessableEntity)
		wantBody(t, bad, `class="ferr"`, `value="区城管局会议室"`) // the posted values come back
		edit.Set("title", "河道及桥下治理联席会")
		p = qu.post(path, edit)
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "会议已修改", "河道及桥下治理联席会", "区城管局会议室", `href="/cases/`+fmtInt(ids[1])+`"`,
			`name="version" value="2"`)
		// The same form again is stale: the meeting changed since.
		wantStatus(t, qu.post(path, edit), http.StatusConflict)

		p = qu.post(path+"/decisions", url.Values{"csrf": {qu.csrf(p)}, "case_id": {fmtInt(ids[1])},
			"lead_unit_code": {"410105-cgj"}, "note": {"城管局清理桥下杂物"}})
		wantBody(t, p, "城管局清理桥下杂物", `class="inline remove-decision"`)
		action := regexp.MustCompile(`action="(` + path + `/decisions/\d+/delete)"`).FindStringSubmatch(string(p.body))
		if action == nil {
			t.Fatalf("no remove button\n%s", excerpt(p.body))
		}
		p = qu.post(action[1], url.Values{"csrf": {qu.csrf(p)}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "决定已移除", "暂无决定")
		p = qu.post(path+"/decisions", url.Values{"csrf": {qu.csrf(p)}, "case_id": {fmtInt(ids[0])},
			"lead_unit_code": {"410105-cgj"}})

		c := qu.post(path+"/cancel", url.Values{"csrf": {qu.csrf(p)}, "reason": {" "}})
		wantStatus(t, c, http.StatusUnprocessableEntity)
		wantBody(t, c, `id="act-cancel"`, `class="ferr"`)
		p = qu.post(path+"/cancel", url.Values{"csrf": {qu.csrf(p)}, "reason": {"部门已自行协商解决"}})
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "会议已取消", `id="cancel-reason">部门已自行协商解决`, "已取消", "未执行（会议已取消）")
		wantNoBody(t, p, `id="act-edit"`, `id="act-cancel"`, `id="act-conclude"`, "remove-decision")
		edit.Set("version", "3")
		wantStatus(t, qu.post(path, edit), http.StatusConflict)
		wantBody(t, qu.get("/meetings?status=cancelled"), "河道及桥下治理联席会")
		wantNoBody(t, qu.get("/meetings?status=open"), "河道及桥下治理联席会")
		wantBody(t, qu.get("/lang?l=en&next="+path), "Cancelled", "Reason for cancelling")
	})
}
