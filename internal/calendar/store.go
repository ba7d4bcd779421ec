package calendar

import (
	"context"
	"time"

	"gridgov/internal/db"
)

// storedDays returns every imported day, in date order.
func storedDays(ctx context.Context, d *db.DB) ([]Day, error) {
	return db.Collect(ctx, d, func(sc db.Scanner) (Day, error) {
		var x Day
		err := sc.Scan(&x.Date, &x.Kind, &x.Name, &x.Source)
		return x, err
	}, `SELECT day, kind, name, source FROM calendar_days ORDER BY day`)
}

// upsertDay stores x, replacing an earlier import of the same date.
func upsertDay(ctx context.Context, d *db.DB, x Day, now time.Time) error {
	_, err := d.Exec(ctx, `INSERT INTO calendar_days (day, kind, name, source, created_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source`,
		x.Date, x.Kind, x.Name, x.Source, now)
	return err
}
