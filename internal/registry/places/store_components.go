package places

import (
	"context"
	"database/sql"
	"time"

	"gridgov/internal/registry"
)

const componentCols = `c.id, c.object_code, c.category_code, c.name, c.status, c.owner_dept, c.address, c.lat, c.lng,
	c.grid_code, c.unit_code, c.source, c.verified_at, c.version, c.created_at, c.updated_at`

func scanComponent(sc scanner) (Component, error) {
	var c Component
	var lat, lng sql.NullFloat64
	var grid sql.NullString
	var ver sql.NullTime
	err := sc.Scan(&c.ID, &c.ObjectCode, &c.CategoryCode, &c.Name, &c.Status, &c.OwnerDept, &c.Address, &lat, &lng,
		&grid, &c.UnitCode, &c.Source, &ver, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	c.Lat, c.Lng, c.GridCode, c.VerifiedAt = floatPtr(lat), floatPtr(lng), grid.String, timePtr(ver)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

// insertComponent adds a component placed at t, at version 1.
func (st store) insertComponent(ctx context.Context, in ComponentInput, t registry.Territory, now time.Time) (int64, error) {
	var id int64
	err := st.db.QueryRow(ctx, `INSERT INTO components (object_code, category_code, name, status, owner_dept, address,
		lat, lng, grid_code, unit_code, unit_path, source, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.ObjectCode, in.CategoryCode, in.Name, in.Status, in.OwnerDept, in.Address, in.Lat, in.Lng,
		nullStr(t.Grid), t.Unit, t.Path, string(in.Source), now, now).Scan(&id)
	return id, err
}

// updateComponent replaces a component's fields under the optimistic lock.
func (st store) updateComponent(ctx context.Context, id int64, version int, in ComponentInput, t registry.Territory, now time.Time) error {
	return st.bump(ctx, "components", id, version, `object_code = ?, category_code = ?, name = ?, status = ?, owner_dept = ?,
		address = ?, lat = ?, lng = ?, grid_code = ?, unit_code = ?, unit_path = ?, source = ?, updated_at = ?`,
		in.ObjectCode, in.CategoryCode, in.Name, in.Status, in.OwnerDept, in.Address, in.Lat, in.Lng,
		nullStr(t.Grid), t.Unit, t.Path, string(in.Source), now)
}

// component reads one component.
func (st store) component(ctx context.Context, id int64) (Component, error) {
	return scanComponent(st.db.QueryRow(ctx, `SELECT `+componentCols+` FROM components c WHERE c.id = ?`, id))
}

// components runs a paged list of components (alias c) matching w.
func (st store) components(ctx context.Context, w *where, limit, offset int) ([]Component, int, error) {
	return listOf(ctx, st, `SELECT `+componentCols+` FROM components c`, "c.id", w, limit, offset, scanComponent)
}

// inBox restricts the lat/lng columns of alias to a bounding box.
func inBox(w *where, alias string, minLat, minLng, maxLat, maxLng float64) {
	w.add(alias+"lat BETWEEN ? AND ? AND "+alias+"lng BETWEEN ? AND ?", minLat, maxLat, minLng, maxLng)
}
