package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

const square = `{"type":"Polygon","coordinates":[[[113.66,34.77],[113.67,34.77],[113.67,34.78],[113.66,34.78],[113.66,34.77]]]}`

func TestGridAndStaffPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := actor.With(context.Background(), actor.SystemActor("test"))
		for _, g := range []org.GridInput{
			{Code: "G-JS-1", Name: "经八路二级网格", Level: 2, UnitCode: "410105001"},
			{Code: "G-JS-1-1", Name: "红专路一网格", Level: 3, UnitCode: "410105001001", ParentGridCode: "G-JS-1"},
			{Code: "G-ZY-1", Name: "林山寨二级网格", Level: 2, UnitCode: "410102001"},
		} {
			if _, err := f.org.CreateGrid(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		m, err := f.org.CreateStaff(ctx, org.StaffInput{Name: "周敏", Phone: "13712345678", Position: "网格员",
			UnitCode: "410105001001", Team: org.GridLeader, GridCodes: []string{"G-JS-1-1"}})
		if err != nil {
			t.Fatal(err)
		}
		c := f.client(t)
		token := c.csrf(c.mustLogin("admin-410105"))

		p := c.get("/org/410105001?tab=grids")
		wantBody(t, p, `href="/grids/G-JS-1-1"`)
		p = c.get("/grids/G-JS-1-1")
		wantStatus(t, p, http.StatusOK)
		wantBody(t, p, "红专路一网格", "三级网格", "周敏", `href="/grids/G-JS-1"`, "未标绘")
		wantStatus(t, c.get("/grids/G-ZY-1"), http.StatusNotFound)
		wantStatus(t, c.get("/grids/NOPE"), http.StatusNotFound)

		cases := []struct {
			name, path string
			form       url.Values
			status     int
			want       []string
		}{
			{"draw a boundary", "/grids/G-JS-1-1", url.Values{"name": {"红专路第一网格"}, "boundary": {square}, "boundary_source": {"手工标绘"}},
				http.StatusOK, []string{"已保存网格", "红专路第一网格", "已标绘", "手工标绘", "113.66"}},
			{"broken boundary", "/grids/G-JS-1-1", url.Values{"name": {"x"}, "boundary": {"{oops"}},
				http.StatusUnprocessableEntity, []string{"不是有效的 JSON", "{oops"}},
			{"remove the boundary", "/grids/G-JS-1-1", url.Values{"name": {"红专路第一网格"}, "boundary": {""}},
				http.StatusOK, []string{"已保存网格", "未标绘"}},
			{"delete a grid with grids below", "/grids/G-JS-1/delete", nil, http.StatusConflict, []string{"与现有数据冲突"}},
			{"edit another district's grid", "/grids/G-ZY-1", url.Values{"name": {"x"}}, http.StatusNotFound, nil},
			{"staff: new phone and position", "/staff/" + itoa(m.ID), url.Values{"name": {"周敏"}, "phone": {"13987654321"},
				"position": {"网格长"}, "unit_code": {"410105001001"}, "team": {"grid_leader"}, "grid_codes": {"G-JS-1-1, G-JS-1"}, "active": {"1"}},
				http.StatusOK, []string{"已保存人员信息", "13987654321", `href="/grids/G-JS-1"`, "在岗"}},
			{"staff: bad phone", "/staff/" + itoa(m.ID), url.Values{"name": {"周敏"}, "phone": {"12"}, "unit_code": {"410105001001"}},
				http.StatusUnprocessableEntity, []string{"须为手机号"}},
			{"staff: leaves", "/staff/" + itoa(m.ID), url.Values{"name": {"周敏"}, "phone": {"13987654321"}, "unit_code": {"410105001001"}, "grid_codes": {""}},
				http.StatusOK, []string{"已保存人员信息", "已离岗"}},
			// A unit outside scope is named as unknown, like one that does
			// not exist.
			{"staff: moved to another district", "/staff/" + itoa(m.ID), url.Values{"name": {"周敏"}, "unit_code": {"410102001"}},
				http.StatusUnprocessableEntity, []string{`value="410102001"`, `class="ferr"`}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := c.post(tc.path, withValue(tc.form, "csrf", token))
				wantStatus(t, p, tc.status)
				wantBody(t, p, tc.want...)
			})
		}
		got, err := f.org.StaffMember(ctx, m.ID)
		if err != nil || got.UnitCode != "410105001001" {
			t.Errorf("staff after a refused move: got unit %q (err %v), want 410105001001", got.UnitCode, err)
		}

		p = c.post("/grids/G-JS-1-1/delete", url.Values{"csrf": {token}})
		if p.url.Path != "/org/410105001001" {
			t.Errorf("after deleting a grid: landed on %s, want /org/410105001001", p.url.Path)
		}
		wantBody(t, p, "已删除网格")
		if _, err := f.org.Grid(ctx, "G-JS-1-1"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("deleted grid: got err %v, want not_found", err)
		}
		if regexp.MustCompile(`href="/grids/G-JS-1-1"`).MatchString(p.body) {
			t.Errorf("deleted grid still listed")
		}
	})
}

func itoa(n int64) string { return url.PathEscape(fmtInt(n)) }
