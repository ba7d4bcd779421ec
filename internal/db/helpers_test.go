package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

var probeNames = []string{"Jinshui Road", "JINSHUI ROAD", "jinshui road 2", "金水路", "经八路1号院",
	"100% 完成", "100 percent", "a_b", "axb", `back\slash`, "Ärzte"}

// TestTextSearchSameOnBothEngines runs the same searches on SQLite and
// PostgreSQL: each finds the same rows, in any letter case, and a term's %, _
// and \ match only themselves.
func TestTextSearchSameOnBothEngines(t *testing.T) {
	type search struct {
		name   string
		cond   func() (string, []any)
		wantID []int
	}
	contains := func(term string) func() (string, []any) {
		return func() (string, []any) { c, a := db.Contains("name", term); return c, []any{a} }
	}
	prefix := func(term string) func() (string, []any) {
		return func() (string, []any) { c, a := db.HasPrefix("name", term); return c, []any{a} }
	}
	searches := []search{
		{"mixed case contains", contains("sHuI rOaD"), []int{1, 2, 3}},
		{"lower prefix", prefix("jinshui road "), []int{3}},
		{"upper prefix", prefix("JIN"), []int{1, 2, 3}},
		{"chinese", contains("金水"), []int{4}},
		{"chinese prefix", prefix("经八路"), []int{5}},
		{"percent is literal", contains("100%"), []int{6}},
		{"underscore is literal", contains("a_b"), []int{8}},
		{"backslash is literal", contains(`k\s`), []int{10}},
		{"exact non-ascii case", contains("Ärz"), []int{11}},
		{"nothing", contains("nowhere"), nil},
		{"any of two columns", func() (string, []any) { return db.ContainsAny("ROAD 2", "name", "note") }, []int{3, 7}},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, `CREATE TABLE search_probe (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		for i, n := range probeNames {
			note := ""
			if i == 6 {
				note = "Road 2 nearby"
			}
			if _, err := d.Exec(ctx, `INSERT INTO search_probe (id, name, note) VALUES (?, ?, ?)`, i+1, n, note); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range searches {
			t.Run(s.name, func(t *testing.T) {
				cond, args := s.cond()
				got, err := db.Collect(ctx, d, db.ScanOne[int], `SELECT id FROM search_probe WHERE `+cond+` ORDER BY id`, args...)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, s.wantID) && !(len(got) == 0 && len(s.wantID) == 0) {
					t.Errorf("got %v, want %v", got, s.wantID)
				}
			})
		}
	})
}

func TestCollectEmptyIsNotNil(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		got, err := db.Collect(context.Background(), d, db.ScanOne[string], `SELECT username FROM login_locks`)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("got %#v (%v), want an empty, non-nil slice", got, err)
		}
		_, err = db.Collect(context.Background(), d, db.ScanOne[string], `SELECT no_such_column FROM login_locks`)
		if err == nil {
			t.Error("a bad query: got no error")
		}
	})
}

func TestPagingRule(t *testing.T) {
	p := db.Paging{Default: 50, Max: 500}
	tests := []struct {
		limit, offset    int
		wantLim, wantOff int
		wantField        string
	}{
		{0, 0, 50, 0, ""},
		{1, 10, 1, 10, ""},
		{500, 0, 500, 0, ""},
		{501, 0, 500, 0, ""},
		{1 << 30, 3, 500, 3, ""},
		{-1, 0, 0, 0, "limit"},
		{10, -1, 0, 0, "offset"},
	}
	for _, tt := range tests {
		l, o, err := p.Apply(tt.limit, tt.offset)
		var ae *apperr.Error
		switch {
		case tt.wantField != "":
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Fields[tt.wantField] == "" {
				t.Errorf("Apply(%d, %d): got %v, want invalid %s", tt.limit, tt.offset, err, tt.wantField)
			}
		case err != nil || l != tt.wantLim || o != tt.wantOff:
			t.Errorf("Apply(%d, %d): got %d, %d, %v; want %d, %d", tt.limit, tt.offset, l, o, err, tt.wantLim, tt.wantOff)
		}
	}
	for s, want := range map[string]bool{"": true, "1": true, "9999999": true, "0": false, "-3": false, "many": false, "1.5": false} {
		if _, problem := db.ParseLimit(s); (problem == "") != want {
			t.Errorf("ParseLimit(%q): problem %q, want ok=%v", s, problem, want)
		}
	}
	for s, want := range map[string]bool{"": true, "0": true, "20": true, "-1": false, "x": false} {
		if _, problem := db.ParseOffset(s); (problem == "") != want {
			t.Errorf("ParseOffset(%q): problem %q, want ok=%v", s, problem, want)
		}
	}
}
