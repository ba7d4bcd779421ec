package places

import (
	"context"
	"database/sql"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/registry"
)

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

// keyGroupHidden is the condition leaving out rows tied to a key-group
// person (people alias p, possibly absent through a LEFT JOIN) that the
// actor may not see; the row's own scope is checked on the row.
func keyGroupHidden(ctx context.Context) (string, []any) {
	cond, args := registry.KeyGroupSQL(actor.From(ctx), "p")
	return "(p.id IS NULL OR " + cond + ")", args
}

// insertRosterEntry adds an entry to a roster placed at t, at version 1.
func (st store) insertRosterEntry(ctx context.Context, roster string, in RosterInput, active bool, t registry.Territory, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO roster_entries (roster, name, person_id, house_id, role, note, address, lat, lng,
		grid_code, unit_code, unit_path, active, source, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		roster, in.Name, in.PersonID, in.HouseID, in.Role, in.Note, in.Address, in.Lat, in.Lng,
		nullStr(t.Grid), t.Unit, t.Path, active, string(in.Source), now, now).Scan(&id)
	return id, err
}

// updateRosterEntry replaces an entry's fields under the optimistic lock;
// active only when in.Active is set.
func (st store) updateRosterEntry(ctx context.Context, id int64, version int, in RosterInput, t registry.Territory, now time.Time) error {
	set := `name = ?, person_id = ?, house_id = ?, role = ?, note = ?, address = ?, lat = ?, lng = ?, grid_code = ?,
		unit_code = ?, unit_path = ?, source = ?, updated_at = ?`
	args := []any{in.Name, in.PersonID, in.HouseID, in.Role, in.Note, in.Address, in.Lat, in.Lng,
		nullStr(t.Grid), t.Unit, t.Path, string(in.Source), now}
	if in.Active != nil {
		set += `, active = ?`
		args = append(args, *in.Active)
	}
	return st.bump(ctx, "roster_entries", id, version, set, args...)
}

// rosterEntry reads an entry of a roster, unless it is tied to a key-group
// person the actor may not see (sql.ErrNoRows then, as for a missing one).
func (st store) rosterEntry(ctx context.Context, roster string, id int64) (RosterEntry, error) {
	hidden, args := keyGroupHidden(ctx)
	return scanRoster(st.db.QueryRow(ctx, `SELECT `+rosterCols+rosterFrom+` WHERE r.id = ? AND r.roster = ? AND `+hidden,
		append([]any{id, roster}, args...)...))
}

// rosterEntries runs a paged list of roster entries (alias r) matching w,
// leaving out those tied to key-group people the actor may not see.
func (st store) rosterEntries(ctx context.Context, w *where, limit, offset int) ([]RosterEntry, int, error) {
	hidden, args := keyGroupHidden(ctx)
	w.add(hidden, args...)
	return listOf(ctx, st, `SELECT `+rosterCols+rosterFrom, "r.id", w, limit, offset, scanRoster)
}
