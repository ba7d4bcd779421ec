package groups

import (
	"context"
	"encoding/json"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// ActKindRekey is the audit action of a group kind whose key flag changed
// with a new version of the group-kind code table.
const ActKindRekey = "group_kind.key_changed"

// kindKeys returns the key flag of every group kind of a stored version
// of the group-kind table.
func (s *Service) kindKeys(ctx context.Context, version string) (map[string]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT code, meta FROM code_tables WHERE table_code = ? AND version = ?`, TableGroupKind, version)
	if err != nil {
		return nil, apperr.Wrap(err, "group kinds")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var code, meta string
		if err := rows.Scan(&code, &meta); err != nil {
			return nil, apperr.Wrap(err, "group kinds")
		}
		var m codeMeta
		if err := json.Unmarshal([]byte(meta), &m); err != nil {
			return nil, apperr.Wrap(err, "code meta")
		}
		out[code] = m.Key
	}
	return out, rows.Err()
}

// rekeyKind applies a kind's new key flag to its open memberships (their
// key_group and version) and re-syncs people.key_group of their people,
// in ctx's transaction, audited once for the kind. A kind that becomes
// key puts its members behind registry.keygroup; one that stops being
// key releases those with no other key-group membership.
func (s *Service) rekeyKind(ctx context.Context, kind string, key bool, version string) error {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT person_id FROM group_members WHERE group_kind = ? AND ended_at IS NULL
		AND key_group <> ? ORDER BY person_id`, kind, key)
	if err != nil {
		return apperr.Wrap(err, "group members")
	}
	var people []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return apperr.Wrap(err, "group members")
		}
		people = append(people, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err, "group members")
	}
	res, err := s.db.Exec(ctx, `UPDATE group_members SET key_group = ?, version = version + 1, updated_at = ?
		WHERE group_kind = ? AND ended_at IS NULL AND key_group <> ?`, key, s.now(), kind, key)
	if err != nil {
		return apperr.Wrap(err, "group members")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return apperr.Wrap(err, "group members")
	}
	for _, id := range people {
		if err := s.syncKeyGroup(ctx, id); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, audit.Entry{Action: ActKindRekey, ObjectType: "group_kind", ObjectID: kind,
		Detail: map[string]any{"key": key, "version": version, "memberships": n, "people": len(people)}})
}
