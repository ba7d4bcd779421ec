package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// Notice is an in-app notification of the outbox as one user sees it:
// addressed to the user, or to a unit the user holds a grant at.
type Notice struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	CaseID    int64           `json:"case_id"`
	Unit      string          `json:"unit_code"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
	ReadAt    *time.Time      `json:"read_at,omitempty"`
}

// NoticeList is a page of the actor's notices and how many are unread.
type NoticeList struct {
	Notices []Notice `json:"notices"`
	Unread  int      `json:"unread"`
}

// noticeUnits lists the units whose notices the actor receives: the
// scopes of the actor's grants (exactly those units, not their subtrees,
// so a city administrator is not flooded with every community's notices).
func noticeUnits(a *actor.Actor) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, g := range a.Grants {
		if !seen[g.ScopeCode] {
			seen[g.ScopeCode] = true
			out = append(out, g.ScopeCode)
		}
	}
	return out
}

// mineSQL restricts outbox rows aliased o to the actor's in-app notices
// that are due (not held back by a not-before time).
func mineSQL(a *actor.Actor, now time.Time) (string, []any) {
	in, args := inList("o.recipient_unit", noticeUnits(a))
	return `o.channel = 'inapp' AND (o.not_before IS NULL OR o.not_before <= ?) AND
		(o.recipient_user_id = ? OR (o.recipient_user_id IS NULL AND ` + in + `))`,
		append([]any{now, a.UserID}, args...)
}

// Notices lists the logged-in actor's in-app notices, unread first, then
// newest first, at most limit (default 50, at most 200), with the count of
// unread ones.
func (s *Service) Notices(ctx context.Context, limit int) (NoticeList, error) {
	if err := requireLogin(ctx); err != nil {
		return NoticeList{}, err
	}
	limit, _, err := page(limit, 0, 50, 200)
	if err != nil {
		return NoticeList{}, err
	}
	a := actor.From(ctx)
	cond, args := mineSQL(a, s.now())
	out := NoticeList{Notices: []Notice{}}
	rows, err := s.st.db.Query(ctx, `SELECT o.id, o.kind, COALESCE(o.case_id, 0), o.recipient_unit, o.payload,
		o.created_at, r.read_at FROM outbox o LEFT JOIN notice_reads r ON r.outbox_id = o.id AND r.user_id = ?
		WHERE `+cond+` ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, o.id DESC LIMIT ?`,
		append(append([]any{a.UserID}, args...), limit)...)
	if err != nil {
		return out, fmt.Errorf("list notices: %w", err)
	}
	ns, err := db.CollectRows(rows, func(sc db.Scanner) (Notice, error) {
		var n Notice
		var payload string
		var read sql.NullTime
		err := sc.Scan(&n.ID, &n.Kind, &n.CaseID, &n.Unit, &payload, &n.CreatedAt, &read)
		n.Payload, n.ReadAt = json.RawMessage(payload), timePtr(read)
		return n, err
	})
	if err != nil {
		return out, err
	}
	out.Notices = append(out.Notices, ns...)
	err = s.st.db.QueryRow(ctx, `SELECT count(*) FROM outbox o WHERE `+cond+
		` AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.outbox_id = o.id AND r.user_id = ?)`,
		append(args, a.UserID)...).Scan(&out.Unread)
	return out, err
}

// MarkNoticeRead marks one of the actor's notices read; a notice that is
// not the actor's is not_found. Marking it again is a no-op. The first
// read is audited.
func (s *Service) MarkNoticeRead(ctx context.Context, id int64) error {
	if err := requireLogin(ctx); err != nil {
		return err
	}
	a := actor.From(ctx)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		cond, args := mineSQL(a, s.now())
		var n int
		if err := s.st.db.QueryRow(ctx, `SELECT count(*) FROM outbox o WHERE o.id = ? AND `+cond,
			append([]any{id}, args...)...).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFoundf("notice %d not found", id)
		}
		res, err := s.st.db.Exec(ctx, `INSERT INTO notice_reads (outbox_id, user_id, read_at) VALUES (?, ?, ?)
			ON CONFLICT (outbox_id, user_id) DO NOTHING`, id, a.UserID, s.now())
		if err != nil {
			return fmt.Errorf("mark notice read: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "notice.read", ObjectType: "notice",
			ObjectID: strconv.FormatInt(id, 10)})
	})
}
