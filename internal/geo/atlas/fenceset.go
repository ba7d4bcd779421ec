package atlas

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/geo"
	"gridgov/internal/rbac"
)

// UpdateFence changes a fence (grid.write over its unit), bumping its
// version; a stale Version is a conflict. Audited as geo.fence.update.
func (s *Service) UpdateFence(ctx context.Context, id int64, upd FenceUpdate) (Fence, error) {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return Fence{}, err
	}
	var out Fence
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.fenceRow(ctx, id)
		if err != nil {
			return err
		}
		if err := authorizeWrite(ctx, rbac.GridWrite, rbac.GridRead, f.path); err != nil {
			return err
		}
		if upd.Version != 0 && upd.Version != f.Version {
			return apperr.Newf(apperr.Conflict, "geofence %d was changed meanwhile (version %d, not %d); reload it", id, f.Version, upd.Version)
		}
		changed := []string{}
		set := func(name string, cond bool, apply func()) {
			if cond {
				apply()
				changed = append(changed, name)
			}
		}
		set("name", upd.Name != nil, func() { f.Name = strings.TrimSpace(*upd.Name) })
		set("geometry", upd.Geometry != nil, func() { f.Geometry = *upd.Geometry })
		set("lat", upd.Lat != nil, func() { f.Lat = *upd.Lat })
		set("lng", upd.Lng != nil, func() { f.Lng = *upd.Lng })
		set("radius_m", upd.RadiusM != nil, func() { f.RadiusM = *upd.RadiusM })
		set("active", upd.Active != nil, func() { f.Active = *upd.Active })
		if err := checkFenceFields(f); err != nil {
			return err
		}
		if _, err := checkFence(&f); err != nil {
			return err
		}
		if len(changed) == 0 {
			out = f
			return nil
		}
		f.Version++
		f.UpdatedAt = s.now()
		if err := s.st.updateFence(ctx, f); err != nil {
			return err
		}
		out = f
		return s.audit.Record(ctx, audit.Entry{Action: "geo.fence.update", ObjectType: "geofence", ObjectID: fmt.Sprint(id),
			Detail: map[string]any{"changed": changed, "version": f.Version}})
	})
	if err == nil {
		s.fences.invalidate()
	}
	return out, err
}

// DeleteFence deletes a fence (grid.write over its unit); audited as
// geo.fence.delete.
func (s *Service) DeleteFence(ctx context.Context, id int64) error {
	if err := rbac.RequireAny(ctx, rbac.GridWrite); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.fenceRow(ctx, id)
		if err != nil {
			return err
		}
		if err := authorizeWrite(ctx, rbac.GridWrite, rbac.GridRead, f.path); err != nil {
			return err
		}
		if err := s.st.deleteFence(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "geo.fence.delete", ObjectType: "geofence", ObjectID: fmt.Sprint(id),
			Detail: map[string]any{"name": f.Name, "kind": f.Kind, "unit_code": f.UnitCode}})
	})
	if err == nil {
		s.fences.invalidate()
	}
	return err
}

// TestFence reports whether a point (WGS84) is inside a fence the actor
// can see (grid.read); an inactive fence still answers.
func (s *Service) TestFence(ctx context.Context, id int64, lat, lng float64) (bool, error) {
	if err := checkPoint(lat, lng); err != nil {
		return false, err
	}
	f, err := s.FenceByID(ctx, id)
	if err != nil {
		return false, err
	}
	gf, err := checkFence(&f)
	if err != nil {
		return false, apperr.Newf(apperr.Conflict, "geofence %d cannot be read: %v", id, err)
	}
	return gf.Contains(lat, lng), nil
}

// FencesAt returns the active fences containing a point (WGS84) that the
// actor can see (grid.read), optionally only those bound to boundTo (staff
// or grid), by id. It answers from a geo.FenceSet over all active fences,
// rebuilt after a change through this service and whenever the table's
// fingerprint moves (changes by another process), checked on each call.
// This is what the tracking module calls for every position.
func (s *Service) FencesAt(ctx context.Context, lat, lng float64, boundTo string) ([]Fence, error) {
	if err := rbac.RequireAny(ctx, rbac.GridRead); err != nil {
		return nil, err
	}
	if err := checkPoint(lat, lng); err != nil {
		return nil, err
	}
	if boundTo != "" && boundTo != BoundStaff && boundTo != BoundGrid {
		return nil, apperr.Field("bound_to", apperr.OneOf, "values", "staff, grid")
	}
	set, byID, err := s.fenceSet(ctx)
	if err != nil {
		return nil, err
	}
	a := actor.From(ctx)
	out := []Fence{}
	for _, id := range set.Containing(lat, lng) {
		f := byID[id]
		if (boundTo == "" || f.BoundTo == boundTo) && rbac.Can(a, rbac.GridRead, f.path) {
			out = append(out, f)
		}
	}
	return out, nil
}

// fenceCache holds the FenceSet of active fences and the table fingerprint
// it was built at.
type fenceCache struct {
	mu      sync.Mutex
	version string
	set     *geo.FenceSet
	byID    map[string]Fence
}

func (c *fenceCache) invalidate() {
	c.mu.Lock()
	c.set = nil
	c.mu.Unlock()
}

// fenceSet returns the current FenceSet, rebuilding it when stale.
func (s *Service) fenceSet(ctx context.Context) (*geo.FenceSet, map[string]Fence, error) {
	version, err := s.st.fencesVersion(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := s.fences
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && c.version == version {
		return c.set, c.byID, nil
	}
	active, err := s.st.fences(ctx, []string{"active = ?"}, []any{true})
	if err != nil {
		return nil, nil, fmt.Errorf("load fences: %w", err)
	}
	var gfs []geo.Fence
	byID := map[string]Fence{}
	for _, f := range active {
		gf, err := checkFence(&f)
		if err != nil {
			continue // stored before a rule tightened: it cannot answer
		}
		gfs = append(gfs, gf)
		byID[strconv.FormatInt(f.ID, 10)] = f
	}
	set, err := geo.NewFenceSet(gfs)
	if err != nil {
		return nil, nil, err
	}
	c.set, c.byID, c.version = set, byID, version
	return set, byID, nil
}
