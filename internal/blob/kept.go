package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// KeptTTL is how long a kept file may be taken back by its owner.
const KeptTTL = 30 * time.Minute

// MaxKept bounds one kept file.
const MaxKept = 128 << 20

// KeptFile is a file a user sent once and works on over several requests
// (a boundary file between its dry run and its import). Its row is in
// kept_files and its bytes in the attachment store, so the next request may
// reach any node.
type KeptFile struct {
	Token     string
	Name      string
	Data      []byte
	Meta      json.RawMessage
	CreatedAt time.Time
}

// Keep stores data under a new token for the acting user only, with meta
// (any JSON-encodable value the caller wants back), for KeptTTL.
func (s *Service) Keep(ctx context.Context, name string, data []byte, meta any) (string, error) {
	a := actor.From(ctx)
	if a == nil || a.UserID == 0 {
		return "", apperr.New(apperr.Unauthenticated, "login required")
	}
	if len(data) > MaxKept {
		return "", apperr.Field("file", apperr.TooLarge, "size", sizeText(MaxKept))
	}
	m, err := json.Marshal(meta)
	if err != nil {
		return "", apperr.Wrap(err, "keep file")
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", apperr.Wrap(err, "keep file")
	}
	tok := hex.EncodeToString(b)
	if err := s.store.Put(ctx, keptKey(tok), bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
		return "", apperr.Wrap(err, "keep file")
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `INSERT INTO kept_files (token, user_id, name, meta, size, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, tok, a.UserID, name, string(m), len(data), now); err != nil {
			return fmt.Errorf("keep file: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "upload.keep", ObjectType: "kept_file", ObjectID: tok[:8],
			Detail: map[string]any{"name": name, "size": len(data)}})
	})
	if err != nil {
		_ = s.store.Delete(context.WithoutCancel(ctx), keptKey(tok))
		return "", err
	}
	return tok, nil
}

// Kept returns the file kept under token if it is the acting user's and
// younger than KeptTTL; any other token is not_found.
func (s *Service) Kept(ctx context.Context, token string) (KeptFile, error) {
	a := actor.From(ctx)
	if a == nil || a.UserID == 0 {
		return KeptFile{}, apperr.New(apperr.Unauthenticated, "login required")
	}
	gone := apperr.NotFoundf("kept file not found")
	var k KeptFile
	var meta string
	var owner int64
	err := s.db.QueryRow(ctx, `SELECT token, user_id, name, meta, created_at FROM kept_files WHERE token = ?`, token).
		Scan(&k.Token, &owner, &k.Name, &meta, &k.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return KeptFile{}, gone
	}
	if err != nil {
		return KeptFile{}, apperr.Wrap(err, "kept file")
	}
	if owner != a.UserID || s.clock.Now().Sub(k.CreatedAt) > KeptTTL {
		return KeptFile{}, gone
	}
	rc, err := s.store.Get(ctx, keptKey(token))
	if errors.Is(err, ErrNotFound) {
		return KeptFile{}, gone
	}
	if err != nil {
		return KeptFile{}, apperr.Wrap(err, "kept file")
	}
	defer rc.Close()
	if k.Data, err = io.ReadAll(io.LimitReader(rc, MaxKept+1)); err != nil {
		return KeptFile{}, apperr.Wrap(err, "kept file")
	}
	k.Meta, k.CreatedAt = json.RawMessage(meta), k.CreatedAt.UTC()
	return k, nil
}

// DropKept forgets a kept file of the acting user (after it was used); an
// unknown token is no error.
func (s *Service) DropKept(ctx context.Context, token string) error {
	a := actor.From(ctx)
	if a == nil || a.UserID == 0 {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	res, err := s.db.Exec(ctx, `DELETE FROM kept_files WHERE token = ? AND user_id = ?`, token, a.UserID)
	if err != nil {
		return apperr.Wrap(err, "drop kept file")
	}
	if n, _ := res.RowsAffected(); n > 0 {
		_ = s.store.Delete(ctx, keptKey(token))
	}
	return nil
}

// PurgeKept deletes the kept files older than KeptTTL with their bytes and
// returns how many went.
func (s *Service) PurgeKept(ctx context.Context) (int, error) {
	before := s.clock.Now().UTC().Add(-KeptTTL)
	toks, err := db.Collect(ctx, s.db, db.ScanOne[string], `SELECT token FROM kept_files WHERE created_at < ?`, before)
	if err != nil {
		return 0, fmt.Errorf("purge kept files: %w", err)
	}
	for _, t := range toks {
		if err := s.store.Delete(ctx, keptKey(t)); err != nil {
			return 0, fmt.Errorf("purge kept file: %w", err)
		}
		if _, err := s.db.Exec(ctx, `DELETE FROM kept_files WHERE token = ?`, t); err != nil {
			return 0, fmt.Errorf("purge kept file: %w", err)
		}
	}
	return len(toks), nil
}

func keptKey(token string) string { return "kept/" + token }
