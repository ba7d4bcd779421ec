package bench_test

import (
	"context"
	"os"
	"testing"

	"gridgov/internal/bench"
	"gridgov/internal/dbtest"
	"gridgov/internal/geo"
)

func TestGeo(t *testing.T) {
	shapes := geo.SynthTiling(5, 60)
	shapes = append(shapes, geo.GridShape{Code: "L1", Level: 1, Geometry: shapes[0].Geometry}) // not level 3: left out
	res, err := bench.Geo(context.Background(), shapes, bench.GeoOptions{Points: 5000, Sample: 300, PostGISURL: pgServerURL(), Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Workload != bench.WorkloadPointToGrid || res.Grids != 60 || res.Points != 5000 || res.LookupsPerSec <= 0 || res.GOMAXPROCS < 1 {
		t.Fatalf("result %+v", res)
	}
	if res.PostGISLookupsPerSec == nil || res.PostGISSample != 300 {
		t.Fatalf("PostGIS not run: %s", res.PostGISNote)
	}
	if res.Disagreements != 0 {
		t.Fatalf("PostGIS and the index disagree on %d points", res.Disagreements)
	}
	// Unreachable PostGIS: null and a note, not an error.
	res, err = bench.Geo(context.Background(), shapes, bench.GeoOptions{Points: 100, PostGISURL: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"})
	if err != nil || res.PostGISLookupsPerSec != nil || res.PostGISNote == "" {
		t.Fatalf("unreachable PostGIS: %+v, %v", res, err)
	}
	if _, err := bench.Geo(context.Background(), nil, bench.GeoOptions{}); err == nil {
		t.Fatal("no grids: no error")
	}
}

func pgServerURL() string {
	if u := os.Getenv("GRIDGOV_TEST_POSTGRES"); u != "" {
		return u
	}
	return dbtest.ServerURL
}
