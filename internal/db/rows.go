package db

import (
	"context"
	"database/sql"
)

// Scanner is what a row-scanning function reads: a *sql.Row or *sql.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// Collect runs query (on the context's transaction or the read pool, as
// Query does) and scans every row with scan. The slice is never nil, so a
// list with no rows encodes as [] in JSON.
func Collect[T any](ctx context.Context, d *DB, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := d.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return CollectRows(rows, scan)
}

// CollectRows scans every row of rows with scan and closes rows.
func CollectRows[T any](rows *sql.Rows, scan func(Scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanOne returns a scan function reading one column into a T, for lists of
// ids, codes or names.
func ScanOne[T any](s Scanner) (T, error) {
	var v T
	err := s.Scan(&v)
	return v, err
}
