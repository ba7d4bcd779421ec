package groups

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"gridgov/internal/registry"
	"strings"
	"time"
)

const memberCols = `m.id, m.person_id, p.name, p.grid_code, m.group_kind, m.key_group, m.risk_level, m.attrs, m.started_on,
	m.ended_on, m.source, m.source_ref, m.version, m.created_at, m.updated_at, m.ended_at`

func scanMember(sc interface{ Scan(...any) error }) (GroupMember, error) {
	var m GroupMember
	var grid sql.NullString
	var attrs, source string
	var ended sql.NullTime
	if err := sc.Scan(&m.ID, &m.PersonID, &m.PersonName, &grid, &m.GroupKind, &m.KeyGroup, &m.RiskLevel, &attrs,
		&m.StartedOn, &m.EndedOn, &source, &m.SourceRef, &m.Version, &m.CreatedAt, &m.UpdatedAt, &ended); err != nil {
		return GroupMember{}, err
	}
	m.GridCode, m.Source = grid.String, registry.Source(source)
	if err := json.Unmarshal([]byte(attrs), &m.Attrs); err != nil || m.Attrs == nil {
		m.Attrs = map[string]string{}
	}
	if ended.Valid {
		t := ended.Time.UTC()
		m.EndedAt = &t
	}
	m.Active = !ended.Valid
	return m, nil
}

// person reads a live person's place and key-group flag (the people table
// is the registry's; groups reads it, see docs/architecture.md); ok is
// false when there is none.
func (st store) person(ctx context.Context, id int64) (personRef, bool, error) {
	var p personRef
	var grid sql.NullString
	err := st.db.QueryRow(ctx, `SELECT id, name, grid_code, unit_path, key_group FROM people
		WHERE id = ? AND deleted_at IS NULL`, id).Scan(&p.ID, &p.Name, &grid, &p.Path, &p.KeyGroup)
	if errors.Is(err, sql.ErrNoRows) {
		return personRef{}, false, nil
	}
	if err != nil {
		return personRef{}, false, err
	}
	p.GridCode = grid.String
	return p, true, nil
}

