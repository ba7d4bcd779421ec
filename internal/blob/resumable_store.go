package blob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// uploads holds the SQL of resumable uploads.
type uploads struct{ db *db.DB }

const uploadCols = `id, user_id, filename, declared_type, purpose, size, received, attachment_id, expires_at`

func scanUpload(row interface{ Scan(...any) error }) (Upload, error) {
	var u Upload
	var att sql.NullInt64
	err := row.Scan(&u.ID, &u.userID, &u.Filename, &u.typ, &u.purp, &u.Size, &u.Offset, &att, &u.ExpiresAt)
	if att.Valid {
		u.AttachmentID = &att.Int64
	}
	return u, err
}

func (st uploads) insert(ctx context.Context, u Upload, key string, now time.Time) error {
	_, err := st.db.Exec(ctx, `INSERT INTO uploads (id, user_id, idempotency_key, filename, declared_type, purpose,
		size, received, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
		u.ID, u.userID, key, u.Filename, u.typ, u.purp, u.Size, now, u.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert upload: %w", err)
	}
	return nil
}

func (st uploads) byKey(ctx context.Context, userID int64, key string) (Upload, bool, error) {
	u, err := scanUpload(st.db.QueryRow(ctx, `SELECT `+uploadCols+` FROM uploads
		WHERE user_id = ? AND idempotency_key = ?`, userID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, false, nil
	}
	if err != nil {
		return Upload{}, false, fmt.Errorf("upload by key: %w", err)
	}
	return u, true, nil
}

func (st uploads) byID(ctx context.Context, id string) (Upload, error) {
	u, err := scanUpload(st.db.QueryRow(ctx, `SELECT `+uploadCols+` FROM uploads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Upload{}, apperr.NotFoundf("upload %s", id)
	}
	if err != nil {
		return Upload{}, fmt.Errorf("upload: %w", err)
	}
	return u, nil
}

// lease takes the upload for one chunk at offset, unless another chunk
// holds it.
func (st uploads) lease(ctx context.Context, id string, offset int64, now, until time.Time) (bool, error) {
	res, err := st.db.Exec(ctx, `UPDATE uploads SET busy_until = ? WHERE id = ? AND received = ?
		AND attachment_id IS NULL AND (busy_until IS NULL OR busy_until < ?)`, until, id, offset, now)
	if err != nil {
		return false, fmt.Errorf("lease upload: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (st uploads) unlease(ctx context.Context, id string) error {
	_, err := st.db.Exec(ctx, `UPDATE uploads SET busy_until = NULL WHERE id = ?`, id)
	return err
}

// advance records the new offset and frees the lease.
func (st uploads) advance(ctx context.Context, id string, offset int64) error {
	_, err := st.db.Exec(ctx, `UPDATE uploads SET received = ?, busy_until = NULL WHERE id = ?`, offset, id)
	if err != nil {
		return fmt.Errorf("advance upload: %w", err)
	}
	return nil
}

func (st uploads) complete(ctx context.Context, id string, attID int64) error {
	_, err := st.db.Exec(ctx, `UPDATE uploads SET attachment_id = ?, busy_until = NULL WHERE id = ?`, attID, id)
	if err != nil {
		return fmt.Errorf("complete upload: %w", err)
	}
	return nil
}

func (st uploads) remove(ctx context.Context, id string) error {
	if _, err := st.db.Exec(ctx, `DELETE FROM uploads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("remove upload: %w", err)
	}
	return nil
}

// expired lists uploads whose time is up (at most 500 a call).
func (st uploads) expired(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := st.db.Query(ctx, `SELECT id FROM uploads WHERE expires_at < ? ORDER BY expires_at LIMIT 500`, now)
	if err != nil {
		return nil, fmt.Errorf("expired uploads: %w", err)
	}
	return db.CollectRows(rows, db.ScanOne[string])
}
