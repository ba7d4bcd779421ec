package groups

import (
	"context"
	"sort"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// MapCap is the most points one map answer carries; past it the answer is
// marked truncated and the user zooms in.
const MapCap = 5000

// KeyGroupPoint is a key-group person (重点人群) on the map, placed at the
// house they live in. It carries no name and no identifier: only the
// person's id (to open the record, which is itself checked and logged),
// the key-group kinds of their current memberships and the highest risk
// level among them (low, medium, high or "").
type KeyGroupPoint struct {
	PersonID  int64    `json:"person_id"`
	Lat       float64  `json:"lat"`
	Lng       float64  `json:"lng"`
	Kinds     []string `json:"kinds"`
	RiskLevel string   `json:"risk_level,omitempty"`
}

// riskRank orders the risk_level codes.
var riskRank = map[string]int{"low": 1, "medium": 2, "high": 3}

// MapKeyGroup returns the key-group people whose house lies in bbox, for an
// actor holding registry.keygroup over them (scope on the person's unit),
// at most limit (default and at most MapCap); the flag reports that more
// matched. Every person returned is recorded in person_access (action
// "list") in one transaction, so the disclosure is on the person's record.
func (s *Service) MapKeyGroup(ctx context.Context, bbox orb.Bound, limit int) ([]KeyGroupPoint, bool, error) {
	if err := rbac.RequireAny(ctx, PermKeyGroup); err != nil {
		return nil, false, err
	}
	if err := checkBBox(bbox); err != nil {
		return nil, false, err
	}
	limit, err := db.Paging{Default: MapCap, Max: MapCap}.Limit(limit)
	if err != nil {
		return nil, false, err
	}
	if s.reg == nil {
		return nil, false, apperr.New(apperr.Internal, "key-group map needs the registry to log access")
	}
	var pts []KeyGroupPoint
	more := false
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if pts, err = s.keyGroupPoints(ctx, bbox, limit+1); err != nil {
			return err
		}
		if len(pts) > limit {
			pts, more = pts[:limit], true
		}
		if err := s.keyGroupKinds(ctx, pts); err != nil {
			return err
		}
		ids := make([]int64, len(pts))
		for i, p := range pts {
			ids[i] = p.PersonID
		}
		return s.reg.LogAccess(ctx, registry.AccessList, ids, "")
	})
	if err != nil {
		return nil, false, err
	}
	return pts, more, nil
}

// keyGroupPoints reads the located key-group people in scope and bbox.
func (s *Service) keyGroupPoints(ctx context.Context, bbox orb.Bound, limit int) ([]KeyGroupPoint, error) {
	cond, args := registry.PersonVisibleSQL(actor.From(ctx), "p")
	args = append([]any{true}, args...)
	args = append(args, bbox.Min[0], bbox.Max[0], bbox.Min[1], bbox.Max[1], limit)
	out, err := s.st.keyGroupPoints(ctx, cond, args)
	if err != nil {
		return nil, apperr.Wrap(err, "key-group map")
	}
	return out, nil
}

// keyGroupKinds fills the current key-group kinds and highest risk level
// of each point.
func (s *Service) keyGroupKinds(ctx context.Context, pts []KeyGroupPoint) error {
	if len(pts) == 0 {
		return nil
	}
	at := make(map[int64]int, len(pts))
	ids := make([]int64, len(pts))
	for i, p := range pts {
		at[p.PersonID] = i
		ids[i] = p.PersonID
	}
	kinds, err := s.st.openKeyKinds(ctx, ids)
	if err != nil {
		return apperr.Wrap(err, "key-group kinds")
	}
	for _, k := range kinds {
		p := &pts[at[k.person]]
		p.Kinds = append(p.Kinds, k.kind)
		if riskRank[k.risk] > riskRank[p.RiskLevel] {
			p.RiskLevel = k.risk
		}
	}
	for i := range pts {
		sort.Strings(pts[i].Kinds)
	}
	return nil
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
