package places

import (
	"context"
	"database/sql"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/registry"
)

const houseCols = `h.id, h.code, h.address, h.building, h.entrance, h.room, h.house_use, h.rented, h.area, h.owner_id,
	h.lat, h.lng, h.grid_code, h.unit_code, h.extra, h.source, h.verified_at, h.version, h.created_at, h.updated_at`

func scanHouse(sc scanner) (House, error) {
	var h House
	var area, lat, lng sql.NullFloat64
	var owner sql.NullInt64
	var grid sql.NullString
	var ex string
	var ver sql.NullTime
	err := sc.Scan(&h.ID, &h.Code, &h.Address, &h.Building, &h.Entrance, &h.Room, &h.Use, &h.Rented, &area, &owner,
		&lat, &lng, &grid, &h.UnitCode, &ex, &h.Source, &ver, &h.Version, &h.CreatedAt, &h.UpdatedAt)
	h.Area, h.OwnerID, h.Lat, h.Lng = floatPtr(area), int64Ptr(owner), floatPtr(lat), floatPtr(lng)
	h.GridCode, h.Extra, h.VerifiedAt = grid.String, parseExtra(ex), timePtr(ver)
	h.CreatedAt, h.UpdatedAt = h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	return h, err
}

// insertHouse adds a house placed at t, at version 1.
func (st store) insertHouse(ctx context.Context, in HouseInput, t registry.Territory, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO houses (code, address, building, entrance, room, house_use, rented, area, owner_id,
		lat, lng, grid_code, unit_code, unit_path, extra, source, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Code, in.Address, in.Building, in.Entrance, in.Room, in.Use, in.Rented, in.Area, in.OwnerID,
		in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), now, now).Scan(&id)
	return id, err
}

// updateHouse replaces a house's fields under the optimistic lock.
func (st store) updateHouse(ctx context.Context, id int64, version int, in HouseInput, t registry.Territory, now time.Time) error {
	return st.bump(ctx, "houses", id, version, `code = ?, address = ?, building = ?, entrance = ?, room = ?, house_use = ?,
		rented = ?, area = ?, owner_id = ?, lat = ?, lng = ?, grid_code = ?, unit_code = ?, unit_path = ?, extra = ?,
		source = ?, updated_at = ?`, in.Code, in.Address, in.Building, in.Entrance, in.Room, in.Use, in.Rented, in.Area,
		in.OwnerID, in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), now)
}

// touch advances a record's version and update time under the optimistic lock.
func (st store) touch(ctx context.Context, table string, id int64, version int, now time.Time) error {
	return st.bump(ctx, table, id, version, `updated_at = ?`, now)
}

// house reads one house, without occupants.
func (st store) house(ctx context.Context, id int64) (House, error) {
	return scanHouse(st.db.QueryRow(ctx, `SELECT `+houseCols+` FROM houses h WHERE h.id = ?`, id))
}

// houses runs a paged list of houses (alias h) matching w, in order.
func (st store) houses(ctx context.Context, w *where, order string, limit, offset int) ([]House, int, error) {
	return listOf(ctx, st, `SELECT `+houseCols+` FROM houses h`, order, w, limit, offset, scanHouse)
}

// housesNear returns the houses matching w (alias h) within dlat/dlng
// degrees of a point, the nearest first (by the planar distance with
// longitude scaled by k), at most limit.
func (st store) housesNear(ctx context.Context, w *where, lat, lng, dlat, dlng, k float64, limit int) ([]House, error) {
	w.add("h.lat BETWEEN ? AND ? AND h.lng BETWEEN ? AND ?", lat-dlat, lat+dlat, lng-dlng, lng+dlng)
	rows, err := st.db.Query(ctx, `SELECT `+houseCols+` FROM houses h WHERE `+w.sql()+`
		ORDER BY (h.lat - ?) * (h.lat - ?) + (h.lng - ?) * (h.lng - ?) * ?, h.id LIMIT ?`,
		append(w.args, lat, lat, lng, lng, k*k, limit)...)
	if err != nil {
		return nil, apperr.Wrap(err, "nearest houses")
	}
	defer rows.Close()
	var out []House
	for rows.Next() {
		h, err := scanHouse(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "house")
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// occupants lists a house's occupants among the people the actor may see.
func (st store) occupants(ctx context.Context, houseID int64) ([]Occupant, error) {
	visible, args := registry.PersonVisibleSQL(actor.From(ctx), "p")
	rows, err := st.db.Query(ctx, `SELECT o.person_id, p.name, o.role, o.started_on FROM house_occupants o
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

// insertOccupant ties a person to a house in a role.
func (st store) insertOccupant(ctx context.Context, houseID int64, in OccupantInput) error {
	_, err := st.db.Exec(ctx, `INSERT INTO house_occupants (house_id, person_id, role, started_on) VALUES (?, ?, ?, ?)`,
		houseID, in.PersonID, in.Role, in.StartedOn)
	return err
}

// deleteOccupant unties a person from a house in one role, or in every
// role when role is empty, and returns how many ties went.
func (st store) deleteOccupant(ctx context.Context, houseID, personID int64, role string) (int64, error) {
	q, args := `DELETE FROM house_occupants WHERE house_id = ? AND person_id = ?`, []any{houseID, personID}
	if role != "" {
		q, args = q+` AND role = ?`, append(args, role)
	}
	res, err := st.db.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// houseRefs counts the rows of table pointing at a house.
func (st store) houseRefs(ctx context.Context, table string, id int64) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE house_id = ?`, id).Scan(&n)
	return n, err
}

// houseSummary reads what the audit entry of a deletion keeps of a house.
func (st store) houseSummary(ctx context.Context, id int64) (addr, grid, unit string, err error) {
	err = st.db.QueryRow(ctx, `SELECT address, COALESCE(grid_code, ''), unit_code FROM houses WHERE id = ?`, id).
		Scan(&addr, &grid, &unit)
	return addr, grid, unit, err
}

// houseGridUnit reads a house's grid ("" when awaiting one) and unit.
func (st store) houseGridUnit(ctx context.Context, id int64) (grid, unit string, err error) {
	var g sql.NullString
	err = st.db.QueryRow(ctx, `SELECT grid_code, unit_code FROM houses WHERE id = ?`, id).Scan(&g, &unit)
	return g.String, unit, err
}

// deleteOccupants drops every occupant tie of a house.
func (st store) deleteOccupants(ctx context.Context, houseID int64) error {
	_, err := st.db.Exec(ctx, `DELETE FROM house_occupants WHERE house_id = ?`, houseID)
	return err
}

// deleteHouse removes a house at version and reports whether it did.
func (st store) deleteHouse(ctx context.Context, id int64, version int) (bool, error) {
	res, err := st.db.Exec(ctx, `DELETE FROM houses WHERE id = ? AND version = ?`, id, version)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
