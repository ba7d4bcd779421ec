package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// MapCap is the most points one map answer carries; past it the answer is
// marked truncated and the user zooms in.
const MapCap = 5000

// MapFilter selects the cases drawn on the map. BBox (minimum = south-west
// corner, [lng, lat]) is required unless GridCode is set.
type MapFilter struct {
	BBox        orb.Bound
	GridCode    string   // cases of this grid only
	Categories  []string // category codes, each a prefix (a 大类 takes its subcategories)
	From, To    time.Time
	Statuses    []Status
	OverdueOnly bool // only cases whose current stage is red (overdue)
	Limit       int  // default and at most MapCap
}

// CasePoint is a case as a map marker: where it is, its state and its
// traffic light (the green/yellow/red the case lists show).
type CasePoint struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Lat          float64   `json:"lat"`
	Lng          float64   `json:"lng"`
	Status       Status    `json:"status"`
	Overdue      Overdue   `json:"overdue"`
	CategoryCode string    `json:"category_code"`
	CategoryName string    `json:"category_name"`
	GridCode     string    `json:"grid_code"`
	CreatedAt    time.Time `json:"created_at"`
}

// CheckBBox validates a map bounding box: coordinates in range, minimum
// not above maximum. A bad box is a 422 naming field "bbox".
func CheckBBox(b orb.Bound) error {
	switch {
	case b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90:
		return apperr.Field("bbox", apperr.Coordinates)
	case b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1]:
		return apperr.Field("bbox", apperr.BBoxOrder)
	}
	return nil
}

// MapCases returns the located cases the actor may see (the same rule as
// Cases) matching f, newest first, at most f.Limit (≤ MapCap) of them; the
// flag reports that more matched.
func (s *Service) MapCases(ctx context.Context, f MapFilter) ([]CasePoint, bool, error) {
	if err := rbac.RequireAny(ctx, PermCaseRead); err != nil {
		return nil, false, err
	}
	var err error
	if f.Limit, err = (db.Paging{Default: MapCap, Max: MapCap}).Limit(f.Limit); err != nil {
		return nil, false, err
	}
	where, args := scopeSQL(rbac.ScopeOf(actor.From(ctx), PermCaseRead))
	conds := []string{where, "c.lat IS NOT NULL", "c.lng IS NOT NULL"}
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	if f.GridCode != "" {
		add("c.grid_code = ?", f.GridCode)
	} else {
		if f.BBox == (orb.Bound{}) {
			return nil, false, apperr.Field("bbox", apperr.Required)
		}
		if err := CheckBBox(f.BBox); err != nil {
			return nil, false, err
		}
	}
	if f.BBox != (orb.Bound{}) {
		add("c.lng BETWEEN ? AND ? AND c.lat BETWEEN ? AND ?", f.BBox.Min[0], f.BBox.Max[0], f.BBox.Min[1], f.BBox.Max[1])
	}
	if len(f.Categories) > 0 {
		ors := make([]string, len(f.Categories))
		for i, c := range f.Categories {
			var a any
			ors[i], a = db.HasPrefix("c.category_code", c)
			args = append(args, a)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, false, apperr.Field("to", apperr.NotBefore, "other", "from")
	}
	if !f.From.IsZero() {
		add("c.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("c.created_at < ?", f.To.UTC())
	}
	if len(f.Statuses) > 0 {
		ph := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ph[i] = "?"
			args = append(args, string(st))
		}
		conds = append(conds, "c.status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.OverdueOnly {
		add("c.overdue = ?", string(Red))
	}
	pts, err := s.st.casePoints(ctx, strings.Join(conds, " AND "), args, f.Limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(pts) > f.Limit {
		return pts[:f.Limit], true, nil
	}
	return pts, false, nil
}

// OpenStatuses are the statuses of cases still being worked.
func OpenStatuses() []Status {
	out := []Status{}
	for _, st := range Statuses {
		if st.Open() {
			out = append(out, st)
		}
	}
	return out
}

// casePoints reads at most limit map points matching where.
func (st store) casePoints(ctx context.Context, where string, args []any, limit int) ([]CasePoint, error) {
	rows, err := st.db.Query(ctx, `SELECT c.id, c.number, c.lat, c.lng, c.status, c.overdue, c.category_code,
		COALESCE(k.name, ''), COALESCE(c.grid_code, ''), c.created_at`+caseFrom+` WHERE `+where+
		` ORDER BY c.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("map cases: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (CasePoint, error) {
		var p CasePoint
		var lat, lng sql.NullFloat64
		if err := sc.Scan(&p.ID, &p.Number, &lat, &lng, &p.Status, &p.Overdue, &p.CategoryCode,
			&p.CategoryName, &p.GridCode, &p.CreatedAt); err != nil {
			return p, fmt.Errorf("map cases: %w", err)
		}
		p.Lat, p.Lng = lat.Float64, lng.Float64
		return p, nil
	})
}
