package api

import (
	"fmt"
	"net/http"
	"testing"

	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func TestNoticesAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newCaseFixture(t, d)
		c := f.create("井盖缺失")
		var l cases.NoticeList
		res := f.do("GET", "/api/v1/notices", f.tok["community"], nil)
		if res.status != http.StatusOK {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		res.json(t, &l)
		if l.Unread != 1 || len(l.Notices) != 1 || l.Notices[0].CaseID != c.ID || l.Notices[0].Kind != cases.OutboxArrived {
			t.Fatalf("notices %s", res.body)
		}
		id := l.Notices[0].ID
		// Another district's user neither sees nor reads it.
		res = f.do("GET", "/api/v1/notices", f.tok["outsider"], nil)
		res.json(t, &l)
		if len(l.Notices) != 0 {
			t.Fatalf("outsider sees %s", res.body)
		}
		path := fmt.Sprintf("/api/v1/notices/%d/read", id)
		if res := f.do("POST", path, f.tok["outsider"], nil); res.status != http.StatusNotFound {
			t.Fatalf("outsider read: %d", res.status)
		}
		for range 2 {
			if res := f.do("POST", path, f.tok["community"], nil); res.status != http.StatusNoContent {
				t.Fatalf("read: %d %s", res.status, res.body)
			}
		}
		res = f.do("GET", "/api/v1/notices?limit=10", f.tok["community"], nil)
		res.json(t, &l)
		if l.Unread != 0 || len(l.Notices) != 1 || l.Notices[0].ReadAt == nil {
			t.Fatalf("after read %s", res.body)
		}
		if res := f.do("GET", "/api/v1/notices?limit=0", f.tok["community"], nil); res.status != http.StatusUnprocessableEntity {
			t.Fatalf("limit=0: %d", res.status)
		}
		if res := f.do("GET", "/api/v1/notices", "", nil); res.status != http.StatusUnauthorized {
			t.Fatalf("anonymous: %d", res.status)
		}
		if res := f.do("POST", "/api/v1/notices/x/read", f.tok["community"], nil); res.status != http.StatusUnprocessableEntity &&
			res.status != http.StatusNotFound {
			t.Fatalf("bad id: %d", res.status)
		}
	})
}
