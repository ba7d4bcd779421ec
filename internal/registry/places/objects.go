package places

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/apperr"
)

// objectTable is the table of a record type a visit may be about.
func objectTable(objectType string) (string, error) {
	switch objectType {
	case "house":
		return "houses", nil
	case "organisation":
		return "organisations", nil
	}
	return "", apperr.Field("object_type", apperr.OneOf, "values", "person, household, house, organisation")
}

// ObjectPath returns the unit path of a house or an organisation (for the
// groups module's visits); ok is false when there is none.
func (s *Service) ObjectPath(ctx context.Context, objectType string, id int64) (string, bool, error) {
	table, err := objectTable(objectType)
	if err != nil {
		return "", false, err
	}
	path, err := s.st.unitPath(ctx, table, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", objectType, err)
	}
	return path, true, nil
}

// MarkVerified records that a visit verified a house or an organisation at
// t (by is unused: only people keep who verified them).
func (s *Service) MarkVerified(ctx context.Context, objectType string, id int64, t time.Time, by *int64) error {
	table, err := objectTable(objectType)
	if err != nil {
		return err
	}
	if err := s.st.setVerified(ctx, table, id, t); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}
