package places

import (
	"context"
	"database/sql"
	"time"

	"gridgov/internal/registry"
)

const orgCols = `o.id, o.kind, o.name, o.uscc, o.legal_rep, o.phone_mask, o.industry, o.employees, o.address, o.house_id,
	o.lat, o.lng, o.grid_code, o.unit_code, o.extra, o.source, o.verified_at, o.version, o.created_at, o.updated_at`

func scanOrganisation(sc scanner) (Organisation, error) {
	var o Organisation
	var emp sql.NullInt64
	var house sql.NullInt64
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	var ex string
	var ver sql.NullTime
	err := sc.Scan(&o.ID, &o.Kind, &o.Name, &o.USCC, &o.LegalRep, &o.Phone, &o.Industry, &emp, &o.Address, &house,
		&lat, &lng, &grid, &o.UnitCode, &ex, &o.Source, &ver, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	if emp.Valid {
		n := int(emp.Int64)
		o.Employees = &n
	}
	o.HouseID, o.Lat, o.Lng, o.GridCode = int64Ptr(house), floatPtr(lat), floatPtr(lng), grid.String
	o.Extra, o.VerifiedAt = parseExtra(ex), timePtr(ver)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// insertOrganisation adds an organisation placed at t, at version 1.
func (st store) insertOrganisation(ctx context.Context, in OrganisationInput, phone sealedPhone, t registry.Territory, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO organisations (kind, name, uscc, legal_rep, phone_enc, phone_bidx, phone_mask,
		industry, employees, address, house_id, lat, lng, grid_code, unit_code, unit_path, extra, source, version,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Kind, in.Name, in.USCC, in.LegalRep, phone.enc, phone.idx, phone.mask, in.Industry, in.Employees, in.Address,
		in.HouseID, in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), now, now).Scan(&id)
	return id, err
}

// updateOrganisation replaces an organisation's fields under the
// optimistic lock; the phone only when phone is not nil.
func (st store) updateOrganisation(ctx context.Context, id int64, version int, in OrganisationInput, phone *sealedPhone, t registry.Territory, now time.Time) error {
	set := `kind = ?, name = ?, uscc = ?, legal_rep = ?, industry = ?, employees = ?, address = ?, house_id = ?,
		lat = ?, lng = ?, grid_code = ?, unit_code = ?, unit_path = ?, extra = ?, source = ?, updated_at = ?`
	args := []any{in.Kind, in.Name, in.USCC, in.LegalRep, in.Industry, in.Employees, in.Address, in.HouseID,
		in.Lat, in.Lng, nullStr(t.Grid), t.Unit, t.Path, extraJSON(in.Extra), string(in.Source), now}
	if phone != nil {
		set += `, phone_enc = ?, phone_bidx = ?, phone_mask = ?`
		args = append(args, phone.enc, phone.idx, phone.mask)
	}
	return st.bump(ctx, "organisations", id, version, set, args...)
}

// organisation reads one organisation.
func (st store) organisation(ctx context.Context, id int64) (Organisation, error) {
	return scanOrganisation(st.db.QueryRow(ctx, `SELECT `+orgCols+` FROM organisations o WHERE o.id = ?`, id))
}

// organisations runs a paged list of organisations (alias o) matching w.
func (st store) organisations(ctx context.Context, w *where, limit, offset int) ([]Organisation, int, error) {
	return listOf(ctx, st, `SELECT `+orgCols+` FROM organisations o`, "o.id", w, limit, offset, scanOrganisation)
}
