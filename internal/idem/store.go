package idem

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/db"
)

// store holds the SQL of api_idempotency.
type store struct{ db *db.DB }

// record is one stored key.
type record struct {
	route, hash string
	answer      Answer
	created     time.Time
}

func (st store) claim(ctx context.Context, userID int64, key, route, hash string, now time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `INSERT INTO api_idempotency (user_id, key, route, request_hash, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`, userID, key, route, hash, now)
	if err != nil {
		return false, fmt.Errorf("idempotency claim: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (st store) get(ctx context.Context, userID int64, key string) (record, error) {
	r, ok, err := st.lookup(ctx, userID, key)
	if err == nil && !ok {
		// Released between our claim and this read: treat as running.
		return record{}, fmt.Errorf("idempotency key vanished")
	}
	return r, err
}

// takeOver restarts a running record that began before cutoff; of two
// concurrent retries only one sees it still old.
func (st store) takeOver(ctx context.Context, userID int64, key string, cutoff, now time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE api_idempotency SET created_at = ?
		WHERE user_id = ? AND key = ? AND status = 0 AND created_at <= ?`, now, userID, key, cutoff)
	if err != nil {
		return false, fmt.Errorf("idempotency take over: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (st store) finish(ctx context.Context, userID int64, key string, a Answer) error {
	_, err := st.db.Exec(ctx, `UPDATE api_idempotency SET status = ?, content_type = ?, body = ?
		WHERE user_id = ? AND key = ?`, a.Status, a.ContentType, string(a.Body), userID, key)
	if err != nil {
		return fmt.Errorf("idempotency finish: %w", err)
	}
	return nil
}

func (st store) release(ctx context.Context, userID int64, key string) error {
	_, err := st.db.Exec(ctx, `DELETE FROM api_idempotency WHERE user_id = ? AND key = ? AND status = 0`, userID, key)
	if err != nil {
		return fmt.Errorf("idempotency release: %w", err)
	}
	return nil
}

func (st store) purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := st.db.Exec(ctx, `DELETE FROM api_idempotency WHERE created_at < ?`, before)
	if err != nil {
		return 0, fmt.Errorf("idempotency purge: %w", err)
	}
	return res.RowsAffected()
}

func (st store) bind(ctx context.Context, userID int64, key, scope, hash, ref string, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO api_idempotency (user_id, key, route, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, userID, key, scope, hash, boundStatus, ref, now)
	return err
}

// lookup reads a key's record; ok is false when there is none.
func (st store) lookup(ctx context.Context, userID int64, key string) (record, bool, error) {
	var r record
	var body string
	err := st.db.QueryRow(ctx, `SELECT route, request_hash, status, content_type, body, created_at
		FROM api_idempotency WHERE user_id = ? AND key = ?`, userID, key).
		Scan(&r.route, &r.hash, &r.answer.Status, &r.answer.ContentType, &body, &r.created)
	if errors.Is(err, sql.ErrNoRows) {
		return record{}, false, nil
	}
	if err != nil {
		return record{}, false, fmt.Errorf("idempotency read: %w", err)
	}
	r.answer.Body = []byte(body)
	return r, true, nil
}
