package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/cases"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/registry"
	"gridgov/internal/registry/groups"
	"gridgov/internal/registry/places"
)

// cell is a GeoJSON polygon of the cell with south-west corner (lng, lat)
// and side d degrees.
func cell(lng, lat, d float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		lng, lat, lng+d, lat, lng+d, lat+d, lng, lat+d, lng, lat))
}

// mapFixture is the console with every service the map uses: two grids
// with boundaries in 金水区 (红专路 with a 网格长 and a case, 纬五路), one in
// 中原区 with a case, a house, and a key-group person living in it.
type mapFixture struct {
	*fixture
	cases              *cases.Service
	caseHZ, caseZY     cases.Case
	keyPerson, houseID int64
}

// newMapFixture builds the map console on d; configure changes the
// configuration first (map tiles).
func newMapFixture(t testing.TB, d *db.DB, configure ...func(*config.Config)) *mapFixture {
	t.Helper()
	f := newFixture(t, d, configure...)
	f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	for _, g := range []org.GridInput{
		{Code: "G410105001001", Name: "红专路一网格", Level: 3, UnitCode: "410105001001", Boundary: cell(113.68, 34.77, 0.01)},
		{Code: "G410105001002", Name: "纬五路一网格", Level: 3, UnitCode: "410105001002", Boundary: cell(113.69, 34.77, 0.01)},
		{Code: "G410102001", Name: "林山寨网格", Level: 2, UnitCode: "410102001", Boundary: cell(113.60, 34.75, 0.01)},
		{Code: "G410105001003", Name: "红专路二网格", Level: 3, UnitCode: "410105001001"}, // no boundary yet
	} {
		if _, err := f.org.CreateGrid(sys, g); err != nil {
			t.Fatalf("grid %s: %v", g.Code, err)
		}
	}
	if _, err := f.org.CreateStaff(sys, org.StaffInput{Name: "王网格长", UnitCode: "410105001001", Team: org.GridLeader,
		Position: "网格长", GridCodes: []string{"G410105001001"}}); err != nil {
		t.Fatalf("staff: %v", err)
	}
	cs, reg, pl, gr := f.app.Cases, f.app.Registry, f.app.Places, f.app.Groups
	m := &mapFixture{fixture: f, cases: cs}
	newCase := func(grid string, lat, lng float64) cases.Case {
		c, _, err := cs.CreateCase(sys, cases.CaseCreate{CategoryCode: "E010101", Description: "暴露垃圾", GridCode: grid,
			Lat: &lat, Lng: &lng, Address: "路口", Source: cases.SourcePatrol})
		if err != nil {
			t.Fatalf("case: %v", err)
		}
		return c
	}
	m.caseHZ = newCase("G410105001001", 34.775, 113.685)
	m.caseZY = newCase("G410102001", 34.755, 113.605)
	lat, lng := 34.776, 113.686
	h, err := pl.CreateHouse(sys, places.HouseInput{Address: "红专路1号院3号楼2单元201", Lat: &lat, Lng: &lng, GridCode: "G410105001001"})
	if err != nil {
		t.Fatalf("house: %v", err)
	}
	m.houseID = h.ID
	p, err := reg.CreatePerson(sys, registry.PersonInput{Name: "李四", GridCode: "G410105001001"})
	if err != nil {
		t.Fatalf("person: %v", err)
	}
	m.keyPerson = p.ID
	if _, err := d.Exec(sys, `UPDATE people SET house_id = ? WHERE id = ?`, h.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := gr.AddMember(sys, p.ID, groups.MemberInput{Kind: "key_petitioner", StartedOn: "2026-01-01", RiskLevel: "high",
		Attrs: map[string]string{"petition_matter": "征地补偿"}}); err != nil {
		t.Fatalf("member: %v", err)
	}
	f.createUser(t, "zy", "410102")
	f.createUser(t, "sq", "410105001002")
	if _, err := f.auth.CreateUser(sys, authViewer("viewer-410105", "410105")); err != nil {
		t.Fatalf("viewer: %v", err)
	}
	return m
}

// getJSON fetches a console JSON endpoint into v, returning the status.
func (c *client) getJSON(path string, v any) int {
	c.t.Helper()
	p := c.get(path)
	if v != nil && p.status == http.StatusOK {
		if err := json.Unmarshal([]byte(p.body), v); err != nil {
			c.t.Fatalf("%s: %v\n%s", path, err, excerpt(p.body))
		}
	}
	return p.status
}

type fc struct {
	Features []struct {
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Truncated bool `json:"truncated"`
}

type pts struct {
	Points    []map[string]any `json:"points"`
	Truncated bool             `json:"truncated"`
}

const cityBox = "113,34,114,35"

func TestMapData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newMapFixture(t, d)
		admin, dist, zy, viewer := f.client(t), f.client(t), f.client(t), f.client(t)
		admin.mustLogin("admin")
		dist.mustLogin("admin-410105")
		zy.mustLogin("zy")
		viewer.mustLogin("viewer-410105")

		t.Run("grids", func(t *testing.T) {
			var all, box fc
			if s := admin.getJSON("/map/data/grids", &all); s != 200 || len(all.Features) != 3 {
				t.Fatalf("admin grids: status %d, %d features, want 3", s, len(all.Features))
			}
			admin.getJSON("/map/data/grids?bbox=113.595,34.745,113.62,34.77", &box)
			if len(box.Features) != 1 || box.Features[0].Properties["code"] != "G410102001" {
				t.Errorf("west box: got %+v, want only G410102001", box.Features)
			}
			var z fc
			zy.getJSON("/map/data/grids", &z)
			if len(z.Features) != 1 || z.Features[0].Properties["name"] != "林山寨网格" {
				t.Errorf("中原区 grids: got %+v, want only its own", z.Features)
			}
		})
		t.Run("cases", func(t *testing.T) {
			var a, z pts
			admin.getJSON("/map/data/cases?bbox="+cityBox, &a)
			if len(a.Points) != 2 {
				t.Fatalf("admin cases: got %d, want 2", len(a.Points))
			}
			zy.getJSON("/map/data/cases?bbox="+cityBox, &z)
			if len(z.Points) != 1 || z.Points[0]["number"] != f.caseZY.Number || z.Points[0]["overdue"] == "" {
				t.Errorf("中原区 cases: got %+v, want only %s", z.Points, f.caseZY.Number)
			}
			var none pts
			admin.getJSON("/map/data/cases?bbox="+cityBox+"&category=A", &none)
			if len(none.Points) != 0 {
				t.Errorf("category A: got %d, want 0", len(none.Points))
			}
			admin.getJSON("/map/data/cases?bbox="+cityBox+"&from=2026-03-03", &none)
			if len(none.Points) != 0 {
				t.Errorf("from tomorrow: got %d, want 0", len(none.Points))
			}
			var today pts
			admin.getJSON("/map/data/cases?bbox="+cityBox+"&from=2026-03-02&to=2026-03-02&category=E01", &today)
			if len(today.Points) != 2 {
				t.Errorf("today, E01: got %d, want 2", len(today.Points))
			}
		})
		t.Run("bad input", func(t *testing.T) {
			for _, path := range []string{
				"/map/data/cases", "/map/data/cases?bbox=1,2,3", "/map/data/cases?bbox=a,b,c,d",
				"/map/data/cases?bbox=114,34,113,35", "/map/data/grids?bbox=0,0,200,1",
				"/map/data/houses?bbox=1,2", "/map/data/cases?bbox=" + cityBox + "&from=2026-3-2",
				"/map/data/here?lat=x&lng=113", "/map/data/here?lat=34&lng=190",
			} {
				p := admin.get(path)
				wantStatus(t, p, http.StatusUnprocessableEntity)
				if !strings.Contains(p.body, `"fields"`) {
					t.Errorf("%s: body %s names no field", path, p.body)
				}
			}
		})
		t.Run("registry", func(t *testing.T) {
			var h pts
			viewer.getJSON("/map/data/houses?bbox="+cityBox, &h)
			if len(h.Points) != 1 || h.Points[0]["label"] != "红专路1号院3号楼…" {
				t.Errorf("viewer houses: got %+v, want the house cut at building level", h.Points)
			}
			var z pts
			zy.getJSON("/map/data/houses?bbox="+cityBox, &z)
			if len(z.Points) != 0 {
				t.Errorf("中原区 houses: got %+v, want none", z.Points)
			}
			for _, kind := range []string{"organisations", "components"} {
				if s := viewer.getJSON("/map/data/"+kind+"?bbox="+cityBox, &z); s != 200 {
					t.Errorf("%s: status %d", kind, s)
				}
			}
		})
		t.Run("key group", func(t *testing.T) {
			p := viewer.get("/map/data/keygroup?bbox=" + cityBox)
			wantStatus(t, p, http.StatusForbidden)
			var k pts
			if s := dist.getJSON("/map/data/keygroup?bbox="+cityBox, &k); s != 200 || len(k.Points) != 1 {
				t.Fatalf("district key group: status %d, %+v", s, k.Points)
			}
			pt := k.Points[0]
			if pt["person_id"] != float64(f.keyPerson) || pt["risk_level"] != "high" {
				t.Errorf("point: got %+v", pt)
			}
			raw := dist.get("/map/data/keygroup?bbox=" + cityBox).body
			if strings.Contains(raw, "李四") || strings.Contains(raw, "name") {
				t.Errorf("key-group answer carries a name: %s", raw)
			}
			var n int
			if err := d.QueryRow(context.Background(), `SELECT count(*) FROM person_access WHERE person_id = ? AND username = ?`,
				f.keyPerson, "admin-410105").Scan(&n); err != nil || n != 2 {
				t.Errorf("person_access rows: got %d (%v), want 2", n, err)
			}
			zy.getJSON("/map/data/keygroup?bbox="+cityBox, &k)
			if len(k.Points) != 0 {
				t.Errorf("中原区 key group: got %+v, want none", k.Points)
			}
		})
		t.Run("here", func(t *testing.T) {
			var h map[string]any
			dist.getJSON("/map/data/here?lat=34.775&lng=113.685", &h)
			staff, _ := h["staff"].([]any)
			cs, _ := h["cases"].([]any)
			if h["found"] != true || h["grid_name"] != "红专路一网格" || h["unit_name"] != "红专路社区" ||
				len(staff) != 1 || len(cs) != 1 {
				t.Fatalf("here: got %+v", h)
			}
			if s := staff[0].(map[string]any); s["name"] != "王网格长" || s["leader"] != true || s["team"] != "网格长" {
				t.Errorf("staff: got %+v", s)
			}
			if c := cs[0].(map[string]any); c["id"] != float64(f.caseHZ.ID) || c["number"] != f.caseHZ.Number {
				t.Errorf("case: got %+v", c)
			}
			var out map[string]any
			zy.getJSON("/map/data/here?lat=34.775&lng=113.685", &out)
			if out["found"] != false || out["grid_name"] != nil {
				t.Errorf("中原区 at 红专路: got %+v, want nothing", out)
			}
			dist.getJSON("/map/data/here?lat=30&lng=100", &out)
			if out["found"] != false {
				t.Errorf("outside every grid: got %+v", out)
			}
			var sq map[string]any
			c := f.client(t)
			c.mustLogin("sq")
			c.getJSON("/map/data/here?lat=34.775&lng=113.695", &sq)
			if sq["found"] != true || sq["grid_code"] != "G410105001002" || len(sq["cases"].([]any)) != 0 {
				t.Errorf("纬五路 here: got %+v", sq)
			}
		})
		t.Run("page", func(t *testing.T) {
			p := viewer.get("/map")
			wantStatus(t, p, http.StatusOK)
			wantBody(t, p, `href="/map"`, `id="map"`, `data-config="`, "/static/js/map.js", "&#34;grids&#34;", "&#34;houses&#34;")
			wantNoBody(t, p, "&#34;keygroup&#34;", `id="map-edit"`, "<script>")
			p = dist.get("/map")
			wantBody(t, p, "&#34;keygroup&#34;", `id="map-edit"`, "/static/vendor/geoman/leaflet-geoman.min.js")
			if csp := p.header.Get("Content-Security-Policy"); strings.Contains(csp, "tile") {
				t.Errorf("no tiles configured, CSP names a tile server: %s", csp)
			}
			if s := admin.get("/static/js/map.js"); s.status != 200 || !strings.Contains(s.body, "/map/data/here") {
				t.Errorf("map.js: status %d", s.status)
			}
		})
		t.Run("boundary", func(t *testing.T) {
			token := csrfAttr(t, dist.get("/map").body)
			post := func(c *client, code, body, tok string) page {
				req, _ := http.NewRequest(http.MethodPost, c.base+"/map/grids/"+code+"/boundary", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", tok)
				req.Header.Set("Origin", c.base)
				return c.do(req)
			}
			open := `{"boundary":{"type":"Polygon","coordinates":[[[113.68,34.77],[113.69,34.78],[113.69,34.77]]]}}`
			p := post(dist, "G410105001001", open, token)
			wantStatus(t, p, http.StatusUnprocessableEntity)
			wantBody(t, p, `"boundary"`)
			p = post(dist, "G410105001001", `{"boundary":`+string(cell(113.68, 34.77, 0.012))+`}`, "wrong")
			wantStatus(t, p, http.StatusForbidden)
			p = post(dist, "G410105001001", `{"boundary":`+string(cell(113.68, 34.77, 0.012))+`}`, token)
			wantStatus(t, p, http.StatusOK)
			g, err := f.org.Grid(actor.With(context.Background(), actor.SystemActor("t")), "G410105001001")
			if err != nil || !strings.Contains(string(g.Boundary), "113.692") || g.BoundarySource != "drawn" {
				t.Errorf("stored boundary: %s (%q, %v)", g.Boundary, g.BoundarySource, err)
			}
			zyTok := csrfAttr(t, zy.get("/map").body)
			p = post(zy, "G410105001001", `{"boundary":`+string(cell(113.68, 34.77, 0.01))+`}`, zyTok)
			if p.status != http.StatusNotFound && p.status != http.StatusForbidden {
				t.Errorf("中原区 edits 金水区's grid: status %d, want 404 or 403", p.status)
			}
		})
	})
}

