package places

import (
	"context"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/org/orgdir"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// Component statuses.
var componentStatuses = map[string]bool{"intact": true, "damaged": true, "lost": true, "removed": true}

// ComponentInput creates or updates a city component (an update replaces
// every field).
type ComponentInput struct {
	ObjectCode   string          `json:"object_code"`
	CategoryCode string          `json:"category_code"`
	Name         string          `json:"name"`
	Status       string          `json:"status"`
	OwnerDept    string          `json:"owner_dept"`
	Address      string          `json:"address"`
	Lat          *float64        `json:"lat"`
	Lng          *float64        `json:"lng"`
	GridCode     string          `json:"grid_code"`
	UnitCode     string          `json:"unit_code"`
	Source       registry.Source `json:"source"`
	// Version is the optimistic lock on update (0 skips the check).
	Version int `json:"version"`
	// Unread holds the problems the caller met reading the input (a form's
	// number that is not one): the service reports them with its own, all
	// at once, and writes nothing.
	Unread apperr.FieldErrors `json:"-"`
}

// ComponentFilter selects components: CategoryCode matches a prefix
// (C01 gives every 公用设施 component), UnitCode a unit's subtree, and the
// bounding box (all four or none) the components on a map view.
type ComponentFilter struct {
	CategoryCode string
	Status       string
	GridCode     string
	UnitCode     string
	MinLat       *float64
	MinLng       *float64
	MaxLat       *float64
	MaxLng       *float64
	Limit        int
	Offset       int
}

// unitExists reports whether an org unit with code (and level, when set) exists.
func (s *Service) unitExists(ctx context.Context, code, level string) (bool, error) {
	u, ok, err := orgdir.New(s.db).Unit(ctx, code)
	return ok && (level == "" || u.Level == level), err
}

// cleanComponent checks a component: the object code's shape, that its
// first six digits are a district of the org tree, and — when the
// category is a case-catalogue component code — that its category digits
// match it (see CatalogueCategory).
func (s *Service) cleanComponent(ctx context.Context, in *ComponentInput) error {
	errs := in.Unread.Copy()
	in.ObjectCode, in.CategoryCode = strings.TrimSpace(in.ObjectCode), strings.TrimSpace(in.CategoryCode)
	in.Name, in.OwnerDept = strings.TrimSpace(in.Name), strings.TrimSpace(in.OwnerDept)
	if in.Name == "" {
		errs.Add("name", apperr.Required)
	}
	if in.CategoryCode == "" {
		errs.Add("category_code", apperr.Required)
	}
	if in.Status == "" {
		in.Status = "intact"
	}
	if !componentStatuses[in.Status] {
		errs.Add("status", apperr.OneOf, "values", "intact, damaged, lost, removed")
	}
	district, major, minor, _, err := ObjectCodeParts(in.ObjectCode)
	if err != nil {
		errs.AddProblem("object_code", apperr.ProblemOf(err))
	} else {
		ok, err := s.unitExists(ctx, district, "district")
		if err != nil {
			return apperr.Wrap(err, "district")
		}
		if !ok {
			errs.Add("object_code", apperr.CodeNotDistrict, "value", district)
		} else if cat, isCat := CatalogueCategory(in.CategoryCode); isCat && cat != major+minor {
			errs.Add("object_code", apperr.CodeNotCategory, "value", major+minor, "code", in.CategoryCode, "name", cat)
		}
	}
	if in.OwnerDept != "" {
		ok, err := s.unitExists(ctx, in.OwnerDept, "")
		if err != nil {
			return apperr.Wrap(err, "owner department")
		}
		if !ok {
			errs.Add("owner_dept", apperr.UnknownUnit, "code", in.OwnerDept)
		}
	}
	checkPoint(errs, in.Lat, in.Lng)
	checkSource(errs, &in.Source)
	return errs.Err()
}

// CreateComponent adds a city component; its object code is unique.
func (s *Service) CreateComponent(ctx context.Context, in ComponentInput) (Component, error) {
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return Component{}, err
	}
	if err := s.cleanComponent(ctx, &in); err != nil {
		return Component{}, err
	}
	var id int64
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = s.st.insertComponent(ctx, in, t, now)
		if db.IsUniqueViolation(err) {
			return conflictField("object_code", "a component with this object code exists")
		}
		if err != nil {
			return apperr.Wrap(err, "insert component")
		}
		return s.record(ctx, "component.create", "component", id, map[string]any{"object_code": in.ObjectCode,
			"category": in.CategoryCode, "status": in.Status, "grid": t.Grid, "unit": t.Unit, "source": string(in.Source)})
	})
	if err != nil {
		return Component{}, err
	}
	return s.ComponentByID(ctx, id)
}

// UpdateComponent replaces a component's fields under the optimistic lock.
func (s *Service) UpdateComponent(ctx context.Context, id int64, in ComponentInput) (Component, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "components", id, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := stale(in.Version, version); err != nil {
			return err
		}
		if err := s.cleanComponent(ctx, &in); err != nil {
			return err
		}
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		err = s.st.updateComponent(ctx, id, version, in, t, s.now())
		if db.IsUniqueViolation(err) {
			return conflictField("object_code", "a component with this object code exists")
		}
		if err != nil {
			return apperr.As(err)
		}
		return s.record(ctx, "component.update", "component", id, map[string]any{"object_code": in.ObjectCode,
			"status": in.Status, "grid": t.Grid, "unit": t.Unit, "version": version + 1})
	})
	if err != nil {
		return Component{}, err
	}
	return s.ComponentByID(ctx, id)
}

// VerifyComponent records that the component was checked in the field.
func (s *Service) VerifyComponent(ctx context.Context, id int64, note string) (Component, error) {
	if err := s.verify(ctx, "components", "component", id, note); err != nil {
		return Component{}, err
	}
	return s.ComponentByID(ctx, id)
}

// ComponentByID returns a component.
func (s *Service) ComponentByID(ctx context.Context, id int64) (Component, error) {
	if _, _, err := s.current(ctx, "components", id, registry.PermRead); err != nil {
		return Component{}, err
	}
	c, err := s.st.component(ctx, id)
	if err != nil {
		return Component{}, apperr.Wrap(err, "component")
	}
	return c, nil
}

// Components lists the components in the actor's scope matching f.
func (s *Service) Components(ctx context.Context, f ComponentFilter) ([]Component, int, error) {
	w, err := scoped(ctx, "c.")
	if err != nil {
		return nil, 0, err
	}
	if err := s.unitSubtree(ctx, w, "c.", f.UnitCode); err != nil {
		return nil, 0, err
	}
	if f.CategoryCode != "" {
		w.add(db.HasPrefix("c.category_code", f.CategoryCode))
	}
	if f.Status != "" {
		w.add("c.status = ?", f.Status)
	}
	if f.GridCode != "" {
		w.add("c.grid_code = ?", f.GridCode)
	}
	box := []*float64{f.MinLat, f.MinLng, f.MaxLat, f.MaxLng}
	n := 0
	for _, v := range box {
		if v != nil {
			n++
		}
	}
	switch {
	case n == 4:
		inBox(w, "c.", *f.MinLat, *f.MinLng, *f.MaxLat, *f.MaxLng)
	case n != 0:
		return nil, 0, apperr.Field("min_lat", apperr.Together, "fields", "min_lat, min_lng, max_lat, max_lng")
	}
	return s.st.components(ctx, w, f.Limit, f.Offset)
}
