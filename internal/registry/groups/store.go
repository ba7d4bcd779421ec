package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/db"
)

// store holds the SQL of the groups module: code tables, memberships and
// visits, and the reads of people and houses its lists join (see the table
// owners in docs/architecture.md). It decides nothing.
type store struct{ db *db.DB }

// tableVersion returns the current version of a code table ("" when none).
func (st store) tableVersion(ctx context.Context, table string) (string, error) {
	var cur string
	err := st.db.QueryRow(ctx, `SELECT version FROM code_table_versions WHERE table_code = ?`, table).Scan(&cur)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("code table version: %w", err)
	}
	return cur, nil
}

// writeCodes replaces the codes of one version of a table.
func (st store) writeCodes(ctx context.Context, t CodeTable) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM code_tables WHERE table_code = ? AND version = ?`, t.Table, t.Version); err != nil {
		return fmt.Errorf("code table: %w", err)
	}
	for i, c := range t.Codes {
		meta, err := json.Marshal(codeMeta{Key: c.Key, VisitDays: c.VisitDays, Attrs: c.Attrs})
		if err != nil {
			return err
		}
		if _, err := st.db.Exec(ctx, `INSERT INTO code_tables (table_code, version, code, name, name_en, parent, sort, active, meta)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Table, t.Version, c.Code, c.Name, c.NameEn, c.Parent, i, true, string(meta)); err != nil {
			return fmt.Errorf("code: %w", err)
		}
	}
	return nil
}

// setVersion makes t the current version of its table (first is true when
// the table had none).
func (st store) setVersion(ctx context.Context, t CodeTable, first bool, now time.Time) error {
	var err error
	if first {
		_, err = st.db.Exec(ctx, `INSERT INTO code_table_versions (table_code, version, standard, title, loaded_at) VALUES (?, ?, ?, ?, ?)`,
			t.Table, t.Version, t.Standard, t.Title, now)
	} else {
		_, err = st.db.Exec(ctx, `UPDATE code_table_versions SET version = ?, standard = ?, title = ?, loaded_at = ? WHERE table_code = ?`,
			t.Version, t.Standard, t.Title, now, t.Table)
	}
	if err != nil {
		return fmt.Errorf("code table version: %w", err)
	}
	return nil
}

// tables lists the current version of every code table, without codes.
func (st store) tables(ctx context.Context) ([]CodeTable, error) {
	rows, err := st.db.Query(ctx, `SELECT table_code, version, standard, title, loaded_at FROM code_table_versions ORDER BY table_code`)
	if err != nil {
		return nil, fmt.Errorf("code tables: %w", err)
	}
	defer rows.Close()
	var out []CodeTable
	for rows.Next() {
		var t CodeTable
		if err := rows.Scan(&t.Table, &t.Version, &t.Standard, &t.Title, &t.LoadedAt); err != nil {
			return nil, fmt.Errorf("code tables: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// table returns the current version of a table with its active codes; ok
// is false when there is no such table.
func (st store) table(ctx context.Context, table string) (CodeTable, bool, error) {
	var t CodeTable
	err := st.db.QueryRow(ctx, `SELECT table_code, version, standard, title, loaded_at FROM code_table_versions WHERE table_code = ?`,
		table).Scan(&t.Table, &t.Version, &t.Standard, &t.Title, &t.LoadedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return CodeTable{}, false, nil
	}
	if err != nil {
		return CodeTable{}, false, fmt.Errorf("code table: %w", err)
	}
	rows, err := st.db.Query(ctx, `SELECT code, name, name_en, parent, meta FROM code_tables
		WHERE table_code = ? AND version = ? AND active = ? ORDER BY sort, code`, t.Table, t.Version, true)
	if err != nil {
		return CodeTable{}, false, fmt.Errorf("codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Code
		var meta string
		if err := rows.Scan(&c.Code, &c.Name, &c.NameEn, &c.Parent, &meta); err != nil {
			return CodeTable{}, false, fmt.Errorf("codes: %w", err)
		}
		var m codeMeta
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			return CodeTable{}, false, fmt.Errorf("code meta: %w", err)
		}
		c.Key, c.VisitDays, c.Attrs = m.Key, m.VisitDays, m.Attrs
		t.Codes = append(t.Codes, c)
	}
	return t, true, rows.Err()
}

// valid reports whether code is in the current version of table.
func (st store) valid(ctx context.Context, table, code string) (bool, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT COUNT(*) FROM code_tables c JOIN code_table_versions v
		ON v.table_code = c.table_code AND v.version = c.version
		WHERE c.table_code = ? AND c.code = ? AND c.active = ?`, table, code, true).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("code: %w", err)
	}
	return n > 0, nil
}

// kindKeys returns the key flag of every group kind of a stored version
// of the group-kind table.
func (st store) kindKeys(ctx context.Context, version string) (map[string]bool, error) {
	rows, err := st.db.Query(ctx, `SELECT code, meta FROM code_tables WHERE table_code = ? AND version = ?`, TableGroupKind, version)
	if err != nil {
		return nil, fmt.Errorf("group kinds: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var code, meta string
		if err := rows.Scan(&code, &meta); err != nil {
			return nil, fmt.Errorf("group kinds: %w", err)
		}
		var m codeMeta
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			return nil, fmt.Errorf("code meta: %w", err)
		}
		out[code] = m.Key
	}
	return out, rows.Err()
}

// rekeyMembers sets key_group on a kind's open memberships whose flag
// differs, returning the people concerned and the memberships changed.
func (st store) rekeyMembers(ctx context.Context, kind string, key bool, now time.Time) ([]int64, int64, error) {
	rows, err := st.db.Query(ctx, `SELECT DISTINCT person_id FROM group_members WHERE group_kind = ? AND ended_at IS NULL
		AND key_group <> ? ORDER BY person_id`, kind, key)
	if err != nil {
		return nil, 0, fmt.Errorf("group members: %w", err)
	}
	var people []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("group members: %w", err)
		}
		people = append(people, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("group members: %w", err)
	}
	res, err := st.db.Exec(ctx, `UPDATE group_members SET key_group = ?, version = version + 1, updated_at = ?
		WHERE group_kind = ? AND ended_at IS NULL AND key_group <> ?`, key, now, kind, key)
	if err != nil {
		return nil, 0, fmt.Errorf("group members: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, 0, fmt.Errorf("group members: %w", err)
	}
	return people, n, nil
}
