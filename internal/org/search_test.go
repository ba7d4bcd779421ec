package org_test

import (
	"reflect"
	"sort"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
)

// TestSearchIgnoresCaseOnBothEngines: unit and grid searches find the same
// rows on SQLite and PostgreSQL whatever the letter case of the term, and a
// term's _ and % match only themselves.
func TestSearchIgnoresCaseOnBothEngines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		units := map[string][]string{
			"d410100-01":  {"D410100-01", "D410100-01-1"},
			"D410100-01-": {"D410100-01-1"},
			"城市管理":        {"D410100-01"},
			"d410100_01":  {},
			"%":           {},
		}
		for q, want := range units {
			us, _, err := f.svc.Units(f.sys, org.UnitFilter{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, u := range us {
				got = append(got, u.Code)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("units %q: got %v, want %v", q, got, want)
			}
		}
		grids := map[string]int{"g410105001001": 1, "G4101": 2, "g4101_": 0, "社区网格": 2}
		for q, want := range grids {
			gs, total, err := f.svc.Grids(f.sys, org.GridFilter{Q: q})
			if err != nil || len(gs) != want || total != want {
				t.Errorf("grids %q: got %d (total %d, %v), want %d", q, len(gs), total, err, want)
			}
		}
	})
}
