package places

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// store holds the SQL of the places module: houses and their occupants,
// organisations, components and roster entries, and the reads of people
// its checks and lists join (see the table owners in
// docs/architecture.md). It decides nothing: the service checks
// permissions, validates and opens the transactions the store joins.
type store struct{ db *db.DB }

// scanner is a row or rows.
type scanner interface{ Scan(dest ...any) error }

// pathVersion reads a record's scope path and version.
func (st store) pathVersion(ctx context.Context, table string, id int64) (path string, version int, err error) {
	err = st.db.QueryRow(ctx, `SELECT unit_path, version FROM `+table+` WHERE id = ?`, id).Scan(&path, &version)
	return path, version, err
}

// unitPath reads a record's scope path.
func (st store) unitPath(ctx context.Context, table string, id int64) (path string, err error) {
	err = st.db.QueryRow(ctx, `SELECT unit_path FROM `+table+` WHERE id = ?`, id).Scan(&path)
	return path, err
}

// bump advances a record's version under the optimistic lock, setting the
// columns of set too, and fails with a conflict when someone else changed
// it meanwhile.
func (st store) bump(ctx context.Context, table string, id int64, version int, set string, args ...any) error {
	q := `UPDATE ` + table + ` SET ` + set + `, version = version + 1 WHERE id = ? AND version = ?`
	res, err := st.db.Exec(ctx, q, append(args, id, version)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "the record was changed by someone else").WithReason("stale")
	}
	return nil
}

// verifiedNow marks a record verified at now under the optimistic lock.
func (st store) verifiedNow(ctx context.Context, table string, id int64, version int, now time.Time) error {
	return st.bump(ctx, table, id, version, `verified_at = ?, updated_at = ?`, now, now)
}

// setVerified records a verification at t without touching the version.
func (st store) setVerified(ctx context.Context, table string, id int64, t time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE `+table+` SET verified_at = ? WHERE id = ?`, t, id)
	return err
}

// person reads what a visibility check needs of a live person.
func (st store) person(ctx context.Context, id int64) (name, path string, key bool, err error) {
	err = st.db.QueryRow(ctx, `SELECT name, unit_path, key_group FROM people WHERE id = ? AND deleted_at IS NULL`, id).
		Scan(&name, &path, &key)
	return name, path, key, err
}

// where gathers the conditions of a list query and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "1=1"
	}
	return strings.Join(w.conds, " AND ")
}

// listOf runs a paged list query and its count.
func listOf[T any](ctx context.Context, st store, selectFrom, order string, w *where, limit, offset int, scan func(scanner) (T, error)) ([]T, int, error) {
	limit, offset, err := db.Paging{Default: defaultLimit, Max: maxLimit}.Apply(limit, offset)
	if err != nil {
		return nil, 0, err
	}
	var total int
	from := selectFrom[strings.Index(selectFrom, " FROM "):]
	if err := st.db.QueryRow(ctx, `SELECT count(*)`+from+` WHERE `+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "count")
	}
	rows, err := st.db.Query(ctx, selectFrom+` WHERE `+w.sql()+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(w.args, limit, offset)...)
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

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func floatPtr(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	f := v.Float64
	return &f
}

func int64Ptr(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	n := v.Int64
	return &n
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func extraJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func parseExtra(s string) map[string]string {
	var m map[string]string
	_ = json.Unmarshal([]byte(s), &m) // written by us
	if len(m) == 0 {
		return nil
	}
	return m
}
