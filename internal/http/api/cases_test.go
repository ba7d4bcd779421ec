package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"gridgov/internal/auth"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// caseFixture extends the API fixture with the case module, departments,
// a grid, case roles and one user per level of the loop.
type caseFixture struct {
	*fixture
	tok map[string]string
}

func newCaseFixture(t *testing.T, d *db.DB) *caseFixture {
	t.Helper()
	f := newFixture(t, d)
	for _, u := range []org.UnitInput{
		{Code: "410100-cgj", Name: "市城市管理局", Kind: org.Department, ParentCode: "410100"},
		{Code: "410105-cgj", Name: "金水区城市管理局", Kind: org.Department, ParentCode: "410105"},
	} {
		if _, err := f.org.CreateUnit(f.sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	if _, err := f.org.CreateGrid(f.sys, org.GridInput{Code: "G410105001001", Name: "一网格", Level: 3,
		UnitCode: "410105001001"}); err != nil {
		t.Fatalf("grid: %v", err)
	}
	roles := map[string][]string{
		"case_worker":   {cases.PermCaseRead, cases.PermCaseCreate},
		"case_platform": {cases.PermCaseRead, cases.PermCaseDispatch, cases.PermCaseHandle, cases.PermCaseSupervise},
		// Handlers document their feedback with photos.
		"case_handler": {cases.PermCaseRead, cases.PermCaseHandle, blob.PermUpload},
	}
	for name, perms := range roles {
		if _, err := f.auth.CreateRole(f.sys, auth.RoleInput{Name: name, Title: name, Permissions: perms}); err != nil {
			t.Fatalf("role %s: %v", name, err)
		}
	}
	cf := &caseFixture{fixture: f, tok: map[string]string{}}
	for _, u := range []struct{ name, unit, role string }{
		{"worker", "410105001001", "case_worker"},
		{"community", "410105001001", "case_platform"},
		{"street", "410105001", "case_platform"},
		{"district", "410105", "case_platform"},
		{"city", "410100", "case_platform"},
		{"citycgj", "410100-cgj", "case_handler"},
		{"distcgj", "410105-cgj", "case_handler"},
		{"outsider", "410102001001", "case_platform"},
	} {
		f.createUser(u.name, u.unit, u.role)
		cf.tok[u.name] = f.login(u.name)
	}
	return cf
}

// post sends a transition as user and checks the status; it returns the
// case in the answer (when 2xx).
func (f *caseFixture) post(user, path string, body any, want int) cases.Case {
	f.t.Helper()
	res := f.do("POST", "/api/v1"+path, f.tok[user], body)
	if res.status != want {
		f.t.Fatalf("%s POST %s: got %d %s, want %d", user, path, res.status, res.body, want)
	}
	var c cases.Case
	if want < 300 {
		res.json(f.t, &c)
	}
	return c
}

// reason posts and checks a 409 with reason.
func (f *caseFixture) conflict(user, path string, body any, reason string) {
	f.t.Helper()
	res := f.do("POST", "/api/v1"+path, f.tok[user], body)
	if res.status != http.StatusConflict || res.errorBody(f.t).Reason != reason {
		f.t.Fatalf("%s POST %s: got %d %s, want 409 %s", user, path, res.status, res.body, reason)
	}
}

func (f *caseFixture) get(user string, id int64, want int) cases.Case {
	f.t.Helper()
	res := f.do("GET", fmt.Sprintf("/api/v1/cases/%d", id), f.tok[user], nil)
	if res.status != want {
		f.t.Fatalf("%s GET case %d: got %d %s, want %d", user, id, res.status, res.body, want)
	}
	var c cases.Case
	if want == http.StatusOK {
		res.json(f.t, &c)
	}
	return c
}

func (f *caseFixture) create(desc string) cases.Case {
	f.t.Helper()
	return f.post("worker", "/cases", map[string]any{"category_code": "E010101", "description": desc,
		"lat": 34.77, "lng": 113.68, "address": "经八路1号", "source": "patrol", "grid_code": "G410105001001"},
		http.StatusCreated)
}

func has(acts []cases.Action, a cases.Action) bool {
	for _, x := range acts {
		if x == a {
			return true
		}
	}
	return false
}

func wantStatus(t *testing.T, c cases.Case, st cases.Status) {
	t.Helper()
	if c.Status != st {
		t.Fatalf("case %s: got status %s, want %s", c.Number, c.Status, st)
	}
}

// TestCaseLoopAcrossLevels drives one case through the six steps by API:
// filed by a grid worker, escalated community → street → district → city,
// assigned by the city to its 城管局 with the district's as co-handler,
// handled, reworked once, and closed.
func TestCaseLoopAcrossLevels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		body := map[string]any{"category_code": "E010101", "description": "路边有暴露垃圾", "lat": 34.77,
			"lng": 113.68, "address": "经八路1号", "source": "patrol", "grid_code": "G410105001001"}
		key := map[string]string{"Idempotency-Key": "k-1"}
		res := f.doHeader("POST", "/api/v1/cases", f.tok["worker"], body, key)
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var c cases.Case
		res.json(t, &c)
		if c.ID == 0 || c.Number == "" || c.GridCode != "G410105001001" || c.UnitCode != "410105001001" ||
			c.Deadline == nil || c.Status != cases.StatusReported {
			t.Fatalf("created %s", res.body)
		}
		again := f.doHeader("POST", "/api/v1/cases", f.tok["worker"], body, key)
		var c2 cases.Case
		again.json(t, &c2)
		if again.status != http.StatusOK || c2.ID != c.ID {
			t.Fatalf("retry: %d %s, want 200 with id %d", again.status, again.body, c.ID)
		}
		body["description"] = "另一件事"
		if r := f.doHeader("POST", "/api/v1/cases", f.tok["worker"], body, key); r.status != http.StatusUnprocessableEntity ||
			r.errorBody(t).Fields["Idempotency-Key"] == "" {
			t.Fatalf("reused key: %d %s, want 422 naming Idempotency-Key", r.status, r.body)
		}
		id := fmt.Sprintf("/cases/%d", c.ID)
		f.get("outsider", c.ID, http.StatusNotFound)
		f.get("citycgj", c.ID, http.StatusNotFound)
		if got := f.get("community", c.ID, http.StatusOK); !has(got.AllowedActions, cases.ActAssign) {
			t.Fatalf("community may not assign: %v", got.AllowedActions)
		}
		f.post("worker", id+"/escalate", map[string]any{"note": "x"}, http.StatusForbidden)
		f.post("community", id+"/escalate", map[string]any{"note": "超出社区处置能力"}, http.StatusOK)
		f.post("street", id+"/escalate", map[string]any{"note": "需区级协调"}, http.StatusOK)
		c = f.post("district", id+"/escalate", map[string]any{"note": "需市级部门"}, http.StatusOK)
		if c.CurrentUnitCode != "410100" {
			t.Fatalf("escalated to %s, want 410100", c.CurrentUnitCode)
		}
		// The city may keep a case itself, but not name itself as its own co-handler.
		f.post("city", id+"/assign", map[string]any{"lead_unit_code": "410100-cgj",
			"co_unit_codes": []string{"410100"}}, http.StatusUnprocessableEntity)
		c = f.post("city", id+"/assign", map[string]any{"lead_unit_code": "410100-cgj",
			"co_unit_codes": []string{"410105-cgj"}, "note": "联合处置"}, http.StatusOK)
		wantStatus(t, c, cases.StatusAssigned)
		f.get("citycgj", c.ID, http.StatusOK)
		f.get("outsider", c.ID, http.StatusNotFound)
		f.conflict("citycgj", id+"/feedback", map[string]any{"note": "未签收"}, cases.ReasonInvalidTransition)
		c = f.post("citycgj", id+"/sign", nil, http.StatusOK)
		wantStatus(t, c, cases.StatusHandling)
		f.post("distcgj", id+"/sign", nil, http.StatusOK)
		f.conflict("citycgj", id+"/feedback", map[string]any{"note": "已清理"}, cases.ReasonInvalidTransition)
		f.post("distcgj", id+"/feedback", map[string]any{"note": "区局已配合清运"}, http.StatusOK)
		up := f.upload(f.tok["citycgj"], "file", "清理后.jpg", photoWithGPS(t), "case_step")
		if up.status != http.StatusCreated {
			t.Fatalf("upload: got %d %s, want 201", up.status, up.body)
		}
		var photo blob.Attachment
		up.json(t, &photo)
		c = f.post("citycgj", id+"/feedback", map[string]any{"note": "已清理", "attachments": []int64{photo.ID}}, http.StatusOK)
		wantStatus(t, c, cases.StatusFeedback)
		f.post("citycgj", id+"/verify", map[string]any{"pass": true}, http.StatusForbidden)
		c = f.post("city", id+"/verify", map[string]any{"pass": false, "note": "仍有残留"}, http.StatusOK)
		if c.Status != cases.StatusHandling || c.ReworkCount != 1 {
			t.Fatalf("rework: %s rework %d", c.Status, c.ReworkCount)
		}
		f.post("citycgj", id+"/feedback", map[string]any{"note": "已彻底清理"}, http.StatusOK)
		c = f.post("worker", id+"/verify", map[string]any{"pass": true, "note": "现场核查通过"}, http.StatusOK)
		wantStatus(t, c, cases.StatusClosed)
		res = f.do("GET", "/api/v1"+id+"/steps", f.tok["worker"], nil)
		var steps list[cases.Step]
		res.json(t, &steps)
		want := []cases.Action{cases.ActCreate, cases.ActEscalate, cases.ActEscalate, cases.ActEscalate,
			cases.ActAssign, cases.ActSign, cases.ActSign, cases.ActFeedback, cases.ActFeedback, cases.ActVerify,
			cases.ActFeedback, cases.ActVerify}
		if len(steps.Items) != len(want) {
			t.Fatalf("got %d steps %s, want %d", len(steps.Items), res.body, len(want))
		}
		for i, s := range steps.Items {
			if s.Action != want[i] {
				t.Errorf("step %d: got %s, want %s", i, s.Action, want[i])
			}
		}
	})
}

