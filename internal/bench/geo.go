package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"time"

	"gridgov/internal/db"
	"gridgov/internal/geo"
)

// WorkloadPointToGrid is the name of the geo benchmark's workload.
const WorkloadPointToGrid = "point-to-grid"

// Geo benchmark defaults: lookups in memory and the PostGIS sample.
const (
	DefaultGeoPoints = 1_000_000
	DefaultGeoSample = 20_000
)

// GeoOptions tune a geo run.
type GeoOptions struct {
	// Points is the number of random points looked up in memory; 0 means
	// DefaultGeoPoints.
	Points int
	// Sample is how many of them PostGIS answers; 0 means DefaultGeoSample.
	Sample int
	// PostGISURL is a PostgreSQL server URL on which a scratch database with
	// PostGIS is created (and dropped after); empty means no PostGIS run.
	PostGISURL string
	// Seed fixes the random points.
	Seed uint64
}

// GeoResult is the geo benchmark's JSON line. PostGISLookupsPerSec is nil
// when PostGIS was not run or not reachable (PostGISNote says why).
type GeoResult struct {
	Workload             string   `json:"workload"`
	LookupsPerSec        float64  `json:"lookups_per_sec"`
	Grids                int      `json:"grids"`
	Points               int      `json:"points"`
	GOMAXPROCS           int      `json:"gomaxprocs"`
	PostGISLookupsPerSec *float64 `json:"postgis_lookups_per_sec"`
	PostGISSample        int      `json:"postgis_sample,omitempty"`
	// Disagreements counts the sample points where PostGIS and the index
	// named different grids (0 when they agree).
	Disagreements int    `json:"disagreements"`
	PostGISNote   string `json:"-"`
}

// Geo measures point-to-grid on the level-3 grids among shapes: builds a
// geo.Index over them, draws opts.Points random points in their extent and
// times the lookups on one goroutine locked to its OS thread; then, given a
// PostGIS URL, answers a sample of the same points with ST_Contains over a
// GiST index in a scratch database and compares the answers. A PostGIS
// failure is not an error: the result says null and why.
func Geo(ctx context.Context, shapes []geo.GridShape, opts GeoOptions) (GeoResult, error) {
	if opts.Points <= 0 {
		opts.Points = DefaultGeoPoints
	}
	if opts.Sample <= 0 {
		opts.Sample = DefaultGeoSample
	}
	opts.Sample = min(opts.Sample, opts.Points)
	var grids []geo.GridShape
	for _, s := range shapes {
		if s.Level == 3 && len(s.Geometry) > 0 && string(s.Geometry) != "null" {
			grids = append(grids, s)
		}
	}
	res := GeoResult{Workload: WorkloadPointToGrid, Grids: len(grids), Points: opts.Points, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if len(grids) == 0 {
		return res, fmt.Errorf("no third-level grid has a boundary")
	}
	ix, err := geo.NewIndex(grids)
	if err != nil {
		return res, err
	}
	var minX, minY, maxX, maxY float64
	for i, g := range grids {
		p, err := geo.ParseBoundary(g.Geometry)
		if err != nil {
			// Stored before validation got stricter: the index copes.
			continue
		}
		b := p.Bound()
		if i == 0 {
			minX, minY, maxX, maxY = b.Min[0], b.Min[1], b.Max[0], b.Max[1]
		}
		minX, minY, maxX, maxY = min(minX, b.Min[0]), min(minY, b.Min[1]), max(maxX, b.Max[0]), max(maxY, b.Max[1])
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x9e0))
	pts := make([][2]float64, opts.Points) // lat, lng
	for i := range pts {
		pts[i] = [2]float64{minY + r.Float64()*(maxY-minY), minX + r.Float64()*(maxX-minX)}
	}
	answers := make([]string, opts.Sample)
	runtime.LockOSThread()
	start := time.Now()
	for i, p := range pts {
		g, ok := ix.Locate(p[0], p[1])
		if i < len(answers) && ok {
			answers[i] = g.Code
		}
	}
	elapsed := time.Since(start)
	runtime.UnlockOSThread()
	res.LookupsPerSec = rate(len(pts), elapsed)
	if opts.PostGISURL == "" {
		res.PostGISNote = "no PostgreSQL URL given"
		return res, nil
	}
	if err := postgisRun(ctx, opts.PostGISURL, grids, pts[:opts.Sample], answers, &res); err != nil {
		res.PostGISLookupsPerSec, res.PostGISSample, res.Disagreements = nil, 0, 0
		res.PostGISNote = "PostGIS not reachable: " + err.Error()
	}
	return res, ctx.Err()
}

// postgisRun creates a scratch database on the server of serverURL, loads
// the grids with a GiST index, times ST_Contains lookups of the sample and
// compares them with answers; the scratch database is dropped after.
func postgisRun(ctx context.Context, serverURL string, grids []geo.GridShape, sample [][2]float64, answers []string, res *GeoResult) error {
	admin, err := db.Open(ctx, serverURL, "")
	if err != nil {
		return err
	}
	defer admin.Close()
	if admin.Dialect != db.Postgres {
		return fmt.Errorf("not a PostgreSQL URL")
	}
	name := fmt.Sprintf("gridgov_bench_geo_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		return err
	}
	defer admin.Exec(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) //nolint:errcheck // best effort
	u, err := url.Parse(serverURL)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	scratch, err := db.Open(ctx, u.String(), "")
	if err != nil {
		return err
	}
	defer scratch.Close()
	if _, err := scratch.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		return fmt.Errorf("create extension postgis: %w", err)
	}
	if _, err := scratch.Exec(ctx, `CREATE TABLE bench_grids (code TEXT PRIMARY KEY, geom geometry(Geometry, 4326) NOT NULL)`); err != nil {
		return err
	}
	err = scratch.WithTx(ctx, func(ctx context.Context) error {
		for _, g := range grids {
			if _, err := scratch.Exec(ctx, `INSERT INTO bench_grids (code, geom) VALUES (?, ST_SetSRID(ST_GeomFromGeoJSON(?), 4326))`,
				g.Code, string(g.Geometry)); err != nil {
				return fmt.Errorf("grid %s: %w", g.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, q := range []string{`CREATE INDEX bench_grids_geom ON bench_grids USING GIST (geom)`, `ANALYZE bench_grids`} {
		if _, err := scratch.Exec(ctx, q); err != nil {
			return err
		}
	}
	// The index's rule: the smallest code wins on a shared border (a point
	// exactly on a border is outside for ST_Contains: random points never are).
	const q = `SELECT code FROM bench_grids WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(?, ?), 4326)) ORDER BY code LIMIT 1`
	start := time.Now()
	got := make([]string, len(sample))
	for i, p := range sample {
		err := scratch.QueryRow(ctx, q, p[1], p[0]).Scan(&got[i])
		if err != nil && !strings.Contains(err.Error(), "no rows") {
			return err
		}
	}
	rps := rate(len(sample), time.Since(start))
	res.PostGISLookupsPerSec, res.PostGISSample = &rps, len(sample)
	for i := range got {
		if got[i] != answers[i] {
			res.Disagreements++
		}
	}
	return nil
}
