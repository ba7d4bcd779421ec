package calendar

import (
	"context"
	"time"

	"gridgov/internal/db"
)

// storedDays returns every imported day, in date order.
func storedDays(ctx context.Context, d *db.DB) ([]Day, error) {
	rows, err := d.Query(ctx, `SELECT day, kind, name, source FROM calendar_days ORDER BY day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var x Day
		if err := rows.Scan(&x.Date, &x.Kind, &x.Name, &x.Source); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// upsertDay stores x, replacing an earlier import of the same date.
func upsertDay(ctx context.Context, d *db.DB, x Day, now time.Time) error {
	_, err := d.Exec(ctx, `INSERT INTO calendar_days (day, kind, name, source, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source`,
		x.Date, x.Kind, x.Name, x.Source, now)
	return err
}
