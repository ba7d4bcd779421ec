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
	d := dbtest.Open(b, e)
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc := org.NewService(d, audit.New(d, clk), clk)
	sys := actor.With(context.Background(), actor.SystemActor("bench"))
	if _, err := svc.ImportUnits(sys, importSet("410100", 15, 14, 16)); err != nil {
		b.Fatal(err)
	}
	return svc
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
