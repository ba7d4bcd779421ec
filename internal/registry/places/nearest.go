package places

import (
	"context"
	"math"
	"sort"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// NearHouse is a house with its distance from a point.
type NearHouse struct {
	House
	DistanceM float64 `json:"distance_m"`
}

// earthRadiusM is the mean Earth radius.
const earthRadiusM = 6371008.8

// distanceM is the haversine distance between two points in metres.
func distanceM(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Sizes of the nearest-house search: the first box's half side in degrees
// (about 550 m), how often it may quadruple, and how many candidates one
// box may bring back (the nearest ones first).
const (
	nearStartDeg   = 0.005
	nearSteps      = 5
	nearCandidates = 2000
)

// NearestHouses finds the houses with coordinates nearest to a point
// (reverse geocoding) among those the actor may read: a bounding box
// around the point, widened until it holds enough houses, then sorted by
// distance. limit defaults to 10 and is at most 100.
func (s *Service) NearestHouses(ctx context.Context, lat, lng float64, limit int) ([]NearHouse, error) {
	errs := apperr.FieldErrors{}
	checkPoint(errs, &lat, &lng)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	limit, err := (db.Paging{Default: 10, Max: 100}).Limit(limit)
	if err != nil {
		return nil, err
	}
	// Longitude degrees shrink with latitude; the box and the ordering
	// scale them to match.
	k := math.Max(0.01, math.Cos(lat*math.Pi/180))
	var found []NearHouse
	for step, d := 0, nearStartDeg; step < nearSteps; step, d = step+1, d*4 {
		houses, err := s.housesInBox(ctx, lat, lng, d, d/k, k)
		if err != nil {
			return nil, err
		}
		found = found[:0]
		for _, h := range houses {
			dist := distanceM(lat, lng, *h.Lat, *h.Lng)
			// Only houses within the box's inscribed circle are surely
			// nearer than any house outside the box.
			if dist <= d*111000 || step == nearSteps-1 {
				found = append(found, NearHouse{House: h, DistanceM: math.Round(dist*10) / 10})
			}
		}
		if len(found) >= limit {
			break
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].DistanceM < found[j].DistanceM })
	if len(found) > limit {
		found = found[:limit]
	}
	return found, nil
}

// housesInBox returns the readable houses within dlat/dlng degrees of a
// point, the nearest first (by the planar distance with longitude scaled
// by k), at most nearCandidates.
func (s *Service) housesInBox(ctx context.Context, lat, lng, dlat, dlng, k float64) ([]House, error) {
	w, err := scoped(ctx, "h.")
	if err != nil {
		return nil, err
	}
	return s.st.housesNear(ctx, w, lat, lng, dlat, dlng, k, nearCandidates)
}

// HousesByAddress geocodes an address through the houses with
// coordinates the actor may read: houses with exactly that address first,
// otherwise those whose address begins with it (shortest first). limit
// defaults to 10 and is at most 100.
func (s *Service) HousesByAddress(ctx context.Context, address string, limit int) ([]House, error) {
	address = strings.TrimSpace(address)
	if address == "" {
		return nil, apperr.Field("address", apperr.Required)
	}
	limit, err := (db.Paging{Default: 10, Max: 100}).Limit(limit)
	if err != nil {
		return nil, err
	}
	for _, exact := range []bool{true, false} {
		w, err := scoped(ctx, "h.")
		if err != nil {
			return nil, err
		}
		w.add("h.lat IS NOT NULL AND h.lng IS NOT NULL")
		order := "h.id"
		if exact {
			w.add("h.address = ?", address)
		} else {
			w.add(db.HasPrefix("h.address", address))
			order = "length(h.address), h.id"
		}
		houses, _, err := s.st.houses(ctx, w, order, limit, 0)
		if err != nil || len(houses) > 0 {
			return houses, err
		}
	}
	return []House{}, nil
}