// putMember adds a person to a group kind, or reopens their ended
// membership of it; active is true (and nothing is written) when the
// membership is open already.
func (st store) putMember(ctx context.Context, personID int64, k Code, in MemberInput, attrs, path string, now time.Time) (id int64, active bool, err error) {
	err = st.db.QueryRow(ctx, `SELECT id, ended_at IS NULL FROM group_members WHERE person_id = ? AND group_kind = ?`,
		personID, k.Code).Scan(&id, &active)
	switch {
	case err == nil && active:
		return id, true, nil
	case err == nil:
		_, err = st.db.Exec(ctx, `UPDATE group_members SET key_group = ?, risk_level = ?, attrs = ?, started_on = ?,
			ended_on = '', ended_at = NULL, unit_path = ?, source = ?, source_ref = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, k.Key, in.RiskLevel, attrs, in.StartedOn, path, string(in.Source), in.SourceRef, now, id)
	case errors.Is(err, sql.ErrNoRows):
		err = st.db.QueryRow(ctx, `INSERT INTO group_members (person_id, group_kind, key_group, risk_level, attrs, started_on,
			unit_path, source, source_ref, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			personID, k.Code, k.Key, in.RiskLevel, attrs, in.StartedOn, path, string(in.Source), in.SourceRef,
			now, now).Scan(&id)
	}
	return id, false, err
}

// openKeyMemberships counts a person's open key-group memberships.
func (st store) openKeyMemberships(ctx context.Context, personID int64) (int, error) {
	var n int
	err := st.db.QueryRow(ctx, `SELECT COUNT(*) FROM group_members WHERE person_id = ? AND key_group = ? AND ended_at IS NULL`,
		personID, true).Scan(&n)
	return n, err
}

// updateMember changes a membership's fields under its version (when
// in.Version is set), returning the rows changed.
func (st store) updateMember(ctx context.Context, id int64, in MemberInput, attrs string, now time.Time) (int64, error) {
	q := `UPDATE group_members SET risk_level = ?, attrs = ?, started_on = ?, source = ?, source_ref = ?,
		version = version + 1, updated_at = ? WHERE id = ?`
	args := []any{in.RiskLevel, attrs, in.StartedOn, string(in.Source), in.SourceRef, now, id}
	if in.Version > 0 {
		q += ` AND version = ?`
		args = append(args, in.Version)
	}
	res, err := st.db.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// endMember ends a membership.
func (st store) endMember(ctx context.Context, id int64, endedOn string, now time.Time) error {
	_, err := st.db.Exec(ctx, `UPDATE group_members SET ended_on = ?, ended_at = ?, version = version + 1, updated_at = ?
		WHERE id = ?`, endedOn, now, now, id)
	return err
}

// member reads one membership of a live person.
func (st store) member(ctx context.Context, id int64) (GroupMember, error) {
	return scanMember(st.db.QueryRow(ctx, `SELECT `+memberCols+` FROM group_members m JOIN people p ON p.id = m.person_id
		WHERE m.id = ? AND p.deleted_at IS NULL`, id))
}

// membersOf lists a person's memberships (key-group ones only with
// withKey), current first.
func (st store) membersOf(ctx context.Context, personID int64, withKey bool) ([]GroupMember, error) {
	rows, err := st.db.Query(ctx, `SELECT `+memberCols+` FROM group_members m JOIN people p ON p.id = m.person_id
		WHERE m.person_id = ? AND (m.key_group = ? OR ?) ORDER BY m.ended_at IS NOT NULL, m.id`, personID, false, withKey)
	if err != nil {
		return nil, err
	}
	return collectMembers(rows)
}

// members lists one page of the memberships matching where (a condition
// on m = group_members and p = people, starting with " WHERE"), newest
// first, with the total.
func (st store) members(ctx context.Context, where string, args []any, limit, offset int) ([]GroupMember, int, error) {
	from := ` FROM group_members m JOIN people p ON p.id = m.person_id`
	var total int
	if err := st.db.QueryRow(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := st.db.Query(ctx, `SELECT `+memberCols+from+where+` ORDER BY m.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	out, err := collectMembers(rows)
	return out, total, err
}

func collectMembers(rows *sql.Rows) ([]GroupMember, error) {
	defer rows.Close()
	out := []GroupMember{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// keyGroupPoints reads the located key-group people matching cond (on p =
// people; args end with the box and the limit), by id. Houses are the
// places module's and people the registry's: groups reads both (see
// docs/architecture.md).
func (st store) keyGroupPoints(ctx context.Context, cond string, args []any) ([]KeyGroupPoint, error) {
	rows, err := st.db.Query(ctx, `SELECT p.id, h.lat, h.lng FROM people p JOIN houses h ON h.id = p.house_id
		WHERE p.deleted_at IS NULL AND p.key_group = ? AND `+cond+`
		AND h.lng BETWEEN ? AND ? AND h.lat BETWEEN ? AND ? ORDER BY p.id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []KeyGroupPoint{}
	for rows.Next() {
		p := KeyGroupPoint{Kinds: []string{}}
		if err := rows.Scan(&p.PersonID, &p.Lat, &p.Lng); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// keyKind is one open key-group membership of a person.
type keyKind struct {
	person     int64
	kind, risk string
}

// openKeyKinds lists the open key-group memberships of people ids.
func (st store) openKeyKinds(ctx context.Context, ids []int64) ([]keyKind, error) {
	ph := make([]string, len(ids))
	args := []any{true}
	for i, id := range ids {
		ph[i] = "?"
		args = append(args, id)
	}
	rows, err := st.db.Query(ctx, `SELECT person_id, group_kind, risk_level FROM group_members
		WHERE key_group = ? AND ended_at IS NULL AND person_id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []keyKind
	for rows.Next() {
		var k keyKind
		if err := rows.Scan(&k.person, &k.kind, &k.risk); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