// csrfAttr reads the CSRF token the map page gives map.js.
func csrfAttr(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `data-csrf="`)
	if i < 0 {
		t.Fatal("no data-csrf on the map page")
	}
	rest := body[i+len(`data-csrf="`):]
	return rest[:strings.Index(rest, `"`)]
}

func TestMapTiles(t *testing.T) {
	f := newMapFixture(t, dbtest.Open(t, db.SQLite), func(c *config.Config) {
		c.MapTileURL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
		c.MapTileAttribution = "© Example"
	})
	c := f.client(t)
	c.mustLogin("admin")
	p := c.get("/map")
	wantStatus(t, p, http.StatusOK)
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://*.tile.example.org;") {
		t.Errorf("CSP: got %s, want the tile servers allowed as images", csp)
	}
	wantBody(t, p, "tile.example.org", "© Example")
	if csp := c.get("/cases").header.Get("Content-Security-Policy"); strings.Contains(csp, "example.org") {
		t.Errorf("another page's CSP allows the tiles: %s", csp)
	}
}

// authViewer is a read-only user (the built-in viewer role) over unit.
func authViewer(name, unit string) auth.UserInput {
	return auth.UserInput{Username: name, DisplayName: name, Password: testPassword, UnitCode: unit,
		Grants: []auth.GrantInput{{Role: "viewer", ScopeCode: unit}}}
}
