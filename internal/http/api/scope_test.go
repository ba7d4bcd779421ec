package api

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gridgov/internal/auth"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

func TestUnitReadScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		tok := f.login("admin-410105")

		res := f.do("GET", "/api/v1/org/units/410105", tok, nil)
		if res.status != http.StatusOK {
			t.Fatalf("own district: got %d %s, want 200", res.status, res.body)
		}
		var u org.Unit
		res.json(t, &u)
		if u.Code != "410105" || u.Name != "金水区" || u.Level != org.District || u.ParentCode != "410100" {
			t.Errorf("unit: got %+v, want 410105 金水区 district under 410100", u)
		}
		want := map[string]int{"street": 1, "community": 2}
		for k, v := range want {
			if u.DescendantCounts[k] != v {
				t.Errorf("descendant_counts[%s]: got %d, want %d (all %v)", k, u.DescendantCounts[k], v, u.DescendantCounts)
			}
		}

		other := f.do("GET", "/api/v1/org/units/410102", tok, nil)
		missing := f.do("GET", "/api/v1/org/units/419999", tok, nil)
		for name, r := range map[string]response{"other district": other, "missing unit": missing} {
			if r.status != http.StatusNotFound {
				t.Errorf("%s: got %d %s, want 404", name, r.status, r.body)
			}
		}
		eo, em := other.errorBody(t), missing.errorBody(t)
		eo.RequestID, em.RequestID = "", ""
		if eo.Code != em.Code || eo.Message != em.Message || eo.Reason != em.Reason || len(eo.Fields)+len(em.Fields) != 0 {
			t.Errorf("out of scope and missing differ: got %+v and %+v, want identical bodies", eo, em)
		}

		// The same holds below the district and for the city admin's view.
		if r := f.do("GET", "/api/v1/org/units/410102001001", tok, nil); r.status != http.StatusNotFound {
			t.Errorf("community of another district: got %d, want 404", r.status)
		}
		city := f.login("admin")
		if r := f.do("GET", "/api/v1/org/units/410102", city, nil); r.status != http.StatusOK {
			t.Errorf("city admin reading 410102: got %d %s, want 200", r.status, r.body)
		}
	})
}

func codesOf[T any](items []T, code func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, code(it))
	}
	sort.Strings(out)
	return out
}

func TestScopedLists(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		district, city := f.login("admin-410105"), f.login("admin")
		tests := []struct {
			name, token, path string
			want              []string
		}{
			{"district admin lists communities", district, "/api/v1/org/units?level=community",
				[]string{"410105001001", "410105001002"}},
			{"district admin lists under the city", district, "/api/v1/org/units?under=410100&level=district",
				[]string{"410105"}},
			{"district admin cannot list another district", district, "/api/v1/org/units?under=410102", nil},
			{"city admin lists districts", city, "/api/v1/org/units?under=410100&level=district",
				[]string{"410102", "410105"}},
			{"children", city, "/api/v1/org/units/410105001/children", []string{"410105001001", "410105001002"}},
			{"search by name", city, "/api/v1/org/units?q=" + "%E4%B8%AD%E5%8E%9F" + "&level=district", []string{"410102"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := f.do("GET", tt.path, tt.token, nil)
				if res.status != http.StatusOK && !(tt.want == nil && res.status == http.StatusNotFound) {
					t.Fatalf("got %d %s, want 200", res.status, res.body)
				}
				if res.status == http.StatusNotFound {
					return
				}
				var l list[org.Unit]
				res.json(t, &l)
				got := codesOf(l.Items, func(u org.Unit) string { return u.Code })
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				if l.Total != len(tt.want) {
					t.Errorf("total: got %d, want %d", l.Total, len(tt.want))
				}
			})
		}

		t.Run("users", func(t *testing.T) {
			for _, c := range []struct {
				token string
				want  []string
			}{
				{district, []string{"admin-410105"}},
				{city, []string{"admin", "admin-410102", "admin-410105"}},
			} {
				res := f.do("GET", "/api/v1/users", c.token, nil)
				if res.status != http.StatusOK {
					t.Fatalf("got %d %s, want 200", res.status, res.body)
				}
				var l list[auth.User]
				res.json(t, &l)
				got := codesOf(l.Items, func(u auth.User) string { return u.Username })
				if !slices.Equal(got, c.want) || l.Total != len(c.want) {
					t.Errorf("got %v (total %d), want %v", got, l.Total, c.want)
				}
			}
		})
	})
}

func TestLockoutOverHTTP(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		wrong := map[string]string{"username": "admin-410105", "password": "Wrong-Passw0rd!"}
		for i := 1; i <= 4; i++ {
			res := f.do("POST", "/api/v1/auth/login", "", wrong)
			if res.status != http.StatusUnauthorized {
				t.Fatalf("failure %d: got %d %s, want 401", i, res.status, res.body)
			}
		}
		if res := f.do("POST", "/api/v1/auth/login", "", wrong); res.status != http.StatusUnauthorized && res.status != http.StatusLocked {
			t.Fatalf("failure 5: got %d %s, want 401 or 423", res.status, res.body)
		}
		right := map[string]string{"username": "admin-410105", "password": testPassword}
		for _, body := range []map[string]string{wrong, right} {
			res := f.do("POST", "/api/v1/auth/login", "", body)
			if res.status != http.StatusLocked {
				t.Fatalf("after 5 failures: got %d %s, want 423", res.status, res.body)
			}
			if e := res.errorBody(t); e.Code != "locked" || e.Reason != "account_locked" {
				t.Errorf("error: got %+v, want locked/account_locked", e)
			}
			if strings.Contains(string(res.body), "token") {
				t.Errorf("locked response carries a token: %s", res.body)
			}
		}
		f.clock.Advance(31 * time.Minute)
		if res := f.do("POST", "/api/v1/auth/login", "", right); res.status != http.StatusOK {
			t.Errorf("after 31 minutes: got %d %s, want 200", res.status, res.body)
		}
	})
}
