package atlas

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// Fence kinds and what a fence is bound to.
const (
	FencePolygon = "polygon"
	FenceCircle  = "circle"
	BoundStaff   = "staff"
	BoundGrid    = "grid"
)

// Fence is a stored geofence: an area (Geometry, GeoJSON) or a circle
// (Lat, Lng, RadiusM), bound to a staff member or a grid (BoundTo, BoundRef),
// owned by a unit whose subtree scopes who sees and edits it.
type Fence struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Geometry  json.RawMessage `json:"geometry,omitempty"`
	Lat       float64         `json:"lat,omitempty"`
	Lng       float64         `json:"lng,omitempty"`
	RadiusM   float64         `json:"radius_m,omitempty"`
	BoundTo   string          `json:"bound_to"`
	BoundRef  string          `json:"bound_ref"`
	UnitCode  string          `json:"unit_code"`
	Active    bool            `json:"active"`
	Version   int             `json:"version"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	path      string
}

// FenceInput creates a fence. Active defaults to true.
type FenceInput struct {
	Name     string          `json:"name"`
	Kind     string          `json:"kind"`
	Geometry json.RawMessage `json:"geometry"`
	Lat      float64         `json:"lat"`
	Lng      float64         `json:"lng"`
	RadiusM  float64         `json:"radius_m"`
	BoundTo  string          `json:"bound_to"`
	BoundRef string          `json:"bound_ref"`
	UnitCode string          `json:"unit_code"`
	Active   *bool           `json:"active"`
}

// FenceUpdate changes a fence; nil fields stay. Version, when non-zero,
// must match the stored one (optimistic locking).
type FenceUpdate struct {
	Name     *string          `json:"name"`
	Geometry *json.RawMessage `json:"geometry"`
	Lat      *float64         `json:"lat"`
	Lng      *float64         `json:"lng"`
	RadiusM  *float64         `json:"radius_m"`
	Active   *bool            `json:"active"`
	Version  int              `json:"version"`
}

// FenceFilter selects fences for Fences.
type FenceFilter struct {
	BoundTo  string
	BoundRef string
	Unit     string
	Active   *bool
}

// checkFence validates a fence's shape and returns it as a geo.Fence.
func checkFence(f *Fence) (geo.Fence, error) {
	id := fmt.Sprint(f.ID)
	switch f.Kind {
	case FencePolygon:
		mp, err := cleanGeometry(f.Geometry, CRSWGS84, "geometry")
		if err != nil {
			return geo.Fence{}, err
		}
		f.Geometry, f.Lat, f.Lng, f.RadiusM = geo.GeometryJSON(mp), 0, 0, 0
		return geo.NewAreaFence(id, mp)
	case FenceCircle:
		f.Geometry = nil
		gf, err := geo.NewCircleFence(id, f.Lat, f.Lng, f.RadiusM)
		if err != nil {
			return gf, apperr.FieldProblem("radius_m", geomProblem(err))
		}
		return gf, nil
	}
	return geo.Fence{}, apperr.Field("kind", apperr.OneOf, "values", "polygon, circle")
}

// checkFenceFields checks the name and binding.
func checkFenceFields(f Fence) error {
	fields := apperr.FieldErrors{}
	if n := strings.TrimSpace(f.Name); n == "" || len([]rune(n)) > 100 {
		fields.Add("name", apperr.RequiredMaxChars, "n", 100)
	}
	switch f.BoundTo {
	case "", BoundStaff, BoundGrid:
	default:
		fields.Add("bound_to", apperr.OneOf, "values", "staff, grid")
	}
	if f.BoundTo != "" && strings.TrimSpace(f.BoundRef) == "" {
		fields.Add("bound_ref", apperr.BoundRequired)
	}
	if len(fields) > 0 {
		return fields.Err()
	}
	return nil
}

// CreateFence creates a geofence owned by UnitCode (grid.write over it);
// audited as geo.fence.create.
func (s *Service) CreateFence(ctx context.Context, in FenceInput) (Fence, error) {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return Fence{}, err
	}
	f := Fence{Name: strings.TrimSpace(in.Name), Kind: in.Kind, Geometry: in.Geometry, Lat: in.Lat, Lng: in.Lng,
		RadiusM: in.RadiusM, BoundTo: in.BoundTo, BoundRef: strings.TrimSpace(in.BoundRef), UnitCode: in.UnitCode,
		Active: in.Active == nil || *in.Active, Version: 1}
	if err := checkFenceFields(f); err != nil {
		return Fence{}, err
	}
	if _, err := checkFence(&f); err != nil {
		return Fence{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		u, err := s.unitRow(ctx, f.UnitCode)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("unit_code", apperr.UnknownUnit, "code", f.UnitCode)
		} else if err != nil {
			return err
		}
		if err := authorizeWrite(ctx, rbac.GridWrite, rbac.GridRead, u.path); err != nil {
			return err
		}
		if err := s.checkBinding(ctx, f); err != nil {
			return err
		}
		f.path, f.CreatedBy = u.path, actorName(ctx)
		f.CreatedAt, f.UpdatedAt = s.now(), s.now()
		if f.ID, err = s.st.insertFence(ctx, f); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "geo.fence.create", ObjectType: "geofence", ObjectID: fmt.Sprint(f.ID),
			Detail: map[string]any{"name": f.Name, "kind": f.Kind, "bound_to": f.BoundTo, "bound_ref": f.BoundRef,
				"unit_code": f.UnitCode}})
	})
	if err != nil {
		return Fence{}, err
	}
	s.fences.invalidate()
	return f, nil
}

// checkBinding checks that a bound grid or staff member exists.
func (s *Service) checkBinding(ctx context.Context, f Fence) error {
	var ok bool
	var err error
	switch f.BoundTo {
	case BoundGrid:
		ok, err = s.org.GridExists(ctx, f.BoundRef)
	case BoundStaff:
		ok, err = s.org.StaffExists(ctx, f.BoundRef)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("check binding: %w", err)
	}
	if !ok {
		return apperr.Field("bound_ref", apperr.UnknownBound, "kind", f.BoundTo, "ref", f.BoundRef)
	}
	return nil
}

func actorName(ctx context.Context) string {
	if a := actor.From(ctx); a != nil {
		return a.Username
	}
	return ""
}

func nullText(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func nullNum(ok bool, v float64) any {
	if !ok {
		return nil
	}
	return v
}

// fenceRow reads a fence by id.
func (s *Service) fenceRow(ctx context.Context, id int64) (Fence, error) {
	return s.st.fence(ctx, id)
}

// FenceByID returns a fence (grid.read over its unit; outside scope is not_found).
func (s *Service) FenceByID(ctx context.Context, id int64) (Fence, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return Fence{}, err
	}
	f, err := s.fenceRow(ctx, id)
	if err != nil {
		return f, err
	}
	return f, rbac.Require(ctx, rbac.GridRead, f.path)
}

// Fences lists the fences in the actor's grid.read scope, by id.
func (s *Service) Fences(ctx context.Context, flt FenceFilter) ([]Fence, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, err
	}
	cond, args := rbac.ScopeOf(actor.From(ctx), rbac.GridRead).SQL("unit_path")
	where := []string{cond}
	add := func(c string, v any) { where, args = append(where, c), append(args, v) }
	if flt.BoundTo != "" {
		add("bound_to = ?", flt.BoundTo)
	}
	if flt.BoundRef != "" {
		add("bound_ref = ?", flt.BoundRef)
	}
	if flt.Unit != "" {
		add("unit_code = ?", flt.Unit)
	}
	if flt.Active != nil {
		add("active = ?", *flt.Active)
	}
	return s.st.fences(ctx, where, args)
}
