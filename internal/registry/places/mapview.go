package places

import (
	"context"

	"github.com/paulmach/orb"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
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
	pts, more, err := s.mapPoints(ctx, "h.", s.st.mapHouses, bbox, limit)
	for i := range pts {
		pts[i].Label = seal.MaskAddress(pts[i].Label)
	}
	return pts, more, err
}

// MapOrganisations returns the located organisations in bbox within the
// actor's scope (the same rule as Organisations), labelled by name.
func (s *Service) MapOrganisations(ctx context.Context, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	return s.mapPoints(ctx, "o.", s.st.mapOrganisations, bbox, limit)
}

// MapComponents returns the located components (部件) in bbox within the
// actor's scope (the same rule as Components), with category and state.
func (s *Service) MapComponents(ctx context.Context, bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	return s.mapPoints(ctx, "c.", s.st.mapComponents, bbox, limit)
}

// mapPoints runs a scoped point query (its table aliased alias) in bbox.
func (s *Service) mapPoints(ctx context.Context, alias string, query func(context.Context, *where, orb.Bound, int) ([]MapPoint, error),
	bbox orb.Bound, limit int) ([]MapPoint, bool, error) {
	w, err := scoped(ctx, alias)
	if err != nil {
		return nil, false, err
	}
	if err := checkBBox(bbox); err != nil {
		return nil, false, err
	}
	limit, err = db.Paging{Default: MapCap, Max: MapCap}.Limit(limit)
	if err != nil {
		return nil, false, err
	}
	out, err := query(ctx, w, bbox, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
