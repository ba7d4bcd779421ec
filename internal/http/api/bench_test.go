package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/apptest"
	"gridgov/internal/auth"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/http/httpx"
	"gridgov/internal/org"
)

// benchTree builds a city of 15 districts × 14 streets × 16 communities
// (3,586 units) and a district administrator of 410105, and returns the
// full API handler with that administrator's bearer token.
func benchTree(b *testing.B, d *db.DB) (http.Handler, string) {
	b.Helper()
	a := apptest.New(b, d, apptest.Options{Clock: clock.System{}})
	orgs, au := a.Org, a.Auth
	sys := actor.With(context.Background(), actor.SystemActor("bench"))
	units := []org.UnitInput{{Code: "410100", Name: "郑州市", Level: org.City, Kind: org.Territory}}
	for di := 1; di <= 15; di++ {
		dc := fmt.Sprintf("4101%02d", di)
		units = append(units, org.UnitInput{Code: dc, Name: fmt.Sprintf("区%d", di), Level: org.District, Kind: org.Territory, ParentCode: "410100"})
		for si := 1; si <= 14; si++ {
			sc := fmt.Sprintf("%s%03d", dc, si)
			units = append(units, org.UnitInput{Code: sc, Name: fmt.Sprintf("街道%d-%d", di, si), Level: org.Street, Kind: org.Territory, ParentCode: dc})
			for ci := 1; ci <= 16; ci++ {
				units = append(units, org.UnitInput{Code: fmt.Sprintf("%s%03d", sc, ci), Name: fmt.Sprintf("社区%d-%d-%d", di, si, ci),
					Level: org.Community, Kind: org.Territory, ParentCode: sc})
			}
		}
	}
	if _, err := orgs.ImportUnits(sys, units); err != nil {
		b.Fatal(err)
	}
	if _, err := au.CreateUser(sys, auth.UserInput{Username: "admin-410105", Password: testPassword, UnitCode: "410105",
		Grants: []auth.GrantInput{{Role: "admin", ScopeCode: "410105"}}}); err != nil {
		b.Fatal(err)
	}
	sess, err := au.Login(actor.WithMeta(context.Background(), actor.Meta{IP: "127.0.0.1"}), "admin-410105", testPassword, auth.KindAPI)
	if err != nil {
		b.Fatal(err)
	}
	return httpx.Meta(httpx.Options{}, New(a)), sess.Token
}

func benchGet(b *testing.B, path string) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			h, token := benchTree(b, dbtest.Open(b, e))
			for b.Loop() {
				req := httptest.NewRequest("GET", path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkUnitRead measures an authenticated read of one unit with its
// descendant counts, as a district administrator, through the full handler.
func BenchmarkUnitRead(b *testing.B) {
	benchGet(b, "/api/v1/org/units/410105")
}

// BenchmarkScopedList measures a scoped list of 100 communities of a
// district, as that district's administrator.
func BenchmarkScopedList(b *testing.B) {
	benchGet(b, "/api/v1/org/units?under=410105&level=community&limit=100")
}
