package registry

import (
	"context"
	"database/sql"
	"fmt"
	"gridgov/internal/audit"
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
	referred, err := s.referredSeqs(ctx, id)
	if err != nil {
		return nil, err
	}
	entries, err := s.audit.ObjectEntries(ctx, "person", strconv.FormatInt(id, 10), func(r audit.Row) bool {
		return (r.Action == ActPersonView || r.Action == ActPersonUnmask) && referred[r.Seq]
	}, limit)
	if err != nil {
		return nil, fmt.Errorf("person audit: %w", err)
	}
	for _, e := range entries {
		out = append(out, PersonAccess{At: e.TS.UTC(), UserID: e.UserID, Username: e.Username, UnitCode: e.UnitCode,
			Action: e.Action, Detail: e.Detail, Ref: fmt.Sprintf("audit:%d", e.Seq)})
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
	var seqs []int64
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
	details, err := s.audit.Details(ctx, seqs)
	if err != nil {
		return nil, fmt.Errorf("person access detail: %w", err)
	}
	for i := range out {
		if seq, ok := auditSeq(out[i].Ref); ok {
			out[i].Detail = details[seq]
		}
	}
	return out, nil
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

// referredSeqs returns the audit entries the person's person_access rows
// refer to.
func (s *Service) referredSeqs(ctx context.Context, id int64) (map[int64]bool, error) {
	rows, err := s.db.Query(ctx, `SELECT ref FROM person_access WHERE person_id = ? AND ref LIKE 'audit:%'`, id)
	if err != nil {
		return nil, fmt.Errorf("person access refs: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, fmt.Errorf("person access refs: %w", err)
		}
		if seq, ok := auditSeq(ref); ok {
			out[seq] = true
		}
	}
	return out, rows.Err()
}
