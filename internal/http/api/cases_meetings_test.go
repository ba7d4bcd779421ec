package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// toDistrict files a case and escalates it to the 金水区 platform by API.
func (f *caseFixture) toDistrict(desc string) cases.Case {
	f.t.Helper()
	c := f.create(desc)
	f.post("community", fmt.Sprintf("/cases/%d/escalate", c.ID), map[string]any{"note": "超出社区职能"}, http.StatusOK)
	return f.post("street", fmt.Sprintf("/cases/%d/escalate", c.ID), map[string]any{"note": "需区级协调"}, http.StatusOK)
}

// TestMeetingsAPI: a case pushed back twice is found with returned_min,
// a district meeting decides its handler, and concluding assigns it; an
// outsider sees 404 throughout.
func TestMeetingsAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		c := f.toDistrict("商户占道，部门互相推诿")
		path := fmt.Sprintf("/cases/%d", c.ID)
		for i := 0; i < 2; i++ {
			f.post("district", path+"/assign", map[string]any{"lead_unit_code": "410105-cgj"}, http.StatusOK)
			f.post("distcgj", path+"/return", map[string]any{"note": "不属于本部门"}, http.StatusOK)
		}
		var list struct {
			Items []cases.Case `json:"items"`
			Total int          `json:"total"`
		}
		f.do("GET", "/api/v1/cases?returned_min=2", f.tok["district"], nil).json(t, &list)
		if list.Total != 1 || list.Items[0].ID != c.ID || list.Items[0].ReturnCount != 2 {
			t.Fatalf("returned_min=2: %+v", list)
		}
		if res := f.do("GET", "/api/v1/cases?returned_min=x", f.tok["district"], nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad returned_min: %d", res.status)
		}
		in := map[string]any{"kind": "meeting", "title": "占道经营联席会议", "held_at": "2026-03-02T10:00:00+08:00",
			"place": "区政府会议室", "convener_unit_code": "410105", "unit_codes": []string{"410105-cgj"},
			"case_ids": []int64{c.ID}}
		if res := f.do("POST", "/api/v1/meetings", f.tok["outsider"], in); res.status != http.StatusNotFound {
			t.Fatalf("outsider convenes: %d %s", res.status, res.body)
		}
		res := f.do("POST", "/api/v1/meetings", f.tok["district"], in)
		if res.status != http.StatusCreated {
			t.Fatalf("create meeting: %d %s", res.status, res.body)
		}
		var m cases.Meeting
		res.json(t, &m)
		mp := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
		if res := f.do("GET", mp, f.tok["outsider"], nil); res.status != http.StatusNotFound {
			t.Fatalf("outsider reads meeting: %d", res.status)
		}
		if res := f.do("POST", mp+"/decisions", f.tok["district"], map[string]any{"case_id": c.ID,
			"lead_unit_code": "410102001"}); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("decision outside the district: %d %s", res.status, res.body)
		}
		if res := f.do("POST", mp+"/decisions", f.tok["district"], map[string]any{"case_id": c.ID,
			"lead_unit_code": "410105-cgj", "note": "会议决定由区城管局牵头"}); res.status != http.StatusCreated {
			t.Fatalf("decision: %d %s", res.status, res.body)
		}
		if res := f.do("POST", mp+"/conclude", f.tok["outsider"], nil); res.status != http.StatusNotFound {
			t.Fatalf("outsider concludes: %d", res.status)
		}
		res = f.do("POST", mp+"/conclude", f.tok["district"], map[string]any{"minutes": "明确由区城管局办理"})
		if res.status != http.StatusOK {
			t.Fatalf("conclude: %d %s", res.status, res.body)
		}
		res.json(t, &m)
		if m.Status != cases.MeetingConcluded || m.Decisions[0].Status != "applied" {
			t.Fatalf("meeting %+v", m)
		}
		got := f.get("distcgj", c.ID, http.StatusOK)
		wantStatus(t, got, cases.StatusAssigned)
		if got.CurrentUnitCode != "410105-cgj" || len(got.Meetings) != 1 {
			t.Fatalf("after the meeting: at %s, meetings %v", got.CurrentUnitCode, got.Meetings)
		}
		var ms struct {
			Items []cases.Meeting `json:"items"`
			Total int             `json:"total"`
		}
		f.do("GET", fmt.Sprintf("/api/v1/meetings?case_id=%d", c.ID), f.tok["distcgj"], nil).json(t, &ms)
		if ms.Total != 1 {
			t.Fatalf("participant lists %d meetings", ms.Total)
		}
		f.do("GET", "/api/v1/meetings", f.tok["outsider"], nil).json(t, &ms)
		if ms.Total != 0 {
			t.Fatalf("outsider lists %d meetings", ms.Total)
		}
	})
}

func TestAccountabilityAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		c := f.toDistrict("媒体曝光的积水点")
		path := fmt.Sprintf("/cases/%d", c.ID)
		f.post("district", path+"/supervise", map[string]any{"supervisor_unit_code": "410105",
			"deadline": f.clock.Now().Add(72 * time.Hour).Format(time.RFC3339), "reason": "媒体曝光"}, http.StatusOK)
		rec := map[string]any{"unit_code": "410105-cgj", "person_name": "李四", "kind": "notice", "note": "通报批评"}
		if res := f.do("POST", "/api/v1"+path+"/supervision/accountability", f.tok["outsider"], rec); res.status != http.StatusNotFound {
			t.Fatalf("outsider: %d", res.status)
		}
		res := f.do("POST", "/api/v1"+path+"/supervision/accountability", f.tok["district"], rec)
		if res.status != http.StatusCreated {
			t.Fatalf("accountability: %d %s", res.status, res.body)
		}
		got := f.get("district", c.ID, http.StatusOK)
		if got.Supervision == nil || len(got.Supervision.Accountability) != 1 ||
			got.Supervision.Accountability[0].Kind != "notice" {
			t.Fatalf("supervision %+v", got.Supervision)
		}
		var board struct {
			Total int `json:"total"`
		}
		f.do("GET", "/api/v1/supervision?limit=1", f.tok["district"], nil).json(t, &board)
		if board.Total != 1 {
			t.Fatalf("board total %d", board.Total)
		}
	})
}

