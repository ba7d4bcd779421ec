package blob

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"gridgov/internal/org/orgdir"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// records holds the SQL of the attachments table; it decides nothing.
type records struct{ db *db.DB }

// insert stores a new attachment row and returns its id.
func (r records) insert(ctx context.Context, a Attachment) (int64, error) {
	var uploader any
	if a.UploadedBy != 0 {
		uploader = a.UploadedBy
	}
	var id int64
	err := r.db.QueryRow(ctx, `INSERT INTO attachments (blob_key, thumb_key, filename, content_type, kind,
		size, sha256, width, height, purpose, uploaded_by, unit_code, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.blobKey, a.thumbKey, a.Filename, a.ContentType, string(a.Kind), a.Size, a.SHA256,
		a.Width, a.Height, a.Purpose, uploader, a.UnitCode, a.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert attachment: %w", err)
	}
	return id, nil
}

// byID loads an attachment with the current path of its unit ("" when
// the unit is gone); a missing one is not_found.
func (r records) byID(ctx context.Context, id int64) (Attachment, error) {
	var a Attachment
	var uploader sql.NullInt64
	var created time.Time
	err := r.db.QueryRow(ctx, `SELECT a.id, a.blob_key, a.thumb_key, a.filename, a.content_type, a.kind,
		a.size, a.sha256, a.width, a.height, a.purpose, a.uploaded_by, a.unit_code, a.created_at,
		COALESCE(`+orgdir.PathOf("a.unit_code")+`, '')
		FROM attachments a WHERE a.id = ?`, id).Scan(
		&a.ID, &a.blobKey, &a.thumbKey, &a.Filename, &a.ContentType, &a.Kind, &a.Size, &a.SHA256,
		&a.Width, &a.Height, &a.Purpose, &uploader, &a.UnitCode, &created, &a.unitPath)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, apperr.NotFoundf("attachment not found")
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("load attachment: %w", err)
	}
	a.UploadedBy = uploader.Int64
	a.CreatedAt = created.UTC()
	a.Thumbnail = a.thumbKey != ""
	return a, nil
}

// idArgs returns IN-list placeholders and arguments for ids.
func idArgs(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// markLinked sets linked_at of the ids not yet linked to at and returns
// how many of the ids exist.
func (r records) markLinked(ctx context.Context, ids []int64, at time.Time) (int64, error) {
	marks, args := idArgs(ids)
	res, err := r.db.Exec(ctx, `UPDATE attachments SET linked_at = COALESCE(linked_at, ?) WHERE id IN (`+marks+`)`,
		append([]any{at}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("mark attachments linked: %w", err)
	}
	return res.RowsAffected()
}

// orphan is a deleted attachment whose blobs are still to be removed.
type orphan struct {
	id                int64
	blobKey, thumbKey string
	size              int64
}

// deleteOrphans deletes up to limit attachments never linked and created
// before cutoff, oldest first, and returns them. The outer conditions
// are repeated so that a row linked meanwhile is kept.
func (r records) deleteOrphans(ctx context.Context, cutoff time.Time, limit int) ([]orphan, error) {
	rows, err := r.db.Query(ctx, `DELETE FROM attachments WHERE linked_at IS NULL AND created_at < ?
		AND id IN (SELECT id FROM attachments WHERE linked_at IS NULL AND created_at < ?
			ORDER BY created_at, id LIMIT ?)
		RETURNING id, blob_key, thumb_key, size`, cutoff, cutoff, limit)
	if err != nil {
		return nil, fmt.Errorf("delete orphans: %w", err)
	}
	return db.CollectRows(rows, func(sc db.Scanner) (orphan, error) {
		var o orphan
		err := sc.Scan(&o.id, &o.blobKey, &o.thumbKey, &o.size)
		return o, err
	})
}

// uploaders returns the uploader (0 for the system) of each existing id.
func (r records) uploaders(ctx context.Context, ids []int64) (map[int64]int64, error) {
	marks, args := idArgs(ids)
	rows, err := r.db.Query(ctx, `SELECT id, uploaded_by FROM attachments WHERE id IN (`+marks+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("load uploaders: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]int64, len(ids))
	for rows.Next() {
		var id int64
		var by sql.NullInt64
		if err := rows.Scan(&id, &by); err != nil {
			return nil, err
		}
		out[id] = by.Int64
	}
	return out, rows.Err()
}
