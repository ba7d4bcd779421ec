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
