// Package authdir is how other modules ask about accounts, whose tables
// (users, roles, grants, sessions, …) internal/auth owns. It imports only
// db, so a module below auth in the wiring (org) may use it.
package authdir

import (
	"context"
	"fmt"

	"gridgov/internal/db"
)

// Directory answers read-only questions about users and grants; it joins
// the transaction in the context.
type Directory struct{ db *db.DB }

// New returns the directory over d.
func New(d *db.DB) Directory { return Directory{db: d} }

// UnitHolders counts the users whose home unit is code and the grants
// scoped to it (what keeps an org unit from being deleted).
func (d Directory) UnitHolders(ctx context.Context, code string) (users, grants int, err error) {
	err = d.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM users WHERE unit_code = ?),
		(SELECT count(*) FROM grants WHERE scope_code = ?)`, code, code).Scan(&users, &grants)
	if err != nil {
		return 0, 0, fmt.Errorf("unit holders: %w", err)
	}
	return users, grants, nil
}
