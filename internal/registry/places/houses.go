package places

import (
	"context"
	"regexp"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// House uses.
var houseUses = map[string]bool{"residential": true, "commercial": true, "office": true, "mixed": true, "vacant": true}

// Occupant roles.
var occupantRoles = map[string]bool{"owner": true, "tenant": true, "resident": true}

var dateRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// HouseInput creates or updates a house (an update replaces every field).
type HouseInput struct {
	Code     string            `json:"code"`
	Address  string            `json:"address"`
	Building string            `json:"building"`
	Entrance string            `json:"entrance"`
	Room     string            `json:"room"`
	Use      string            `json:"use"`
	Rented   bool              `json:"rented"`
	Area     *float64          `json:"area"`
	OwnerID  *int64            `json:"owner_id"`
	Lat      *float64          `json:"lat"`
	Lng      *float64          `json:"lng"`
	GridCode string            `json:"grid_code"`
	UnitCode string            `json:"unit_code"`
	Extra    map[string]string `json:"extra"`
	Source   registry.Source   `json:"source"`
	// Version is the optimistic lock on update (0 skips the check).
	Version int `json:"version"`
	// Unread holds the problems the caller met reading the input (a form's
	// number that is not one): the service reports them with its own, all
	// at once, and writes nothing.
	Unread apperr.FieldErrors `json:"-"`
}

// HouseFilter selects houses: Address matches a substring, UnitCode a
// unit's subtree; AwaitingGrid keeps houses without a grid.
type HouseFilter struct {
	GridCode     string
	UnitCode     string
	Address      string
	Use          string
	Rented       *bool
	AwaitingGrid bool
	Limit        int
	Offset       int
}

// OccupantInput ties a person to a house.
type OccupantInput struct {
	PersonID  int64  `json:"person_id"`
	Role      string `json:"role"`
	StartedOn string `json:"started_on"`
}

func (s *Service) cleanHouse(ctx context.Context, in *HouseInput) error {
	errs := in.Unread.Copy()
	in.Code, in.Address = strings.TrimSpace(in.Code), strings.TrimSpace(in.Address)
	in.Building, in.Entrance, in.Room = strings.TrimSpace(in.Building), strings.TrimSpace(in.Entrance), strings.TrimSpace(in.Room)
	if in.Address == "" {
		errs.Add("address", apperr.Required)
	}
	if in.Use == "" {
		in.Use = "residential"
	}
	if !houseUses[in.Use] {
		errs.Add("use", apperr.OneOf, "values", "residential, commercial, office, mixed, vacant")
	}
	if in.Area != nil && *in.Area <= 0 {
		errs.Add("area", apperr.Positive)
	}
	checkPoint(errs, in.Lat, in.Lng)
	checkSource(errs, &in.Source)
	if err := errs.Err(); err != nil {
		return err
	}
	if in.OwnerID != nil {
		if _, err := s.visiblePerson(ctx, *in.OwnerID, "owner_id"); err != nil {
			return err
		}
	}
	return nil
}

// CreateHouse adds a house, placed by its grid, its coordinates or the
// unit holding it awaiting a grid.
func (s *Service) CreateHouse(ctx context.Context, in HouseInput) (House, error) {
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return House{}, err
	}
	if err := s.cleanHouse(ctx, &in); err != nil {
		return House{}, err
	}
	var id int64
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = s.st.insertHouse(ctx, in, t, now)
		if db.IsUniqueViolation(err) {
			return conflictField("code", "a house with this code exists")
		}
		if err != nil {
			return apperr.Wrap(err, "insert house")
		}
		return s.record(ctx, "house.create", "house", id, map[string]any{"grid": t.Grid, "unit": t.Unit, "source": string(in.Source)})
	})
	if err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, id)
}

// UpdateHouse replaces a house's fields under the optimistic lock.
func (s *Service) UpdateHouse(ctx context.Context, id int64, in HouseInput) (House, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "houses", id, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := stale(in.Version, version); err != nil {
			return err
		}
		if err := s.cleanHouse(ctx, &in); err != nil {
			return err
		}
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		err = s.st.updateHouse(ctx, id, version, in, t, s.now())
		if db.IsUniqueViolation(err) {
			return conflictField("code", "a house with this code exists")
		}
		if err != nil {
			return apperr.As(err)
		}
		return s.record(ctx, "house.update", "house", id, map[string]any{"grid": t.Grid, "unit": t.Unit, "version": version + 1})
	})
	if err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, id)
}

