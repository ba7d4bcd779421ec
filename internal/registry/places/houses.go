package places

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"gridgov/internal/actor"
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

const houseCols = `h.id, h.code, h.address, h.building, h.entrance, h.room, h.house_use, h.rented, h.area, h.owner_id,
	h.lat, h.lng, h.grid_code, h.unit_code, h.extra, h.source, h.verified_at, h.version, h.created_at, h.updated_at`

func scanHouse(sc scanner, extra ...any) (House, error) {
	var h House
	var area, lat, lng sql.NullFloat64
	var owner sql.NullInt64
	var grid sql.NullString
	var ex string
	var ver sql.NullTime
	err := sc.Scan(append([]any{&h.ID, &h.Code, &h.Address, &h.Building, &h.Entrance, &h.Room, &h.Use, &h.Rented, &area, &owner,
		&lat, &lng, &grid, &h.UnitCode, &ex, &h.Source, &ver, &h.Version, &h.CreatedAt, &h.UpdatedAt}, extra...)...)
	h.Area, h.OwnerID, h.Lat, h.Lng = floatPtr(area), int64Ptr(owner), floatPtr(lat), floatPtr(lng)
	h.GridCode, h.Extra, h.VerifiedAt = grid.String, parseExtra(ex), timePtr(ver)
	h.CreatedAt, h.UpdatedAt = h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	return h, err
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
		err = s.db.QueryRow(ctx, `INSERT INTO houses (code, address, building, entrance, room, house_use, rented, area, owner_id,
			lat, lng, grid_code, unit_code, unit_path, extra, source, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			in.Code, in.Address, in.Building, in.Entrance, in.Room, in.Use, in.Rented, in.Area, in.OwnerID,
			in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), now, now).Scan(&id)
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
		err = s.bump(ctx, "houses", id, version, `code = ?, address = ?, building = ?, entrance = ?, room = ?, house_use = ?,
			rented = ?, area = ?, owner_id = ?, lat = ?, lng = ?, grid_code = ?, unit_code = ?, unit_path = ?, extra = ?,
			source = ?, updated_at = ?`, in.Code, in.Address, in.Building, in.Entrance, in.Room, in.Use, in.Rented, in.Area,
			in.OwnerID, in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), s.now())
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
	h, err := scanHouse(s.db.QueryRow(ctx, `SELECT `+houseCols+` FROM houses h WHERE h.id = ?`, id))
	if err != nil {
		return House{}, apperr.Wrap(err, "house")
	}
	h.Occupants, err = s.occupants(ctx, id)
	return h, err
}

func (s *Service) occupants(ctx context.Context, houseID int64) ([]Occupant, error) {
	visible, args := registry.PersonVisibleSQL(actor.From(ctx), "p")
	rows, err := s.db.Query(ctx, `SELECT o.person_id, p.name, o.role, o.started_on FROM house_occupants o
		JOIN people p ON p.id = o.person_id
		WHERE o.house_id = ? AND p.deleted_at IS NULL AND `+visible+` ORDER BY o.started_on, o.person_id, o.role`,
		append([]any{houseID}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err, "occupants")
	}
	defer rows.Close()
	out := []Occupant{}
	for rows.Next() {
		var o Occupant
		if err := rows.Scan(&o.PersonID, &o.Name, &o.Role, &o.StartedOn); err != nil {
			return nil, apperr.Wrap(err, "occupant")
		}
		out = append(out, o)
	}
	return out, rows.Err()
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
		w.add(`h.address LIKE ? ESCAPE '\'`, "%"+db.Like(f.Address)+"%")
	}
	if f.Use != "" {
		w.add("h.house_use = ?", f.Use)
	}
	if f.Rented != nil {
		w.add("h.rented = ?", *f.Rented)
	}
	return listOf(ctx, s, `SELECT `+houseCols+` FROM houses h`, `h.id`, w, f.Limit, f.Offset, func(sc scanner) (House, error) { return scanHouse(sc) })
}

// listOf runs a paged list query and its count.
func listOf[T any](ctx context.Context, s *Service, selectFrom, order string, w *where, limit, offset int, scan func(scanner) (T, error)) ([]T, int, error) {
	limit, offset = page(limit, offset)
	var total int
	from := selectFrom[strings.Index(selectFrom, " FROM "):]
	if err := s.db.QueryRow(ctx, `SELECT count(*)`+from+` WHERE `+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "count")
	}
	rows, err := s.db.Query(ctx, selectFrom+` WHERE `+w.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list")
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "scan")
		}
		out = append(out, v)
	}
	return out, total, rows.Err()
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
		_, err = s.db.Exec(ctx, `INSERT INTO house_occupants (house_id, person_id, role, started_on) VALUES (?, ?, ?, ?)`,
			houseID, in.PersonID, in.Role, in.StartedOn)
		if db.IsUniqueViolation(err) {
			return conflictField("person_id", "the person already holds this role in the house")
		}
		if err != nil {
			return apperr.Wrap(err, "add occupant")
		}
		if err := s.bump(ctx, "houses", houseID, version, `updated_at = ?`, s.now()); err != nil {
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
		q, args := `DELETE FROM house_occupants WHERE house_id = ? AND person_id = ?`, []any{houseID, personID}
		if role != "" {
			q, args = q+` AND role = ?`, append(args, role)
		}
		res, err := s.db.Exec(ctx, q, args...)
		if err != nil {
			return apperr.Wrap(err, "remove occupant")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "not found")
		}
		if err := s.bump(ctx, "houses", houseID, version, `updated_at = ?`, s.now()); err != nil {
			return err
		}
		return s.record(ctx, "house.occupant_remove", "house", houseID, map[string]any{"person_id": personID, "role": role})
	})
	if err != nil {
		return House{}, err
	}
	return s.HouseByID(ctx, houseID)
}