// TestMeetingEditAPI: an open meeting is edited (PATCH, with the version
// check), loses a decision, is cancelled with a reason and then refuses
// every change; an outsider gets 404 and a participant 403.
func TestMeetingEditAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		c1, c2 := f.toDistrict("占道经营"), f.toDistrict("违规广告牌")
		res := f.do("POST", "/api/v1/meetings", f.tok["district"], map[string]any{"title": "联席会议",
			"held_at": "2026-03-02T10:00:00+08:00", "convener_unit_code": "410105", "unit_codes": []string{"410105-cgj"},
			"case_ids": []int64{c1.ID, c2.ID}, "decisions": []map[string]any{{"case_id": c1.ID, "lead_unit_code": "410105-cgj"},
				{"case_id": c2.ID, "lead_unit_code": "410105-cgj"}}})
		if res.status != http.StatusCreated {
			t.Fatalf("create meeting: %d %s", res.status, res.body)
		}
		var m cases.Meeting
		res.json(t, &m)
		mp := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
		patch := map[string]any{"title": "改期的联席会议", "held_at": "2026-03-04T15:00:00+08:00", "version": m.Version}
		for _, c := range []struct {
			who    string
			body   any
			status int
			field  string
			reason string
		}{
			{"outsider", patch, http.StatusNotFound, "", ""},
			{"distcgj", patch, http.StatusForbidden, "", ""},
			{"district", map[string]any{"title": ""}, http.StatusUnprocessableEntity, "title", ""},
			{"district", map[string]any{"held_at": "soon"}, http.StatusBadRequest, "", ""},
			{"district", map[string]any{"case_ids": []int64{}}, http.StatusUnprocessableEntity, "case_ids", ""},
			{"district", map[string]any{"unit_codes": []string{"nope"}}, http.StatusUnprocessableEntity, "unit_codes", ""},
			{"district", map[string]any{"title": "x", "version": m.Version + 5}, http.StatusConflict, "", "stale"},
		} {
			res := f.do("PATCH", mp, f.tok[c.who], c.body)
			if res.status != c.status {
				t.Fatalf("%s PATCH %v: got %d %s, want %d", c.who, c.body, res.status, res.body, c.status)
			}
			if e := res.errorBody(t); (c.field != "" && e.Fields[c.field] == "") || (c.reason != "" && e.Reason != c.reason) {
				t.Fatalf("%s PATCH %v: error %+v, want field %q reason %q", c.who, c.body, e, c.field, c.reason)
			}
		}
		res = f.do("PATCH", mp, f.tok["district"], patch)
		if res.status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.status, res.body)
		}
		res.json(t, &m)
		if m.Title != "改期的联席会议" || m.HeldAt.Hour() != 7 || m.Version != 2 || len(m.Decisions) != 2 {
			t.Fatalf("patched %+v", m)
		}
		dp := fmt.Sprintf("%s/decisions/%d", mp, m.Decisions[0].ID)
		if res := f.do("DELETE", dp, f.tok["outsider"], nil); res.status != http.StatusNotFound {
			t.Fatalf("outsider removes a decision: %d", res.status)
		}
		if res := f.do("DELETE", dp, f.tok["district"], nil); res.status != http.StatusNoContent {
			t.Fatalf("remove decision: %d %s", res.status, res.body)
		}
		if res := f.do("DELETE", dp, f.tok["district"], nil); res.status != http.StatusNotFound {
			t.Fatalf("remove it again: %d %s", res.status, res.body)
		}
		if res := f.do("POST", mp+"/cancel", f.tok["district"], map[string]any{"reason": " "}); res.status != http.StatusUnprocessableEntity ||
			res.errorBody(t).Fields["reason"] == "" {
			t.Fatalf("cancel without a reason: %d %s", res.status, res.body)
		}
		if res := f.do("POST", mp+"/cancel", f.tok["outsider"], map[string]any{"reason": "x"}); res.status != http.StatusNotFound {
			t.Fatalf("outsider cancels: %d", res.status)
		}
		res = f.do("POST", mp+"/cancel", f.tok["district"], map[string]any{"reason": "已协调解决"})
		if res.status != http.StatusOK {
			t.Fatalf("cancel: %d %s", res.status, res.body)
		}
		res.json(t, &m)
		if m.Status != cases.MeetingCancelled || m.CancelReason != "已协调解决" || m.CancelledAt == nil {
			t.Fatalf("cancelled %+v", m)
		}
		for _, c := range []struct {
			method, path string
			body         any
		}{{"PATCH", mp, map[string]any{"title": "x"}}, {"POST", mp + "/cancel", map[string]any{"reason": "x"}},
			{"POST", mp + "/conclude", nil},
			{"POST", mp + "/decisions", map[string]any{"case_id": c1.ID, "lead_unit_code": "410105-cgj"}},
			{"DELETE", fmt.Sprintf("%s/decisions/%d", mp, m.Decisions[0].ID), nil}} {
			res := f.do(c.method, c.path, f.tok["district"], c.body)
			if res.status != http.StatusConflict || res.errorBody(t).Reason != cases.ReasonInvalidTransition {
				t.Fatalf("%s %s after cancel: %d %s", c.method, c.path, res.status, res.body)
			}
		}
		var ms struct {
			Total int `json:"total"`
		}
		f.do("GET", "/api/v1/meetings?status=cancelled", f.tok["district"], nil).json(t, &ms)
		if ms.Total != 1 {
			t.Fatalf("listed %d cancelled", ms.Total)
		}
		wantStatus(t, f.get("district", c1.ID, http.StatusOK), cases.StatusReported)
	})
}
