package api

import (
	"net/http"
	"net/url"
	"os"
	"testing"

	"gridgov/internal/calendar"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
)

func TestCalendarEndpoints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		token := f.login("admin-410105")

		var dl calendarDeadline
		res := f.do("GET", "/api/v1/calendar/deadline?limit=3wd&from="+url.QueryEscape("2026-09-30T10:00:00+08:00"), token, nil)
		res.json(t, &dl)
		if res.status != 200 || dl.Deadline != "2026-10-10T18:00:00+08:00" || dl.Limit != "3wd" {
			t.Errorf("deadline 3wd from 09-30: %d %s, want 2026-10-10T18:00:00+08:00", res.status, res.body)
		}
		// from defaults to now: the fixture clock is Thursday 2026-11-26 17:00 in Shanghai.
		res = f.do("GET", "/api/v1/calendar/deadline?limit=2wh", token, nil)
		res.json(t, &dl)
		if res.status != 200 || dl.From != "2026-11-26T17:00:00+08:00" || dl.Deadline != "2026-11-27T10:00:00+08:00" {
			t.Errorf("deadline 2wh from now: %d %s", res.status, res.body)
		}
		for q, field := range map[string]string{"limit=3weeks": "limit", "": "limit", "limit=1h&from=monday": "from"} {
			res = f.do("GET", "/api/v1/calendar/deadline?"+q, token, nil)
			if e := res.errorBody(t); res.status != http.StatusUnprocessableEntity || e.Fields[field] == "" {
				t.Errorf("deadline ?%s: %d %s, want 422 naming %s", q, res.status, res.body, field)
			}
		}
		if res = f.do("GET", "/api/v1/calendar/deadline?limit=1h", "", nil); res.status != http.StatusUnauthorized {
			t.Errorf("deadline without token: %d, want 401", res.status)
		}

		var days calendarDays
		res = f.do("GET", "/api/v1/calendar/days?year=2026", token, nil)
		res.json(t, &days)
		if res.status != 200 || days.Total != 39 || !days.Covered || days.Items[0].Date != "2026-01-01" {
			t.Errorf("days 2026: %d total %d covered %v", res.status, days.Total, days.Covered)
		}
		res = f.do("GET", "/api/v1/calendar/days?year=2031", token, nil)
		res.json(t, &days)
		if res.status != 200 || days.Total != 0 || days.Covered || days.Items == nil {
			t.Errorf("days 2031: %d %s, want 200, no items, not covered", res.status, res.body)
		}
		if res = f.do("GET", "/api/v1/calendar/days?year=next", token, nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("days ?year=next: %d, want 422", res.status)
		}
	})
}

func TestCalendarImportEndpoint(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		const madeUp = `{"holidays":{"2026-11-30":"Test Day,测试假日,1"},"workdays":{}}`
		if res := f.do("POST", "/api/v1/calendar/import?format=json", f.login("admin-410105"), madeUp); res.status != http.StatusForbidden {
			t.Errorf("district admin import: %d %s, want 403", res.status, res.body)
		}
		city := f.login("admin")
		if !rbac.Valid(calendar.PermWrite) {
			// Until calendar.write is registered in rbac.All the city admin
			// role cannot hold it, so the import is refused too.
			if res := f.do("POST", "/api/v1/calendar/import?format=json", city, madeUp); res.status != http.StatusForbidden {
				t.Errorf("city admin without calendar.write: %d, want 403", res.status)
			}
			return
		}
		var ir calendar.ImportResult
		res := f.do("POST", "/api/v1/calendar/import?format=json", city, madeUp)
		res.json(t, &ir)
		if res.status != 200 || ir.Inserted != 1 || ir.Changed != 1 {
			t.Errorf("city admin import: %d %s", res.status, res.body)
		}
		var dl calendarDeadline
		res = f.do("GET", "/api/v1/calendar/deadline?limit=1wh&from="+url.QueryEscape("2026-11-27T17:30:00+08:00"), city, nil)
		res.json(t, &dl)
		if dl.Deadline != "2026-12-01T09:30:00+08:00" {
			t.Errorf("deadline after import: %s, want 2026-12-01T09:30:00+08:00", res.body)
		}
		ics, err := os.ReadFile("../../calendar/data/2026.ics")
		if err != nil {
			t.Fatal(err)
		}
		res = f.doHeader("POST", "/api/v1/calendar/import?format=ics", city, string(ics), map[string]string{"Content-Type": "text/calendar"})
		res.json(t, &ir)
		if res.status != 200 || ir.Days != 39 || ir.Changed != 0 {
			t.Errorf("ics import: %d %s, want 39 days, none changed", res.status, res.body)
		}
		if res = f.do("POST", "/api/v1/calendar/import?format=xml", city, madeUp); res.status != http.StatusUnprocessableEntity {
			t.Errorf("format=xml: %d, want 422", res.status)
		}
	})
}