// VerifyHouse records that the house was checked in the field.
func (s *Service) VerifyHouse(ctx context.Context, id int64, note string) (House, error) {
	if err := s.verify(ctx, "houses", "house", id, note); err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, id)
}

// HouseByID returns a house with the occupants the actor may see.
func (s *Service) HouseByID(ctx context.Context, id int64) (House, error) {
	if _, _, err := s.current(ctx, "houses", id, registry.PermRead); err != nil {
		return House{}, err
	}
	h, err := s.st.house(ctx, id)
	if err != nil {
		return House{}, apperr.Wrap(err, "house")
	}
	h.Occupants, err = s.st.occupants(ctx, id)
	return h, err
}

// Houses lists the houses in the actor's scope matching f, with the total.
func (s *Service) Houses(ctx context.Context, f HouseFilter) ([]House, int, error) {
	w, err := scoped(ctx, "h.")
	if err != nil {
		return nil, 0, err
	}
	if err := s.unitSubtree(ctx, w, "h.", f.UnitCode); err != nil {
		return nil, 0, err
	}
	if f.GridCode != "" {
		w.add("h.grid_code = ?", f.GridCode)
	}
	if f.AwaitingGrid {
		w.add("h.grid_code IS NULL")
	}
	if f.Address != "" {
		w.add(db.Contains("h.address", f.Address))
	}
	if f.Use != "" {
		w.add("h.house_use = ?", f.Use)
	}
	if f.Rented != nil {
		w.add("h.rented = ?", *f.Rented)
	}
	return s.st.houses(ctx, w, `h.id`, f.Limit, f.Offset)
}

// AddOccupant ties a visible person to a house in a role (owner, tenant or
// resident) from a date; the house's version advances.
func (s *Service) AddOccupant(ctx context.Context, houseID int64, in OccupantInput) (House, error) {
	errs := apperr.FieldErrors{}
	if !occupantRoles[in.Role] {
		errs.Add("role", apperr.OneOf, "values", "owner, tenant, resident")
	}
	if in.StartedOn = strings.TrimSpace(in.StartedOn); in.StartedOn != "" && !dateRE.MatchString(in.StartedOn) {
		errs.Add("started_on", apperr.Date)
	}
	if in.PersonID <= 0 {
		errs.Add("person_id", apperr.Required)
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "houses", houseID, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		if _, err := s.visiblePerson(ctx, in.PersonID, "person_id"); err != nil {
			return err
		}
		err = s.st.insertOccupant(ctx, houseID, in)
		if db.IsUniqueViolation(err) {
			return conflictField("person_id", "the person already holds this role in the house")
		}
		if err != nil {
			return apperr.Wrap(err, "add occupant")
		}
		if err := s.st.touch(ctx, "houses", houseID, version, s.now()); err != nil {
			return err
		}
		return s.record(ctx, "house.occupant_add", "house", houseID, map[string]any{"person_id": in.PersonID, "role": in.Role})
	})
	if err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, houseID)
}

// RemoveOccupant unties a person from a house: in one role, or in every
// role when role is empty.
func (s *Service) RemoveOccupant(ctx context.Context, houseID, personID int64, role string) (House, error) {
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "houses", houseID, registry.PermWrite)
		if err != nil {
			return err
		}
		if _, err := s.visiblePerson(ctx, personID, "person_id"); err != nil {
			return apperr.New(apperr.NotFound, "not found")
		}
		n, err := s.st.deleteOccupant(ctx, houseID, personID, role)
		if err != nil {
			return apperr.Wrap(err, "remove occupant")
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "not found")
		}
		if err := s.st.touch(ctx, "houses", houseID, version, s.now()); err != nil {
			return err
		}
		return s.record(ctx, "house.occupant_remove", "house", houseID, map[string]any{"person_id": personID, "role": role})
	})
	if err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, houseID)
}
