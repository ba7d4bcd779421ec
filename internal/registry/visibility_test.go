package registry

import (
	"context"
	"fmt"
	"testing"

	"gridgov/internal/actor"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestPersonVisibilityTwins checks that the person-visibility rule in Go
// (CanSeePerson, KeyGroupAllows) and its SQL twins (PersonVisibleSQL,
// KeyGroupSQL) give the same answer for every actor and person of a matrix,
// on both databases.
func TestPersonVisibilityTwins(t *testing.T) {
	const (
		city     = "/410100/"
		district = "/410100/410105/"
		street   = "/410100/410105/410105001/"
		other    = "/410100/410102/"
	)
	grant := func(path string, perms ...string) actor.Grant {
		g := actor.Grant{ScopePath: path, Perms: map[string]bool{}}
		for _, p := range perms {
			g.Perms[p] = true
		}
		return g
	}
	read, kg := string(PermRead), string(PermKeyGroup)
	actors := map[string]*actor.Actor{
		"nobody":                    {UserID: 1},
		"read city":                 {UserID: 2, Grants: []actor.Grant{grant(city, read)}},
		"read district":             {UserID: 3, Grants: []actor.Grant{grant(district, read)}},
		"read street":               {UserID: 4, Grants: []actor.Grant{grant(street, read)}},
		"read+keygroup district":    {UserID: 5, Grants: []actor.Grant{grant(district, read, kg)}},
		"read district, kg street":  {UserID: 6, Grants: []actor.Grant{grant(district, read), grant(street, kg)}},
		"read street, kg district":  {UserID: 7, Grants: []actor.Grant{grant(street, read), grant(district, kg)}},
		"keygroup only district":    {UserID: 8, Grants: []actor.Grant{grant(district, kg)}},
		"read other, kg district":   {UserID: 9, Grants: []actor.Grant{grant(other, read), grant(district, kg)}},
		"two grants, kg in neither": {UserID: 10, Grants: []actor.Grant{grant(street, read), grant(other, read)}},
		"system":                    actor.SystemActor("test"),
	}
	people := []string{city, district, street, other, street + "410105001001/"}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sqlSees := func(cond string, args []any, path string, key bool) bool {
			t.Helper()
			var n int
			q := `SELECT count(*) FROM (SELECT CAST(? AS TEXT) AS unit_path, CAST(? AS BOOLEAN) AS key_group) p WHERE ` + cond
			if err := d.QueryRow(ctx, q, append([]any{path, key}, args...)...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", cond, err)
			}
			return n == 1
		}
		seen := map[bool]int{}
		for name, a := range actors {
			vis, vargs := PersonVisibleSQL(a, "p")
			kgc, kargs := KeyGroupSQL(a, "p")
			for _, path := range people {
				for _, key := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/%s/key=%v", name, path, key), func(t *testing.T) {
						want := CanSeePerson(a, path, key)
						seen[want]++
						if got := sqlSees(vis, vargs, path, key); got != want {
							t.Errorf("PersonVisibleSQL = %v, CanSeePerson = %v", got, want)
						}
						if got, want := sqlSees(kgc, kargs, path, key), KeyGroupAllows(a, path, key); got != want {
							t.Errorf("KeyGroupSQL = %v, KeyGroupAllows = %v", got, want)
						}
					})
				}
			}
		}
		// The matrix must hold both answers, or it checks nothing.
		if seen[true] == 0 || seen[false] == 0 {
			t.Fatalf("matrix answers: %v, want both visible and hidden people", seen)
		}
	})
	// Spot checks of the rule itself.
	for _, c := range []struct {
		actor string
		path  string
		key   bool
		want  bool
	}{
		{"read district", street, false, true},
		{"read district", street, true, false},
		{"read+keygroup district", street, true, true},
		{"read district, kg street", street, true, true},
		{"read district, kg street", district, true, false},
		{"read street, kg district", district, true, false},
		{"keygroup only district", street, true, false},
		{"read other, kg district", street, true, false},
		{"nobody", street, false, false},
		{"system", street, true, true},
	} {
		if got := CanSeePerson(actors[c.actor], c.path, c.key); got != c.want {
			t.Errorf("CanSeePerson(%s, %s, key=%v) = %v, want %v", c.actor, c.path, c.key, got, c.want)
		}
	}
}
