package atlas_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/geo"
	"gridgov/internal/geo/atlas"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
)

// env is a migrated database with the orgtest territory and the services.
type env struct {
	db    *db.DB
	orgs  *org.Service
	svc   *atlas.Service
	sys   context.Context
	clock *clock.Fake
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	orgs := org.NewService(d, log, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, orgs)
	// Interval 0: the locator checks GridsVersion on every lookup, as the
	// app's does every few seconds.
	loc := geo.NewFreshLocator(orgs, 0, clk.Now)
	svc := atlas.NewService(d, log, clk, orgs, loc, nil)
	if err := svc.Start(sys); err != nil {
		t.Fatal(err)
	}
	return &env{db: d, orgs: orgs, svc: svc, sys: sys, clock: clk}
}

// square returns a GeoJSON Polygon of the box [x, x+w] × [y, y+h].
func square(x, y, w, h float64) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
		x, y, x+w, y, x+w, y+h, x, y+h, x, y))
}

// bowtie is a self-crossing ring.
var bowtie = json.RawMessage(`{"type":"Polygon","coordinates":[[[113.6,34.7],[113.61,34.71],[113.61,34.7],[113.6,34.71],[113.6,34.7]]]}`)

// featureCollection builds a GeoJSON FeatureCollection of (code, geometry) pairs.
func featureCollection(prop string, pairs ...any) []byte {
	out := `{"type":"FeatureCollection","features":[`
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			out += ","
		}
		out += fmt.Sprintf(`{"type":"Feature","properties":{%q:%q},"geometry":%s}`, prop, pairs[i], pairs[i+1])
	}
	return []byte(out + "]}")
}

// auditCount counts audit entries of an action.
func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = ?`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// gridBoundary reads a grid's stored boundary.
func gridBoundary(t *testing.T, e *env, code string) string {
	t.Helper()
	g, err := e.orgs.Grid(e.sys, code)
	if err != nil {
		t.Fatal(err)
	}
	return string(g.Boundary)
}

var (
	writer = func(unit string) context.Context {
		return orgtest.As(unit, rbac.GridRead, rbac.GridWrite, rbac.OrgRead, rbac.OrgWrite)
	}
	reader = func(unit string) context.Context { return orgtest.As(unit, rbac.GridRead, rbac.OrgRead) }
)
