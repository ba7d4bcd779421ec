package citizen

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emmansun/gmsm/sm3"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// APIKey is an issued Open311 API key; only its SM3 hash is stored, and
// its first characters (Prefix) identify it in lists.
type APIKey struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// keyPrefix starts every key, so that leaked keys are easy to recognise.
const keyPrefix = "gg311_"

func hashKey(key string) string {
	sum := sm3.Sum([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateKey issues a named API key (apikey.manage anywhere, or the
// platform itself from the command line) and returns it with the secret,
// which is shown this once and never stored.
func (s *Service) CreateKey(ctx context.Context, name string) (APIKey, string, error) {
	if err := rbac.RequireAny(ctx, rbac.APIKeyManage); err != nil {
		return APIKey{}, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		return APIKey{}, "", apperr.Field("name", apperr.RequiredMaxChars, "n", 100)
	}
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return APIKey{}, "", err
	}
	secret := keyPrefix + strings.ToLower(hex.EncodeToString(b))
	k := APIKey{Name: name, Prefix: secret[:len(keyPrefix)+6], CreatedBy: actor.From(ctx).Username,
		CreatedAt: s.now()}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		err := s.db.QueryRow(ctx, `INSERT INTO api_keys (name, prefix, hash, created_by, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, k.Name, k.Prefix, hashKey(secret), k.CreatedBy, k.CreatedAt).Scan(&k.ID)
		if err != nil {
			return fmt.Errorf("insert api key: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "apikey.create", ObjectType: "api_key",
			ObjectID: strconv.FormatInt(k.ID, 10), Detail: map[string]any{"name": k.Name, "prefix": k.Prefix}})
	})
	if err != nil {
		return APIKey{}, "", err
	}
	return k, secret, nil
}

// Keys lists the issued keys, newest first (apikey.manage).
func (s *Service) Keys(ctx context.Context) ([]APIKey, error) {
	if err := rbac.RequireAny(ctx, rbac.APIKeyManage); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, prefix, created_by, created_at, revoked_at, last_used_at
		FROM api_keys ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		var k APIKey
		var rev, used sql.NullTime
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &k.CreatedBy, &k.CreatedAt, &rev, &used); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		k.CreatedAt = k.CreatedAt.UTC()
		if rev.Valid {
			t := rev.Time.UTC()
			k.RevokedAt = &t
		}
		if used.Valid {
			t := used.Time.UTC()
			k.LastUsedAt = &t
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey revokes a key (apikey.manage); revoking twice is a no-op.
func (s *Service) RevokeKey(ctx context.Context, id int64) error {
	if err := rbac.RequireAny(ctx, rbac.APIKeyManage); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var revoked sql.NullTime
		err := s.db.QueryRow(ctx, `SELECT revoked_at FROM api_keys WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("api key %d not found", id)
		}
		if err != nil || revoked.Valid {
			return err
		}
		if _, err := s.db.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, s.now(), id); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: "apikey.revoke", ObjectType: "api_key",
			ObjectID: strconv.FormatInt(id, 10)})
	})
}

// CheckKey returns the id of a valid (issued, not revoked) key and notes
// its use; ok is false for an unknown or revoked key.
func (s *Service) CheckKey(ctx context.Context, secret string) (id int64, ok bool, err error) {
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, keyPrefix) {
		return 0, false, nil
	}
	err = s.db.QueryRow(ctx, `SELECT id FROM api_keys WHERE hash = ? AND revoked_at IS NULL`,
		hashKey(secret)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("check api key: %w", err)
	}
	// last_used_at is informative: at most one write a minute per key.
	now := s.now()
	_, err = s.db.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?
		AND (last_used_at IS NULL OR last_used_at < ?)`, now, id, now.Add(-time.Minute))
	return id, err == nil, err
}