// TestCaseExceptionPaths covers rejection, return, extension approve and
// refuse, supervision with its board, suspension and the inbox.
func TestCaseExceptionPaths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		rej := f.create("重复上报")
		f.post("community", fmt.Sprintf("/cases/%d/reject", rej.ID), map[string]any{}, http.StatusUnprocessableEntity)
		c := f.post("community", fmt.Sprintf("/cases/%d/reject", rej.ID), map[string]any{"note": "不属于受理范围"}, http.StatusOK)
		wantStatus(t, c, cases.StatusRejected)
		f.conflict("community", fmt.Sprintf("/cases/%d/assign", rej.ID), map[string]any{"lead_unit_code": "410105-cgj"},
			cases.ReasonInvalidTransition)

		c = f.create("垃圾堆放")
		id := fmt.Sprintf("/cases/%d", c.ID)
		inbox := f.do("GET", "/api/v1/inbox", f.tok["community"], nil)
		var items list[cases.InboxItem]
		inbox.json(t, &items)
		if len(items.Items) != 1 || items.Items[0].Task != "accept" {
			t.Fatalf("community inbox %s", inbox.body)
		}
		f.post("community", id+"/escalate", map[string]any{"note": "上报街道"}, http.StatusOK)
		f.post("street", id+"/escalate", map[string]any{"note": "上报区"}, http.StatusOK)
		f.post("district", id+"/assign", map[string]any{"lead_unit_code": "410105-cgj"}, http.StatusOK)
		c = f.post("distcgj", id+"/return", map[string]any{"note": "不属于本部门职责"}, http.StatusOK)
		if c.Status != cases.StatusReported || c.CurrentUnitCode != "410105" {
			t.Fatalf("returned to %s %s, want reported at 410105", c.Status, c.CurrentUnitCode)
		}
		c = f.post("district", id+"/assign", map[string]any{"lead_unit_code": "410105-cgj", "version": c.Version}, http.StatusOK)
		f.post("district", id+"/assign", map[string]any{"lead_unit_code": "410105-cgj", "version": c.Version - 1}, http.StatusConflict)
		f.post("distcgj", id+"/sign", nil, http.StatusOK)
		res := f.do("POST", "/api/v1"+id+"/extension", f.tok["distcgj"], map[string]any{"limit": "2wd", "note": "需调集车辆"})
		var ext cases.Extension
		res.json(t, &ext)
		if res.status != http.StatusCreated || ext.ID == 0 {
			t.Fatalf("extension: %d %s", res.status, res.body)
		}
		before := f.get("district", c.ID, http.StatusOK)
		f.post("distcgj", fmt.Sprintf("%s/extension/%d/decision", id, ext.ID), map[string]any{"approve": true}, http.StatusForbidden)
		after := f.post("district", fmt.Sprintf("%s/extension/%d/decision", id, ext.ID), map[string]any{"approve": true}, http.StatusOK)
		if !after.Deadline.After(*before.Deadline) {
			t.Fatalf("approved extension: deadline %v, was %v", after.Deadline, before.Deadline)
		}
		res = f.do("POST", "/api/v1"+id+"/extension", f.tok["distcgj"], map[string]any{"limit": "5wd", "note": "再延期"})
		res.json(t, &ext)
		refused := f.post("district", fmt.Sprintf("%s/extension/%d/decision", id, ext.ID),
			map[string]any{"approve": false, "note": "不予延期"}, http.StatusOK)
		if !refused.Deadline.Equal(*after.Deadline) {
			t.Fatalf("refused extension moved the deadline to %v", refused.Deadline)
		}
		sup := map[string]any{"supervisor_unit_code": "410100", "reason": "媒体曝光", "deadline": f.clock.Now().Add(72 * time.Hour)}
		f.post("district", id+"/supervise", sup, http.StatusForbidden)
		c = f.post("city", id+"/supervise", sup, http.StatusOK)
		if !c.Supervised || c.Supervision == nil {
			t.Fatalf("supervise: %+v", c)
		}
		board := f.do("GET", "/api/v1/supervision", f.tok["city"], nil)
		var sups list[cases.Supervision]
		board.json(t, &sups)
		if len(sups.Items) != 1 || sups.Items[0].CaseID != c.ID {
			t.Fatalf("board %s", board.body)
		}
		lst := f.do("GET", "/api/v1/cases?supervised=true&status=handling", f.tok["street"], nil)
		var cs list[cases.Case]
		lst.json(t, &cs)
		if cs.Total != 1 {
			t.Fatalf("supervised list %s", lst.body)
		}
		c = f.post("district", id+"/suspend", map[string]any{"note": "需长期整治"}, http.StatusOK)
		wantStatus(t, c, cases.StatusSuspended)
		c = f.post("district", id+"/resume", nil, http.StatusOK)
		wantStatus(t, c, cases.StatusHandling)
		if r := f.do("GET", "/api/v1/cases?overdue=purple", f.tok["city"], nil); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad filter: %d", r.status)
		}
		if r := f.do("GET", "/api/v1/cases", f.tok["outsider"], nil); r.status != http.StatusOK {
			t.Fatalf("outsider list: %d", r.status)
		} else if r.json(t, &cs); cs.Total != 0 {
			t.Fatalf("outsider sees %d cases", cs.Total)
		}
	})
}
