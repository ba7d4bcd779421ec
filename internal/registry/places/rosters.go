package places

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
)

// Rosters are the thematic rosters (专题名录): business and social service
// points (服务网点), volunteers (志愿者), community activists (社区积极分子),
// building heads (楼栋长) and party-member volunteers (党员志愿者).
var Rosters = []string{"service_point", "volunteer", "activist", "building_head", "party_volunteer"}

// ValidRoster reports whether r is one of Rosters.
func ValidRoster(r string) bool {
	for _, x := range Rosters {
		if x == r {
			return true
		}
	}
	return false
}

// RosterInput creates or updates a roster entry (an update replaces every
// field but the roster). Name defaults to the linked person's name;
// without a grid or unit, the entry takes its linked house's place.
// Active nil means true on create and unchanged on update.
type RosterInput struct {
	Name     string          `json:"name"`
	PersonID *int64          `json:"person_id"`
	HouseID  *int64          `json:"house_id"`
	Role     string          `json:"role"`
	Note     string          `json:"note"`
	Address  string          `json:"address"`
	Lat      *float64        `json:"lat"`
	Lng      *float64        `json:"lng"`
	GridCode string          `json:"grid_code"`
	UnitCode string          `json:"unit_code"`
	Active   *bool           `json:"active"`
	Source   registry.Source `json:"source"`
	// Version is the optimistic lock on update (0 skips the check).
	Version int `json:"version"`
}

// RosterFilter selects the entries of one roster: Name matches a prefix,
// UnitCode a unit's subtree.
type RosterFilter struct {
	Roster   string
	Name     string
	GridCode string
	UnitCode string
	PersonID int64
	Active   *bool
	Limit    int
	Offset   int
}

func (s *Service) cleanRoster(ctx context.Context, in *RosterInput) error {
	errs := apperr.FieldErrors{}
	in.Name, in.Role, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Role), strings.TrimSpace(in.Address)
	checkPoint(errs, in.Lat, in.Lng)
	checkSource(errs, &in.Source)
	if in.PersonID == nil && in.Name == "" {
		errs.Add("name", apperr.Required)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	if in.PersonID != nil {
		name, err := s.visiblePerson(ctx, *in.PersonID, "person_id")
		if err != nil {
			return err
		}
		if in.Name == "" {
			in.Name = name
		}
	}
	if in.HouseID != nil {
		if err := s.visibleHouse(ctx, *in.HouseID, "house_id"); err != nil {
			return err
		}
		if in.GridCode == "" && in.UnitCode == "" && in.Lat == nil {
			grid, unit, err := s.st.houseGridUnit(ctx, *in.HouseID)
			if err != nil {
				return apperr.Wrap(err, "house")
			}
			in.GridCode, in.UnitCode = grid, unit
		}
	}
	return nil
}

// CreateRosterEntry adds an entry to a roster.
func (s *Service) CreateRosterEntry(ctx context.Context, roster string, in RosterInput) (RosterEntry, error) {
	if err := rbac.RequireAny(ctx, registry.PermWrite); err != nil {
		return RosterEntry{}, err
	}
	if !ValidRoster(roster) {
		return RosterEntry{}, apperr.New(apperr.NotFound, "no such roster")
	}
	if err := s.cleanRoster(ctx, &in); err != nil {
		return RosterEntry{}, err
	}
	active := in.Active == nil || *in.Active
	var id int64
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		now := s.now()
		id, err = s.st.insertRosterEntry(ctx, roster, in, active, t, now)
		if err != nil {
			return apperr.Wrap(err, "insert roster entry")
		}
		return s.record(ctx, "roster_entry.create", "roster_entry", id, map[string]any{"roster": roster,
			"person_id": in.PersonID, "house_id": in.HouseID, "grid": t.Grid, "unit": t.Unit, "source": string(in.Source)})
	})
	if err != nil {
		return RosterEntry{}, err
	}
	return s.RosterEntryByID(ctx, roster, id)
}

// UpdateRosterEntry replaces an entry's fields under the optimistic lock.
func (s *Service) UpdateRosterEntry(ctx context.Context, roster string, id int64, in RosterInput) (RosterEntry, error) {
	if _, err := s.RosterEntryByID(ctx, roster, id); err != nil {
		return RosterEntry{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		_, version, err := s.current(ctx, "roster_entries", id, registry.PermWrite)
		if err != nil {
			return err
		}
		if err := stale(in.Version, version); err != nil {
			return err
		}
		if err := s.cleanRoster(ctx, &in); err != nil {
			return err
		}
		t, err := s.place(ctx, in.GridCode, in.UnitCode, in.Lat, in.Lng)
		if err != nil {
			return err
		}
		if err := s.st.updateRosterEntry(ctx, id, version, in, t, s.now()); err != nil {
			return apperr.As(err)
		}
		return s.record(ctx, "roster_entry.update", "roster_entry", id, map[string]any{"roster": roster,
			"grid": t.Grid, "unit": t.Unit, "active": in.Active, "version": version + 1})
	})
	if err != nil {
		return RosterEntry{}, err
	}
	return s.RosterEntryByID(ctx, roster, id)
}

// VerifyRosterEntry records that the entry was checked in the field.
func (s *Service) VerifyRosterEntry(ctx context.Context, roster string, id int64, note string) (RosterEntry, error) {
	if _, err := s.RosterEntryByID(ctx, roster, id); err != nil {
		return RosterEntry{}, err
	}
	if err := s.verify(ctx, "roster_entries", "roster_entry", id, note); err != nil {
		return RosterEntry{}, err
	}
	return s.RosterEntryByID(ctx, roster, id)
}

// RosterEntryByID returns an entry of a roster; an entry of a key-group
// person is not found without registry.keygroup over that person.
func (s *Service) RosterEntryByID(ctx context.Context, roster string, id int64) (RosterEntry, error) {
	if _, _, err := s.current(ctx, "roster_entries", id, registry.PermRead); err != nil {
		return RosterEntry{}, err
	}
	e, err := s.st.rosterEntry(ctx, roster, id)
	if errors.Is(err, sql.ErrNoRows) {
		return RosterEntry{}, apperr.New(apperr.NotFound, "not found")
	}
	if err != nil {
		return RosterEntry{}, apperr.Wrap(err, "roster entry")
	}
	return e, nil
}

// RosterEntries lists the entries of a roster in the actor's scope.
func (s *Service) RosterEntries(ctx context.Context, f RosterFilter) ([]RosterEntry, int, error) {
	if !ValidRoster(f.Roster) {
		return nil, 0, apperr.New(apperr.NotFound, "no such roster")
	}
	w, err := scoped(ctx, "r.")
	if err != nil {
		return nil, 0, err
	}
	if err := s.unitSubtree(ctx, w, "r.", f.UnitCode); err != nil {
		return nil, 0, err
	}
	w.add("r.roster = ?", f.Roster)
	if f.Name = strings.TrimSpace(f.Name); f.Name != "" {
		w.add(db.HasPrefix("r.name", f.Name))
	}
	if f.GridCode != "" {
		w.add("r.grid_code = ?", f.GridCode)
	}
	if f.PersonID > 0 {
		w.add("r.person_id = ?", f.PersonID)
	}
	if f.Active != nil {
		w.add("r.active = ?", *f.Active)
	}
	return s.st.rosterEntries(ctx, w, f.Limit, f.Offset)
}
