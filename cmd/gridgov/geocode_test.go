package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/org"
	"gridgov/internal/registry/places"
)

// TestCaseLandsByAddress drives the wired application over HTTP: a case
// filed with only the address of a registry house lands in that house's
// grid, with the house's point, and its creation is audited as located by
// address; an address naming nothing is a 422 on grid_code.
func TestCaseLandsByAddress(t *testing.T) {
	eachCLIDatabase(t, func(t *testing.T, flags []string) {
		a := cliApp(t, flags)
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if _, err := a.Org.ImportUnits(sys, []org.UnitInput{
			{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory},
			{Code: "410105", Name: "金水区", Level: org.District, Kind: org.Territory, ParentCode: "410100"},
			{Code: "410105001", Name: "经八路街道", Level: org.Street, Kind: org.Territory, ParentCode: "410105"},
			{Code: "410105001001", Name: "经八路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
			{Code: "410105001002", Name: "黄河路社区", Level: org.Community, Kind: org.Territory, ParentCode: "410105001"},
		}); err != nil {
			t.Fatal(err)
		}
		sq := func(x float64) json.RawMessage {
			return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,34.7],[%g,34.7],[%g,34.71],[%g,34.71],[%g,34.7]]]}`,
				x, x+0.01, x+0.01, x, x))
		}
		for _, g := range []org.GridInput{
			{Code: "GA", Name: "经八路一网格", Level: 3, UnitCode: "410105001001", Boundary: sq(113.60)},
			{Code: "GB", Name: "黄河路一网格", Level: 3, UnitCode: "410105001002", Boundary: sq(113.61)},
		} {
			if _, err := a.Org.CreateGrid(sys, g); err != nil {
				t.Fatal(err)
			}
		}
		lat, lng := 34.705, 113.615
		if _, err := a.Places.CreateHouse(sys, places.HouseInput{Address: "黄河路8号院3号楼2单元502", Use: "residential",
			GridCode: "GB", Lat: &lat, Lng: &lng}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Auth.CreateUser(sys, auth.UserInput{Username: "worker", DisplayName: "worker", Password: cliTestPassword,
			UnitCode: "410105", Grants: []auth.GrantInput{{Role: "admin", ScopeCode: "410105"}}}); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newHTTPServer(a, nil).Handler)
		defer srv.Close()
		post := func(path, token string, body any) (int, map[string]any) {
			b, _ := json.Marshal(body)
			req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			out := map[string]any{}
			_ = json.NewDecoder(res.Body).Decode(&out)
			return res.StatusCode, out
		}
		st, login := post("/api/v1/auth/login", "", map[string]string{"username": "worker", "password": cliTestPassword})
		token, _ := login["token"].(string)
		if st != http.StatusOK || token == "" {
			t.Fatalf("login: %d %v", st, login)
		}
		st, c := post("/api/v1/cases", token, map[string]any{"category_code": "E010101", "description": "楼道堆物",
			"address": "黄河路8号院3号楼2单元502"})
		if st != http.StatusCreated || c["grid_code"] != "GB" || c["unit_code"] != "410105001002" ||
			c["lat"] != 34.705 || c["lng"] != 113.615 {
			t.Fatalf("case by house address: got %d %v, want 201 in GB at the house", st, c)
		}
		var detail string
		if err := a.DB.QueryRow(sys, `SELECT detail FROM audit_log WHERE action = 'case.create' AND object_id = ?`,
			fmt.Sprint(c["id"])).Scan(&detail); err != nil || !strings.Contains(detail, `"located_by":"address"`) {
			t.Errorf("audit detail %s, %v: want located_by address", detail, err)
		}
		st, c = post("/api/v1/cases", token, map[string]any{"category_code": "E010101", "description": "井盖缺失",
			"address": "金水区经八路街道经八路社区南门"})
		if st != http.StatusCreated || c["grid_code"] != "GA" || c["lat"] == nil {
			t.Errorf("case by place name: got %d %v, want 201 in GA", st, c)
		}
		st, c = post("/api/v1/cases", token, map[string]any{"category_code": "E010101", "description": "井盖缺失",
			"address": "火星路1号"})
		if fields, _ := c["error"].(map[string]any)["fields"].(map[string]any); st != http.StatusUnprocessableEntity || fields["grid_code"] == nil {
			t.Errorf("unknown address: got %d %v, want 422 on grid_code", st, c)
		}
	})
}
