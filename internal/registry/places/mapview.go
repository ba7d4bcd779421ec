package places

import (
	"context"
	"strconv"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/seal"
)

// MapCap is the most points one map answer carries; past it the answer is
// marked truncated and the user zooms in.
const MapCap = 5000

// MapPoint is a house, organisation or component as a map marker. Label
// is what the marker shows: a house's address cut at building level, an
// organisation's name, a component's name; Kind is the house use, the
// organisation kind or the component category code; Status is a
// component's state (intact, damaged …).
type MapPoint struct {
	ID     int64   `json:"id"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
	Label  string  `json:"label"`
	Kind   string  `json:"kind"`
	Status string  `json:"status,omitempty"`
}

// checkBBox validates a map bounding box ([lng, lat] corners): required,
// in range, minimum not above maximum; a bad box is a 422 on "bbox".
func checkBBox(b orb.Bound) error {
	switch {
	case b == orb.Bound{}:
		return apperr.Field("bbox", apperr.Required)
	case b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90:
		return apperr.Field("bbox", apperr.Coordinates)
	case b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1]:
		return apperr.Field("bbox", apperr.BBoxOrder)
	}
	return nil
}

// MapHouses returns the located houses in bbox within the actor's scope
// (the same rule as Houses), labelled with the address cut at building
// level (seal.MaskAddress), at most limit (default and at most
// MapCap); the flag reports that more matched.
func (s *Service) MapHouses(ctx context.Context, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	pts, more, err := s.mapPoints(ctx, "h.", `SELECT h.id, h.lat, h.lng, h.address, h.house_use, '' FROM houses h`, bbox, limit)
	for i := range pts {
		pts[i].Label = seal.MaskAddress(pts[i].Label)
	}
	return pts, more, err
}

// MapOrganisations returns the located organisations in bbox within the
// actor's scope (the same rule as Organisations), labelled by name.
func (s *Service) MapOrganisations(ctx context.Context, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	return s.mapPoints(ctx, "o.", `SELECT o.id, o.lat, o.lng, o.name, o.kind, '' FROM organisations o`, bbox, limit)
}

// MapComponents returns the located components (部件) in bbox within the
// actor's scope (the same rule as Components), with category and state.
func (s *Service) MapComponents(ctx context.Context, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	return s.mapPoints(ctx, "c.", `SELECT c.id, c.lat, c.lng, c.name, c.category_code, c.status FROM components c`, bbox, limit)
}

// mapPoints runs a scoped point query over the lat/lng columns of alias.
func (s *Service) mapPoints(ctx context.Context, alias, selectFrom string, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	w, err := scoped(ctx, alias)
	if err != nil {
		return nil, false, err
	}
	if err := checkBBox(bbox); err != nil {
		return nil, false, err
	}
	if limit < 0 || limit > MapCap {
		return nil, false, apperr.Field("limit", apperr.IntRange, "min", 1, "max", strconv.Itoa(MapCap))
	}
	if limit == 0 {
		limit = MapCap
	}
	w.add(alias+"lng BETWEEN ? AND ? AND "+alias+"lat BETWEEN ? AND ?", bbox.Min[0], bbox.Max[0], bbox.Min[1], bbox.Max[1])
	rows, err := s.db.Query(ctx, selectFrom+` WHERE `+w.sql()+` ORDER BY `+alias+`id LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return nil, false, apperr.Wrap(err, "map points")
	}
	defer rows.Close()
	out := []MapPoint{}
	for rows.Next() {
		var p MapPoint
		if err := rows.Scan(&p.ID, &p.Lat, &p.Lng, &p.Label, &p.Kind, &p.Status); err != nil {
			return nil, false, apperr.Wrap(err, "map points")
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, apperr.Wrap(err, "map points")
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
