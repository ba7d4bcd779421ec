package atlas

import (
	"context"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
	"gridgov/internal/registry/places"
	"gridgov/internal/seal"
)

// HouseFinder is what geocoding needs from the registry's places: houses
// by address and houses near a point, both limited to the houses the actor
// may read. The app passes its *places.Service.
type HouseFinder interface {
	HousesByAddress(ctx context.Context, address string, limit int) ([]places.House, error)
	NearestHouses(ctx context.Context, lat, lng float64, limit int) ([]places.NearHouse, error)
}

// geocoder is the service's geocoding state: the house finder and the
// cached gazetteer.
type geocoder struct {
	mu     sync.Mutex
	houses HouseFinder
	gaz    *gazetteer
	gazAt  string
}

// Precisions of a geocoding candidate, finest first.
const (
	PrecisionHouse     = "house"
	PrecisionGrid      = "grid"
	PrecisionCommunity = "community"
	PrecisionStreet    = "street"
	PrecisionDistrict  = "district"
)

// Sources of a geocoding candidate.
const (
	SourceRegistry  = "registry"  // a house of the registry
	SourceGazetteer = "gazetteer" // a standard place name: a unit or grid
)

// Candidate is one answer of Geocode. GridCode is set for a house or a
// grid, and for a community that has exactly one third-level grid; it is
// empty for a street or district. Label is a house's address cut at
// building level, or a place's names from the district down.
type Candidate struct {
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	GridCode  string  `json:"grid_code"`
	UnitCode  string  `json:"unit_code"`
	Precision string  `json:"precision"`
	Source    string  `json:"source"`
	Label     string  `json:"label"`
}

// maxAddress is the longest address accepted (a case's address limit).
const maxAddress = 300

// Geocode turns an address or a standard place name into candidate
// points, best first: the registry's houses with that address (exact, else
// by prefix, among the houses the actor may read), then the units and grids
// the address names (see the gazetteer: deepest first, parents agreeing).
// At most limit candidates (default 10, at most 50); coordinates are in crs
// (wgs84 or gcj02). Needs grid.read somewhere, as Locate does.
func (s *Service) Geocode(ctx context.Context, address, crs string, limit int) ([]Candidate, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, err
	}
	c, err := checkCRS(crs)
	if err != nil {
		return nil, err
	}
	if limit, err = (db.Paging{Default: 10, Max: 50}).Limit(limit); err != nil {
		return nil, err
	}
	out, err := s.candidates(ctx, address, limit)
	if err != nil {
		return nil, err
	}
	if c == CRSGCJ02 {
		for i := range out {
			out[i].Lat, out[i].Lng = geo.WGS84ToGCJ02(out[i].Lat, out[i].Lng)
		}
	}
	return out, nil
}

// LocateAddress is the case loop's address → grid: the best candidate
// that names a grid, found as Geocode finds them (WGS84) but without
// Geocode's grid.read check (case.create is checked on the grid found).
// It answers false when the best candidates are not precise enough to name
// a grid, or when the best ones (same precision) disagree on the grid.
func (s *Service) LocateAddress(ctx context.Context, address string) (Candidate, bool, error) {
	cands, err := s.candidates(ctx, address, 20)
	if err != nil || len(cands) == 0 {
		if apperr.Is(err, apperr.Invalid) {
			err = nil
		}
		return Candidate{}, false, err
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if c.Precision == best.Precision && c.GridCode != best.GridCode {
			return Candidate{}, false, nil
		}
	}
	return best, best.GridCode != "", nil
}

