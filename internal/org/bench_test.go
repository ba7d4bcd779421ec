package org_test

import (
	"context"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// benchCity is a realistic tree: 15 districts × 14 streets × 16
// communities, about the size of Zhengzhou (3,586 units).
func benchCity(b *testing.B, e db.Dialect) *org.Service {
	b.Helper()
	svc, _ := benchCityDB(b, e)
	return svc
}

// benchCityDB is benchCity with its database, for raw-SQL baselines.
func benchCityDB(b *testing.B, e db.Dialect) (*org.Service, *db.DB) {
	b.Helper()
	d := dbtest.Open(b, e)
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc := org.NewService(d, audit.New(d, clk), clk)
	sys := actor.With(context.Background(), actor.SystemActor("bench"))
	if _, err := svc.ImportUnits(sys, importSet("410100", 15, 14, 16)); err != nil {
		b.Fatal(err)
	}
	return svc, d
}

// benchAdmin is the administrator of the fifth district.
func benchAdmin() context.Context {
	return as("410105", "/410100/410105/", rbac.All...)
}

// BenchmarkUnit is an authenticated read of a district with its
// descendant counts, as the console's tree page does.
func BenchmarkUnit(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			svc := benchCity(b, e)
			ctx := benchAdmin()
			b.ResetTimer()
			for b.Loop() {
				u, err := svc.Unit(ctx, "410105")
				if err != nil || u.DescendantCounts["community"] != 14*16 {
					b.Fatalf("got %v %v, want 224 communities", u.DescendantCounts, err)
				}
			}
		})
	}
}

// BenchmarkUnitsScopedList is a district administrator listing the first
// 100 communities of their district, filtered by scope, with child counts.
func BenchmarkUnitsScopedList(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			svc := benchCity(b, e)
			ctx := benchAdmin()
			b.ResetTimer()
			for b.Loop() {
				us, total, err := svc.Units(ctx, org.UnitFilter{Under: "410105", Level: org.Community, Limit: 100})
				if err != nil || len(us) != 100 || total != 14*16 {
					b.Fatalf("got %d of %d (%v), want 100 of 224", len(us), total, err)
				}
			}
		})
	}
}

// BenchmarkImportUnits imports the whole city into an empty database, as
// `gridgov import divisions` and the demo seed do.
func BenchmarkImportUnits(b *testing.B) {
	set := importSet("410100", 15, 14, 16)
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			sys := actor.With(context.Background(), actor.SystemActor("bench"))
			for b.Loop() {
				b.StopTimer()
				d := dbtest.Open(b, e)
				clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
				svc := org.NewService(d, audit.New(d, clk), clk)
				b.StartTimer()
				res, err := svc.ImportUnits(sys, set)
				if err != nil || res.Created[org.Community] != 15*14*16 {
					b.Fatalf("got %+v %v", res, err)
				}
			}
		})
	}
}

// BenchmarkImportGrids loads one grid per district, street and community
// of the benchmark city (3,585 grids), as a demo seed would.
func BenchmarkImportGrids(b *testing.B) {
	units := importSet("410100", 15, 14, 16)
	var grids []org.GridInput
	for _, u := range units {
		if u.Level == org.City {
			continue
		}
		g := org.GridInput{Code: u.Code + "-01", Name: u.Name + "网格", UnitCode: u.Code, Level: levelOfGrid[u.Level]}
		if g.Level > 1 {
			g.ParentGridCode = u.ParentCode + "-01"
		}
		grids = append(grids, g)
	}
	sys := actor.With(context.Background(), actor.SystemActor("bench"))
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				svc := benchCity(b, e)
				b.StartTimer()
				res, err := svc.ImportGrids(sys, grids)
				if err != nil || res.Created[3] != 15*14*16 {
					b.Fatalf("got %+v %v", res, err)
				}
			}
		})
	}
}

var levelOfGrid = map[org.Level]int{org.District: 1, org.Street: 2, org.Community: 3}

// BenchmarkUnitRawSQL is the baseline of BenchmarkUnit: the same two
// queries (the unit row, the grouped descendant count) as plain SQL, with no
// permission check, scope or service around them.
func BenchmarkUnitRawSQL(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			_, d := benchCityDB(b, e)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				var code, name, path string
				if err := d.QueryRow(ctx, `SELECT code, name, path FROM org_units WHERE code = ?`, "410105").
					Scan(&code, &name, &path); err != nil {
					b.Fatal(err)
				}
				rows, err := d.Query(ctx, `SELECT level, count(*) FROM org_units WHERE path LIKE ? AND path <> ?
					AND kind = 'territory' GROUP BY level`, path+"%", path)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				rows.Close()
				if n != 2 {
					b.Fatalf("got %d levels, want 2", n)
				}
			}
		})
	}
}

// BenchmarkUnitsRawSQL is the baseline of BenchmarkUnitsScopedList: the
// page of 100 communities and the total by plain SQL on the path prefix.
func BenchmarkUnitsRawSQL(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			_, d := benchCityDB(b, e)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				var total int
				if err := d.QueryRow(ctx, `SELECT count(*) FROM org_units WHERE path LIKE ? AND level = 'community'`,
					"/410100/410105/%").Scan(&total); err != nil {
					b.Fatal(err)
				}
				rows, err := d.Query(ctx, `SELECT code, name, level, kind, path, created_at FROM org_units
					WHERE path LIKE ? AND level = 'community' ORDER BY sort, code LIMIT 100`, "/410100/410105/%")
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					var code, name, level, kind, path string
					var at time.Time
					if err := rows.Scan(&code, &name, &level, &kind, &path, &at); err != nil {
						b.Fatal(err)
					}
					n++
				}
				rows.Close()
				if n != 100 || total != 224 {
					b.Fatalf("got %d of %d, want 100 of 224", n, total)
				}
			}
		})
	}
}
