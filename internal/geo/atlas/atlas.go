// Package atlas is the map's service over the database: boundaries of org
// units and grids (set, import from GeoJSON or a Shapefile zip, export),
// coverage checks of a community by its third-level grids, geofences, point
// → grid lookup and the grid layer as GeoJSON, and — on PostgreSQL with
// PostGIS — a grid_geoms table and an SQL function gridgov_locate kept in
// step with the grids. Geometry itself is internal/geo's; this package adds
// permissions, transactions and audit entries.
package atlas

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/geo"
	"gridgov/internal/org"
)

// Locator answers point → grid; the app passes its geo.FreshLocator, which
// sees boundary changes made elsewhere by polling org's GridsVersion.
type Locator interface {
	Locate(ctx context.Context, lat, lng float64) (geo.GridShape, bool, error)
}

// Service is the map service. Build it with NewService, then call Start once.
type Service struct {
	db    *db.DB
	st    store
	audit *audit.Log
	clock clock.Clock
	org   *org.Service
	loc   Locator

	mu       sync.Mutex
	postgis  bool
	fences   *fenceCache
	bounds   map[string]orb.Bound // grid code → bounding box
	boundsAt string               // GridsVersion the bounds were built at

	geocoder geocoder // addresses and place names (geocode.go)
}

// NewService returns the map service; loc answers Locate.
//
// houses (may be nil) gives geocoding the registry's houses; without it
// only the gazetteer of unit and grid names answers.
func NewService(d *db.DB, log *audit.Log, clk clock.Clock, orgs *org.Service, loc Locator, houses HouseFinder) *Service {
	s := &Service{db: d, st: store{db: d}, audit: log, clock: clk, org: orgs, loc: loc, fences: &fenceCache{}}
	s.geocoder.houses = houses
	return s
}

// Start prepares what the service needs beyond the migrations: on
// PostgreSQL it tries to enable PostGIS and, when it can, (re)creates
// grid_geoms, its trigger on grids and gridgov_locate, and fills grid_geoms
// from the grids. A database without PostGIS is not an error: PostGIS()
// then reports false and the in-memory index answers everything.
func (s *Service) Start(ctx context.Context) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	ok, err := s.setupPostGIS(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.postgis = ok
	s.mu.Unlock()
	return nil
}

// PostGIS reports whether the PostGIS objects are in place (PostgreSQL only).
func (s *Service) PostGIS() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postgis
}

// now is the service time, truncated to what both engines store.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// cleanGeometry parses and validates a GeoJSON Polygon or MultiPolygon (or
// a Feature holding one), converting from GCJ-02 when crs says so, and
// returns it as a MultiPolygon; problems are invalid errors on field.
func cleanGeometry(raw json.RawMessage, crs, field string) (orb.MultiPolygon, error) {
	g, err := geo.ParseBoundary(raw)
	if err != nil {
		return nil, apperr.FieldProblem(field, geomProblem(err))
	}
	if crs == CRSGCJ02 {
		g = geo.GeometryGCJ02ToWGS84(g)
	}
	g, err = geo.Validate(g)
	if err != nil {
		return nil, apperr.FieldProblem(field, geomProblem(err))
	}
	return multi(g), nil
}

// geomProblem is the message of a geometry error, whatever field it named.
func geomProblem(err error) apperr.Problem {
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		for _, v := range e.Problems {
			return v
		}
		return apperr.P(apperr.GeometryDetail, "detail", e.Message)
	}
	return apperr.P(apperr.GeometryDetail, "detail", err.Error())
}

// multi returns a Polygon or MultiPolygon as a MultiPolygon.
func multi(g orb.Geometry) orb.MultiPolygon {
	switch v := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{v}
	case orb.MultiPolygon:
		return v
	}
	return nil
}

// The coordinate systems accepted on input.
const (
	CRSWGS84 = "wgs84"
	CRSGCJ02 = "gcj02"
)

// checkCRS normalises a CRS name ("" means WGS84).
func checkCRS(crs string) (string, error) {
	switch c := strings.ToLower(strings.TrimSpace(crs)); c {
	case "", CRSWGS84:
		return CRSWGS84, nil
	case CRSGCJ02:
		return c, nil
	}
	return "", apperr.Field("crs", apperr.OneOf, "values", "wgs84, gcj02")
}

// checkPoint checks a latitude and longitude.
func checkPoint(lat, lng float64) error {
	fields := apperr.FieldErrors{}
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		fields.Add("lat", apperr.OutOfRange, "min", -90, "max", 90)
	}
	if math.IsNaN(lng) || lng < -180 || lng > 180 {
		fields.Add("lng", apperr.OutOfRange, "min", -180, "max", 180)
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	return nil
}

// BBox is a bounding box in degrees (WGS84).
type BBox struct {
	MinLng, MinLat, MaxLng, MaxLat float64
}

// ParseBBox reads "minLng,minLat,maxLng,maxLat" ("" is nil: no box).
func ParseBBox(s string) (*BBox, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	bad := apperr.Field("bbox", apperr.BBox)
	if len(parts) != 4 {
		return nil, bad
	}
	var v [4]float64
	for i, p := range parts {
		if _, err := fmt.Sscan(strings.TrimSpace(p), &v[i]); err != nil || math.IsNaN(v[i]) || math.IsInf(v[i], 0) {
			return nil, bad
		}
	}
	b := &BBox{MinLng: v[0], MinLat: v[1], MaxLng: v[2], MaxLat: v[3]}
	if b.MinLng > b.MaxLng || b.MinLat > b.MaxLat || b.MinLat < -90 || b.MaxLat > 90 || b.MinLng < -180 || b.MaxLng > 180 {
		return nil, bad
	}
	return b, nil
}

// intersects reports whether the box overlaps bound (nil box: always).
func (b *BBox) intersects(bd orb.Bound) bool {
	if b == nil {
		return true
	}
	return bd.Min[0] <= b.MaxLng && bd.Max[0] >= b.MinLng && bd.Min[1] <= b.MaxLat && bd.Max[1] >= b.MinLat
}

// pageOf checks limit and offset: 0 means def, over max is max.
func pageOf(limit, offset, def, max int) (int, int, error) {
	return db.Paging{Default: def, Max: max}.Apply(limit, offset)
}
