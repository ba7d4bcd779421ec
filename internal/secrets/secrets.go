// Package secrets keeps the secrets that every node of one installation
// must share — the CAPTCHA key, signing keys — in the database, so that a
// challenge issued by one `gridgov serve` is answered at another. A secret
// is made at random by whichever process asks for it first; the database's
// primary key makes every later process read that one. Keys that protect
// personal data (the registry key) are not kept here: they live outside the
// database (docs/registry.md).
package secrets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/clock"
	"gridgov/internal/db"
)

// Store reads and makes the shared secrets; it owns app_secrets.
type Store struct {
	db    *db.DB
	clock clock.Clock
}

// New returns the store over d; clk stamps the secrets it makes.
func New(d *db.DB, clk clock.Clock) *Store { return &Store{db: d, clock: clk} }

// Get returns the secret called name, making one of size random bytes when
// none exists yet. Two processes asking at once get the same bytes.
func (s *Store) Get(ctx context.Context, name string, size int) ([]byte, error) {
	if v, ok, err := s.read(ctx, name); err != nil || ok {
		return v, err
	}
	b := make([]byte, size)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO app_secrets (name, value, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO NOTHING`, name, hex.EncodeToString(b), s.clock.Now().UTC().Truncate(time.Microsecond)); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	v, ok, err := s.read(ctx, name)
	if err == nil && !ok {
		err = fmt.Errorf("secret %s: not stored", name)
	}
	return v, err
}

func (s *Store) read(ctx context.Context, name string) ([]byte, bool, error) {
	var v string
	err := s.db.QueryRow(ctx, `SELECT value FROM app_secrets WHERE name = ?`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("secret %s: %w", name, err)
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil, false, fmt.Errorf("secret %s: %w", name, err)
	}
	return b, true, nil
}
