package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// OutboxCitizenStatus is the outbox kind of an SMS telling a citizen
// reporter that the public status of the report changed. Its recipient is
// RecipientReporter: the phone stays sealed with the report and is opened
// only when the message is sent.
const OutboxCitizenStatus = "citizen_status"

// RecipientReporter is the recipient reference of a message to the
// reporter of the message's case.
const RecipientReporter = "reporter"

// StatusHook is called inside the transaction of every transition that
// changes a case's status, after the case, its step and audit entry are
// written; an error rolls the whole transition back. c is the case as
// changed (c.Status == to).
type StatusHook func(ctx context.Context, c Case, from, to Status) error

// OnStatusChange registers a hook run on every status change committed by
// the case loop's transitions (not on creation). Register hooks while
// wiring the services, before the service is used concurrently.
func (s *Service) OnStatusChange(h StatusHook) {
	s.hooks = append(s.hooks, h)
}

// runHooks calls the status hooks of a transition from one status to another.
func (s *Service) runHooks(ctx context.Context, c Case, from Status) error {
	if from == c.Status {
		return nil
	}
	for _, h := range s.hooks {
		if err := h(ctx, c, from, c.Status); err != nil {
			return err
		}
	}
	return nil
}

// EnqueueMessage writes a message to the outbox unless one with the same
// dedup key exists, reporting whether it wrote one. It joins the caller's
// transaction (a status hook's); CreatedAt defaults to now.
func (s *Service) EnqueueMessage(ctx context.Context, m OutboxMessage, dedup string) (bool, error) {
	if m.Channel != ChannelSMS && m.Channel != ChannelInApp {
		return false, apperr.Field("channel", apperr.OneOf, "values", "sms, inapp")
	}
	if dedup == "" {
		return false, apperr.Field("dedup", apperr.Required)
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.now()
	}
	res, err := s.st.db.Exec(ctx, `INSERT INTO outbox (channel, recipient_unit, recipient_user_id, recipient_ref,
		kind, case_id, payload, dedup, created_at, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dedup) DO NOTHING`,
		m.Channel, m.RecipientUnit, m.RecipientUserID, m.RecipientRef, m.Kind, nullID(m.CaseID),
		string(m.Payload), dedup, m.CreatedAt, m.NotBefore)
	if err != nil {
		return false, fmt.Errorf("enqueue message: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// LatestMessage returns the newest outbox message of a case and kind on a
// channel; ok is false when there is none.
func (s *Service) LatestMessage(ctx context.Context, caseID int64, kind, channel string) (OutboxMessage, bool, error) {
	ms, err := s.st.outboxWhere(ctx, `case_id = ? AND kind = ? AND channel = ? ORDER BY id DESC LIMIT 1`,
		caseID, kind, channel)
	if err != nil || len(ms) == 0 {
		return OutboxMessage{}, false, err
	}
	return ms[0], true, nil
}

// DueMessages lists unsent messages of a channel and kind whose not-before
// time has come, oldest first; for the system actor (the sender).
func (s *Service) DueMessages(ctx context.Context, channel, kind string, limit int) ([]OutboxMessage, error) {
	if a := actor.From(ctx); a == nil || !a.System {
		return nil, apperr.New(apperr.Forbidden, "only the system reads the outbox")
	}
	limit, err := db.Paging{Default: 100, Max: 1000}.Limit(limit)
	if err != nil {
		return nil, err
	}
	return s.st.outboxWhere(ctx, `sent_at IS NULL AND channel = ? AND kind = ?
		AND (not_before IS NULL OR not_before <= ?) ORDER BY id LIMIT ?`, channel, kind, s.now(), limit)
}

// MarkSent records that an outbox message was handed to its channel (or
// dropped, with a reason, when it cannot be sent); for the system actor.
// Marking a message twice is a no-op. The write is audited.
func (s *Service) MarkSent(ctx context.Context, id int64, reason string) error {
	if a := actor.From(ctx); a == nil || !a.System {
		return apperr.New(apperr.Forbidden, "only the system sends the outbox")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		res, err := s.st.db.Exec(ctx, `UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL`, s.now(), id)
		if err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		detail := map[string]any{}
		if reason != "" {
			detail["dropped"] = reason
		}
		return s.audit.Record(ctx, audit.Entry{Action: "outbox.sent", ObjectType: "outbox",
			ObjectID: strconv.FormatInt(id, 10), Detail: detail})
	})
}

// outboxCols are the columns scanned by scanOutbox.
const outboxCols = `id, channel, recipient_unit, recipient_user_id, recipient_ref, kind, COALESCE(case_id, 0),
	payload, created_at, not_before, sent_at`

// outboxWhere lists outbox messages matching a condition (with its order
// and limit).
func (st store) outboxWhere(ctx context.Context, cond string, args ...any) ([]OutboxMessage, error) {
	rows, err := st.db.Query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return db.CollectRows(rows, scanOutbox)
}

// scanOutbox reads one row of outboxCols.
func scanOutbox(sc db.Scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var uid sql.NullInt64
	var nb, sent sql.NullTime
	var payload string
	err := sc.Scan(&m.ID, &m.Channel, &m.RecipientUnit, &uid, &m.RecipientRef, &m.Kind, &m.CaseID, &payload,
		&m.CreatedAt, &nb, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.NotFoundf("message not found")
	}
	if err != nil {
		return m, err
	}
	if uid.Valid {
		m.RecipientUserID = &uid.Int64
	}
	m.Payload, m.NotBefore, m.SentAt = []byte(payload), timePtr(nb), timePtr(sent)
	return m, nil
}

// beijing is China Standard Time, the zone of the quiet hours.
var beijing = time.FixedZone("CST", 8*3600)

// QuietUntil returns when a message to a citizen queued at t may be sent:
// nil during the day, or 08:00 Beijing time when t falls in the quiet
// hours 22:00–08:00.
func QuietUntil(t time.Time) *time.Time {
	b := t.In(beijing)
	day := time.Date(b.Year(), b.Month(), b.Day(), 8, 0, 0, 0, beijing)
	switch {
	case b.Hour() >= 22:
		day = day.AddDate(0, 0, 1)
	case b.Hour() < 8:
	default:
		return nil
	}
	u := day.UTC()
	return &u
}
