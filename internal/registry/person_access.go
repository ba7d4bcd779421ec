package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PersonAccess is one line of "who looked at this person": a disclosure
// from person_access (Action is one of the Access* kinds) or an audited
// change of the person (Action is the audit action, such as
// person.update).
type PersonAccess struct {
	At       time.Time `json:"at"`
	UserID   *int64    `json:"user_id,omitempty"`
	Username string    `json:"username"`
	UnitCode string    `json:"unit_code"`
	Action   string    `json:"action"`
	// Ref ties a disclosure to its audit entry ("audit:<seq>") or request.
	Ref string `json:"ref,omitempty"`
	// Detail is the JSON detail of the audit entry behind the line (the
	// reason of an unmasking, the fields of a change), if any.
	Detail string `json:"detail,omitempty"`
}

// personAccess merges the person's person_access rows with their audit
// entries, newest first. Audit entries of views and unmaskings that a
// person_access row refers to are not repeated (older ones, from before
// the access log, are shown).
func (s *Service) personAccess(ctx context.Context, id int64, limit int) ([]PersonAccess, error) {
	out, err := s.accessRows(ctx, id, limit)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT a.seq, a.ts, a.user_id, a.username, a.unit_code, a.action, a.detail
		FROM audit_log a WHERE a.object_type = 'person' AND a.object_id = ?
		AND NOT (a.action IN (?, ?) AND EXISTS (SELECT 1 FROM person_access pa
			WHERE pa.person_id = ? AND pa.ref = 'audit:' || CAST(a.seq AS TEXT)))
		ORDER BY a.seq DESC LIMIT ?`, strconv.FormatInt(id, 10), ActPersonView, ActPersonUnmask, id, limit)
	if err != nil {
		return nil, fmt.Errorf("person audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r PersonAccess
		var seq int64
		var uid sql.NullInt64
		if err := rows.Scan(&seq, &r.At, &uid, &r.Username, &r.UnitCode, &r.Action, &r.Detail); err != nil {
			return nil, fmt.Errorf("person audit: %w", err)
		}
		r.At, r.UserID, r.Ref = r.At.UTC(), int64Ptr(uid), fmt.Sprintf("audit:%d", seq)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out[:min(len(out), limit)], nil
}

// accessRows reads the person's person_access rows, newest first, with
// the detail of the audit entries they refer to.
func (s *Service) accessRows(ctx context.Context, id int64, limit int) ([]PersonAccess, error) {
	rows, err := s.db.Query(ctx, `SELECT at, user_id, username, unit_code, action, ref FROM person_access
		WHERE person_id = ? ORDER BY id DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("person access: %w", err)
	}
	defer rows.Close()
	out := []PersonAccess{}
	var seqs []any
	for rows.Next() {
		var r PersonAccess
		var uid sql.NullInt64
		if err := rows.Scan(&r.At, &uid, &r.Username, &r.UnitCode, &r.Action, &r.Ref); err != nil {
			return nil, fmt.Errorf("person access: %w", err)
		}
		r.At, r.UserID = r.At.UTC(), int64Ptr(uid)
		if seq, ok := auditSeq(r.Ref); ok {
			seqs = append(seqs, seq)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(seqs) == 0 {
		return out, nil
	}
	details := map[int64]string{}
	drows, err := s.db.Query(ctx, `SELECT seq, detail FROM audit_log WHERE seq IN (?`+strings.Repeat(", ?", len(seqs)-1)+`)`, seqs...)
	if err != nil {
		return nil, fmt.Errorf("person access detail: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var seq int64
		var d string
		if err := drows.Scan(&seq, &d); err != nil {
			return nil, fmt.Errorf("person access detail: %w", err)
		}
		details[seq] = d
	}
	for i := range out {
		if seq, ok := auditSeq(out[i].Ref); ok {
			out[i].Detail = details[seq]
		}
	}
	return out, drows.Err()
}

// auditSeq parses an "audit:<seq>" reference.
func auditSeq(ref string) (int64, bool) {
	rest, ok := strings.CutPrefix(ref, "audit:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil
}
