package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

var gapAreaRe = regexp.MustCompile(`(?s)class="problem-gap">.*?<td class="nowrap">([0-9,]+) m²</td>`)

// coverageJSON is the answer of /map/data/coverage/{code}.
type coverageJSON struct {
	Unit     fc   `json:"unit"`
	Grids    fc   `json:"grids"`
	Problems fc   `json:"problems"`
	OK       bool `json:"ok"`
}

func TestCoveragePage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f, geo := newGeoFixture(t, d)
		sys := actor.With(context.Background(), actor.SystemActor("t"))
		// 红专路社区 is twice as wide as its one bounded grid: the east
		// half is a gap. 红专路二网格 has no boundary.
		if _, err := geo.SetUnitBoundary(sys, "410105001001", rect(113.68, 34.77, 0.02, 0.01), "test"); err != nil {
			t.Fatal(err)
		}
		dist, zy, viewer := f.client(t), f.client(t), f.client(t)
		dist.mustLogin("admin-410105")
		zy.mustLogin("zy")
		viewer.mustLogin("viewer-410105")

		t.Run("list", func(t *testing.T) {
			p := dist.get("/map/coverage")
			wantStatus(t, p, http.StatusOK)
			wantBody(t, p, `href="/map/coverage/410105001001"`, "纬五路社区", "未设边界")
			wantNoBody(t, p, `href="/map/coverage/410105001002"`)
			p = zy.get("/map/coverage")
			wantStatus(t, p, http.StatusOK)
			wantNoBody(t, p, "红专路社区")
			wantBody(t, dist.get("/map"), `href="/map/coverage"`, `href="/map/import"`)
		})

		t.Run("gap", func(t *testing.T) {
			p := dist.get("/map/coverage/410105001001")
			wantStatus(t, p, http.StatusOK)
			wantBody(t, p, `id="coverage-problems"`, `class="problem-gap"`, "缝隙", "存在问题",
				`<li><a href="/grids/G410105001003" class="code">G410105001003</a></li>`,
				`id="coverage-map"`, "/static/js/coverage.js", "/map/data/coverage/410105001001")
			wantNoBody(t, p, "<script>", `class="problem-overlap"`)
			// about 915 m × 1112 m: the gap is some 1,0xx,xxx m².
			if m := gapAreaRe.FindStringSubmatch(p.body); m == nil || len(m[1]) != 9 || !strings.HasPrefix(m[1], "1,0") {
				t.Errorf("gap area: got %q, want about 1,0xx,xxx m²", m)
			}
			var c coverageJSON
			if s := dist.getJSON("/map/data/coverage/410105001001", &c); s != http.StatusOK {
				t.Fatalf("coverage data: status %d", s)
			}
			if c.OK || len(c.Unit.Features) != 1 || len(c.Grids.Features) != 1 || len(c.Problems.Features) != 1 ||
				c.Problems.Features[0].Properties["kind"] != "gap" || c.Grids.Features[0].Properties["code"] != "G410105001001" {
				t.Errorf("coverage data: %+v", c)
			}
			en := f.client(t)
			en.mustLogin("admin-410105")
			en.get("/lang?l=en")
			wantBody(t, en.get("/map/coverage/410105001001"), "Problems found", ">gap<")
		})

		t.Run("permissions", func(t *testing.T) {
			wantStatus(t, zy.get("/map/coverage/410105001001"), http.StatusNotFound)
			wantStatus(t, zy.get("/map/data/coverage/410105001001"), http.StatusNotFound)
			wantStatus(t, dist.get("/map/coverage/999999"), http.StatusNotFound)
			// A viewer may look (grid.read) but not import.
			wantStatus(t, viewer.get("/map/coverage/410105001001"), http.StatusOK)
			wantStatus(t, viewer.get("/map/import"), http.StatusForbidden)
		})

		t.Run("not checkable", func(t *testing.T) {
			p := dist.get("/map/coverage/410105001002")
			wantStatus(t, p, http.StatusUnprocessableEntity)
			wantBody(t, p, "无法检查覆盖")
			wantStatus(t, dist.get("/map/coverage/410105001"), http.StatusUnprocessableEntity)
		})

		t.Run("unit outline", func(t *testing.T) {
			token := csrfAttr(t, dist.get("/map").body)
			post := func(c *client, code, body, tok string) page {
				req, _ := http.NewRequest(http.MethodPost, c.base+"/map/units/"+code+"/boundary", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", tok)
				req.Header.Set("Origin", c.base)
				return c.do(req)
			}
			open := `{"boundary":{"type":"Polygon","coordinates":[[[113.69,34.77],[113.70,34.78],[113.70,34.77]]]}}`
			p := post(dist, "410105001002", open, token)
			wantStatus(t, p, http.StatusUnprocessableEntity)
			wantBody(t, p, `"boundary"`)
			good := `{"boundary":` + string(cell(113.69, 34.77, 0.01)) + `}`
			wantStatus(t, post(dist, "410105001002", good, "wrong"), http.StatusForbidden)
			wantStatus(t, post(dist, "410105001002", good, token), http.StatusOK)
			var c coverageJSON
			if s := dist.getJSON("/map/data/coverage/410105001002", &c); s != http.StatusOK || !c.OK {
				t.Errorf("纬五路 after its outline was drawn: status %d, %+v", s, c)
			}
			wantStatus(t, post(zy, "410105001002", good, csrfAttr(t, zy.get("/map").body)), http.StatusNotFound)
			wantStatus(t, post(viewer, "410105001002", good, csrfAttr(t, viewer.get("/map").body)), http.StatusForbidden)
		})
	})
}

// rect is a GeoJSON polygon of the box [lng, lng+w] × [lat, lat+h].
func rect(lng, lat, w, h float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		lng, lat, lng+w, lat, lng+w, lat+h, lng, lat+h, lng, lat))
}
