package api

import (
	"fmt"
	"strings"
	"testing"

	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry"
	"gridgov/internal/seal"
)

// newSecurityAPI is the people API with a registry allowing two exact
// identifier searches an hour.
func newSecurityAPI(t *testing.T, d *db.DB) *peopleAPI {
	t.Helper()
	return newPeopleAPI(t, d, withConfig(func(c *config.Config) { c.LookupsPerHour = 2 }))
}

func TestSecurityAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		p := newSecurityAPI(t, d)
		person := p.create(t, map[string]any{"name": "赵六", "id_number": apiIDNumber, "phone": "13700001111",
			"grid_code": "G410105001001", "address": "金水路8号院3号楼2单元301室"})
		for i := range 2 {
			res := p.do("GET", "/api/v1/people?phone=13700001111", p.tok["pw"], nil)
			var l list[registry.Person]
			res.json(t, &l)
			if res.status != 200 || l.Total != 1 || l.Items[0].Address != "金水路8号院3号楼…" || l.Items[0].BirthDate != "1988-**-**" {
				t.Fatalf("search %d: got %d %s", i+1, res.status, res.body)
			}
		}
		res := p.do("GET", "/api/v1/people?phone=13700001111", p.tok["pw"], nil)
		if res.status != 429 || !strings.Contains(res.errorBody(t).Message, "Beijing time") {
			t.Fatalf("third search: got %d %s", res.status, res.body)
		}

		res = p.do("GET", "/api/v1/security/alerts?open=true", p.tok["admin"], nil)
		var alerts list[registry.SecurityAlert]
		res.json(t, &alerts)
		if res.status != 200 || len(alerts.Items) != 1 || alerts.Items[0].Kind != registry.AlertLookups ||
			alerts.Items[0].Username != "pw" {
			t.Fatalf("alerts: got %d %s", res.status, res.body)
		}
		if res := p.do("GET", "/api/v1/security/alerts", p.tok["pw"], nil); res.status != 403 {
			t.Fatalf("alerts without audit.read: got %d", res.status)
		}
		res = p.do("GET", "/api/v1/security/alerts", p.tok["admin-410102"], nil)
		res.json(t, &alerts)
		if res.status != 200 || len(alerts.Items) != 0 {
			t.Fatalf("another district's alerts: got %d %s", res.status, res.body)
		}

		ack := fmt.Sprintf("/api/v1/security/alerts/%d/ack", alertID(t, p))
		if res := p.do("POST", ack, p.tok["admin"], map[string]string{"note": ""}); res.status != 422 ||
			res.errorBody(t).Fields["note"] == "" {
			t.Fatalf("ack without note: got %d %s", res.status, res.body)
		}
		if res := p.do("POST", ack, p.tok["admin-410102"], map[string]string{"note": "看看"}); res.status != 404 {
			t.Fatalf("ack out of scope: got %d", res.status)
		}
		res = p.do("POST", ack, p.tok["admin"], map[string]string{"note": "已核实：业务核查"})
		var al registry.SecurityAlert
		res.json(t, &al)
		if res.status != 200 || al.Open() || al.AckNote != "已核实：业务核查" {
			t.Fatalf("ack: got %d %s", res.status, res.body)
		}
		if res := p.do("POST", ack, p.tok["admin"], map[string]string{"note": "again"}); res.status != 409 {
			t.Fatalf("second ack: got %d", res.status)
		}
		res = p.do("GET", "/api/v1/security/alerts?open=true", p.tok["admin"], nil)
		res.json(t, &alerts)
		if len(alerts.Items) != 0 {
			t.Fatalf("acknowledged alert still open: %s", res.body)
		}

		// The people affected by pw's searches.
		res = p.do("GET", "/api/v1/security/access?user=pw", p.tok["admin"], nil)
		var acc list[registry.AccessRecord]
		res.json(t, &acc)
		if res.status != 200 || len(acc.Items) != 2 || acc.Items[0].PersonID != person.ID || acc.Items[0].PersonName != "赵六" ||
			acc.Items[0].IDMask != seal.MaskID(apiIDNumber) || acc.Items[0].Action != registry.AccessSearchHit {
			t.Fatalf("access: got %d %s", res.status, res.body)
		}
		if strings.Contains(string(res.body), apiIDNumber) || strings.Contains(string(res.body), "13700001111") {
			t.Fatalf("access log shows an identifier: %s", res.body)
		}
		res = p.do("GET", "/api/v1/security/access?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z", p.tok["admin"], nil)
		res.json(t, &acc)
		if res.status != 200 || len(acc.Items) != 0 {
			t.Fatalf("window: got %d %s", res.status, res.body)
		}
		if res := p.do("GET", "/api/v1/security/access", p.tok["admin"], nil); res.status != 422 {
			t.Fatalf("no user or window: got %d", res.status)
		}
		if res := p.do("GET", "/api/v1/security/access?user=pw&from=yesterday", p.tok["admin"], nil); res.status != 422 {
			t.Fatalf("bad from: got %d", res.status)
		}
		if res := p.do("GET", "/api/v1/security/access?user=pw", p.tok["admin-410102"], nil); res.status != 200 ||
			strings.Contains(string(res.body), "赵六") {
			t.Fatalf("out of scope access log: got %d %s", res.status, res.body)
		}
	})
}

// alertID returns the newest alert's id as admin sees it.
func alertID(t *testing.T, p *peopleAPI) int64 {
	t.Helper()
	var alerts list[registry.SecurityAlert]
	p.do("GET", "/api/v1/security/alerts", p.tok["admin"], nil).json(t, &alerts)
	if len(alerts.Items) == 0 {
		t.Fatal("no alert")
	}
	return alerts.Items[0].ID
}
