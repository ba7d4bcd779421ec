package seed_test

import (
	"testing"

	"gridgov/internal/geo"
	"gridgov/internal/seed"
)

// checkGeography checks the stored demo map: unit boundaries on
// org_units (district outlines and generated tiles, every one valid), and
// every seeded record with a position and a grid located by the grids'
// index in that very grid.
func checkGeography(t *testing.T, e env) {
	t.Helper()
	rows, err := e.deps.DB.Query(e.ctx, `SELECT code, boundary, boundary_source FROM org_units WHERE boundary IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]int{}
	for rows.Next() {
		var code, boundary, source string
		if err := rows.Scan(&code, &boundary, &source); err != nil {
			t.Fatal(err)
		}
		if _, err := geo.ParseBoundary([]byte(boundary)); err != nil {
			t.Errorf("unit %s: %v", code, err)
		}
		sources[source]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if sources[seed.BoundarySource] != 12 || sources[seed.GeneratedSource] != 3096 {
		t.Errorf("unit boundaries by source = %v, want 12 outlines and 3096 generated", sources)
	}
	if n := count(t, e, `SELECT COUNT(*) FROM org_units WHERE code = '410122' AND boundary IS NOT NULL`); n != 1 {
		t.Error("中牟县 has no boundary")
	}

	shapes, err := e.deps.Org.GridShapes(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(shapes)
	if err != nil {
		t.Fatal(err)
	}
	located := 0
	for _, table := range []string{"houses", "organisations", "components"} {
		rows, err := e.deps.DB.Query(e.ctx, `SELECT id, lat, lng, grid_code FROM `+table+`
			WHERE lat IS NOT NULL AND lng IS NOT NULL AND grid_code <> ''`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var lat, lng float64
			var grid string
			if err := rows.Scan(&id, &lat, &lng, &grid); err != nil {
				t.Fatal(err)
			}
			located++
			if g, ok := ix.Locate(lat, lng); !ok || g.Code != grid {
				t.Errorf("%s %d at %v,%v is in grid %q (found %v), stored grid %s", table, id, lat, lng, g.Code, ok, grid)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if located < 300 {
		t.Errorf("only %d located records checked", located)
	}
}
