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

const rosterCols = `r.id, r.roster, r.name, r.person_id, r.house_id, r.role, r.note, r.address, r.lat, r.lng, r.grid_code,
	r.unit_code, r.active, r.source, r.verified_at, r.version, r.created_at, r.updated_at`

// rosterFrom joins the linked person, so that entries of key-group people
// can be left out for actors without registry.keygroup.
const rosterFrom = ` FROM roster_entries r LEFT JOIN people p ON p.id = r.person_id`

func scanRoster(sc scanner) (RosterEntry, error) {
	var e RosterEntry
	var person, house sql.NullInt64
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	var ver sql.NullTime
	err := sc.Scan(&e.ID, &e.Roster, &e.Name, &person, &house, &e.Role, &e.Note, &e.Address, &lat, &lng, &grid,
		&e.UnitCode, &e.Active, &e.Source, &ver, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	e.PersonID, e.HouseID, e.Lat, e.Lng = int64Ptr(person), int64Ptr(house), floatPtr(lat), floatPtr(lng)
	e.GridCode, e.VerifiedAt = grid.String, timePtr(ver)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
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
			var grid sql.NullString
			err := s.db.QueryRow(ctx, `SELECT grid_code, unit_code FROM houses WHERE id = ?`, *in.HouseID).Scan(&grid, &in.UnitCode)
			if err != nil {
				return apperr.Wrap(err, "house")
			}
			in.GridCode = grid.String
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
		err = s.db.QueryRow(ctx, `INSERT INTO roster_entries (roster, name, person_id, house_id, role, note, address, lat, lng,
			grid_code, unit_code, unit_path, active, source, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			roster, in.Name, in.PersonID, in.HouseID, in.Role, in.Note, in.Address, in.Lat, in.Lng,
			nullStr(t.Grid), t.Unit, t.Path, active, string(in.Source), now, now).Scan(&id)
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
		set := `name = ?, person_id = ?, house_id = ?, role = ?, note = ?, address = ?, lat = ?, lng = ?, grid_code = ?,
			unit_code = ?, unit_path = ?, source = ?, updated_at = ?`
		args := []any{in.Name, in.PersonID, in.HouseID, in.Role, in.Note, in.Address, in.Lat, in.Lng,
			nullStr(t.Grid), t.Unit, t.Path, string(in.Source), s.now()}
		if in.Active != nil {
			set += `, active = ?`
			args = append(args, *in.Active)
		}
		if err := s.bump(ctx, "roster_entries", id, version, set, args...); err != nil {
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
	hidden, args := keyGroupHidden(ctx)
	e, err := scanRoster(s.db.QueryRow(ctx, `SELECT `+rosterCols+rosterFrom+` WHERE r.id = ? AND r.roster = ? AND `+hidden,
		append([]any{id, roster}, args...)...))
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
	hidden, args := keyGroupHidden(ctx)
	w.add(hidden, args...)
	if f.Name = strings.TrimSpace(f.Name); f.Name != "" {
		w.add(`r.name LIKE ? ESCAPE '\'`, db.Like(f.Name)+"%")
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
	return listOf(ctx, s, `SELECT `+rosterCols+rosterFrom, "r.id", w, f.Limit, f.Offset, scanRoster)
}