// candidates is Geocode without the permission check, in WGS84.
func (s *Service) candidates(ctx context.Context, address string, limit int) ([]Candidate, error) {
	address = strings.TrimSpace(address)
	switch {
	case address == "":
		return nil, apperr.Field("address", apperr.Required)
	case utf8.RuneCountInString(address) > maxAddress:
		return nil, apperr.Field("address", apperr.MaxChars, "n", 300)
	}
	out, err := s.houseCandidates(ctx, address, limit)
	if err != nil {
		return nil, err
	}
	z, err := s.gazetteerFor(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range z.match(address) {
		if len(out) >= limit {
			break
		}
		c := Candidate{Lat: round7(p.pt[1]), Lng: round7(p.pt[0]), Source: SourceGazetteer, Label: z.chain(p)}
		switch {
		case p.grid:
			c.Precision, c.GridCode, c.UnitCode = PrecisionGrid, p.code, p.unit
		default:
			c.Precision, c.UnitCode = p.level, p.code
			if p.level == PrecisionCommunity {
				c.GridCode = z.soleGrid[p.code]
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// houseCandidates are the registry's houses with the address, one per
// building-level label, grid and point; none when the actor may read no
// houses.
func (s *Service) houseCandidates(ctx context.Context, address string, limit int) ([]Candidate, error) {
	h := s.houseFinder()
	if h == nil {
		return []Candidate{}, nil
	}
	houses, err := h.HousesByAddress(ctx, address, limit)
	if noHouses(err) {
		return []Candidate{}, nil
	} else if err != nil {
		return nil, err
	}
	out := []Candidate{}
	seen := map[Candidate]bool{}
	for _, hs := range houses {
		if hs.Lat == nil || hs.Lng == nil {
			continue
		}
		c := Candidate{Lat: *hs.Lat, Lng: *hs.Lng, GridCode: hs.GridCode, UnitCode: hs.UnitCode,
			Precision: PrecisionHouse, Source: SourceRegistry, Label: seal.MaskAddress(hs.Address)}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// noHouses reports an error that only says the actor may read no houses.
func noHouses(err error) bool {
	return apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound)
}

// houseFinder returns the house finder given to NewService, or nil.
func (s *Service) houseFinder() HouseFinder {
	s.geocoder.mu.Lock()
	defer s.geocoder.mu.Unlock()
	return s.geocoder.houses
}

// UnitName is one unit of a Reverse answer.
type UnitName struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// NearbyHouse is a house near the point of a Reverse answer, labelled by
// its address cut at building level.
type NearbyHouse struct {
	ID        int64   `json:"id"`
	Label     string  `json:"label"`
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	GridCode  string  `json:"grid_code"`
	DistanceM float64 `json:"distance_m"`
}

// Reversed is the answer of Reverse.
type Reversed struct {
	GridCode string        `json:"grid_code"`
	UnitCode string        `json:"unit_code"`
	Units    []UnitName    `json:"units"`
	Houses   []NearbyHouse `json:"houses"`
}

// reverseHouses is how many nearest houses Reverse lists.
const reverseHouses = 5

// Reverse describes a point given in crs (wgs84 or gcj02): the deepest grid
// containing it and its unit (else the deepest unit whose boundary contains
// it, with no grid), the units from the district down to that unit, and
// the nearest houses the actor may read (labels cut at building level,
// coordinates in crs). A point in no grid and no unit still answers, with
// empty codes. Needs grid.read somewhere, as Locate does.
func (s *Service) Reverse(ctx context.Context, lat, lng float64, crs string) (Reversed, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return Reversed{}, err
	}
	c, err := checkCRS(crs)
	if err != nil {
		return Reversed{}, err
	}
	if err := checkPoint(lat, lng); err != nil {
		return Reversed{}, err
	}
	if c == CRSGCJ02 {
		lat, lng = geo.GCJ02ToWGS84(lat, lng)
	}
	out := Reversed{Units: []UnitName{}, Houses: []NearbyHouse{}}
	z, err := s.gazetteerFor(ctx)
	if err != nil {
		return Reversed{}, err
	}
	if g, ok, err := s.loc.Locate(ctx, lat, lng); err != nil {
		return Reversed{}, err
	} else if ok {
		out.GridCode, out.UnitCode = g.Code, g.UnitCode
	} else if u := z.unitAt(lat, lng); u != nil {
		out.UnitCode = u.code
	}
	for u := z.units[out.UnitCode]; u != nil && u.depth >= 1; u = z.units[u.unit] {
		out.Units = append([]UnitName{{Code: u.code, Name: u.name, Level: u.level}}, out.Units...)
	}
	if h := s.houseFinder(); h != nil {
		near, err := h.NearestHouses(ctx, lat, lng, reverseHouses)
		if err != nil && !noHouses(err) {
			return Reversed{}, err
		}
		for _, n := range near {
			hl, hg := *n.Lat, *n.Lng
			if c == CRSGCJ02 {
				hl, hg = geo.WGS84ToGCJ02(hl, hg)
			}
			out.Houses = append(out.Houses, NearbyHouse{ID: n.ID, Label: seal.MaskAddress(n.Address),
				Lat: hl, Lng: hg, GridCode: n.GridCode, DistanceM: n.DistanceM})
		}
	}
	return out, nil
}

// round7 rounds degrees to 7 decimals (about 1 cm).
func round7(v float64) float64 { return math.Round(v*1e7) / 1e7 }
