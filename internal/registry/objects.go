package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/apperr"
)

// SetKeyGroup sets whether a person counts as key-group (重点人群). The
// groups module calls it, in its transaction, to keep the flag true exactly
// while the person has an active key-group membership; it checks nothing.
func (s *Service) SetKeyGroup(ctx context.Context, personID int64, on bool) error {
	if _, err := s.db.Exec(ctx, `UPDATE people SET key_group = ?, updated_at = ? WHERE id = ? AND key_group <> ?`,
		on, s.now(), personID, on); err != nil {
		return fmt.Errorf("key group: %w", err)
	}
	return nil
}

// ObjectPath returns the unit path of a registry record a visit may be
// about ("household"); ok is false when there is none.
func (s *Service) ObjectPath(ctx context.Context, objectType string, id int64) (string, bool, error) {
	if objectType != "household" {
		return "", false, apperr.Field("object_type", apperr.OneOf, "values", "person, household, house, organisation")
	}
	var path string
	err := s.db.QueryRow(ctx, `SELECT unit_path FROM households WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("household: %w", err)
	}
	return path, true, nil
}

// MarkVerified records that a visit verified a person (with who did) or a
// household at t. The groups module calls it in its transaction after its
// own checks.
func (s *Service) MarkVerified(ctx context.Context, objectType string, id int64, t time.Time, by *int64) error {
	var err error
	switch objectType {
	case "person":
		_, err = s.db.Exec(ctx, `UPDATE people SET verified_at = ?, verified_by = ? WHERE id = ?`, t, by, id)
	case "household":
		_, err = s.db.Exec(ctx, `UPDATE households SET verified_at = ? WHERE id = ?`, t, id)
	default:
		return apperr.Field("object_type", apperr.OneOf, "values", "person, household, house, organisation")
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// HouseLinks counts the people and households that point at a house (the
// places module refuses to delete a house still linked).
func (s *Service) HouseLinks(ctx context.Context, houseID int64) (people, households int, err error) {
	err = s.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM people WHERE house_id = ?),
		(SELECT count(*) FROM households WHERE house_id = ?)`, houseID, houseID).Scan(&people, &households)
	if err != nil {
		return 0, 0, fmt.Errorf("house links: %w", err)
	}
	return people, households, nil
}
