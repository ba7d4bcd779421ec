package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// householdRow is a household with the path scope checks use.
type householdRow struct {
	Household
	path string
}

func (s *Service) householdByID(ctx context.Context, id int64) (householdRow, error) {
	var h householdRow
	var head, house sql.NullInt64
	var grid sql.NullString
	var verified sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT id, number, kind, head_person_id, address, house_id, grid_code, unit_code,
		unit_path, source, verified_at, version, created_at, updated_at FROM households WHERE id = ?`, id).Scan(
		&h.ID, &h.Number, &h.Kind, &head, &h.Address, &house, &grid, &h.UnitCode, &h.path, &h.Source, &verified,
		&h.Version, &h.CreatedAt, &h.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return h, apperr.NotFoundf("household %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("load household: %w", err)
	}
	h.HeadPersonID, h.HouseID, h.GridCode = int64Ptr(head), int64Ptr(house), grid.String
	if verified.Valid {
		t := verified.Time.UTC()
		h.VerifiedAt = &t
	}
	h.CreatedAt, h.UpdatedAt = h.CreatedAt.UTC(), h.UpdatedAt.UTC()
	h.Members, err = s.householdMembers(ctx, id)
	return h, err
}

// householdMembers lists the members of a household the actor may see: a
// member outside their read scope, or a key-group member without
// registry.keygroup over them, is left out, like in every people list.
func (s *Service) householdMembers(ctx context.Context, id int64) ([]HouseholdMember, error) {
	a := actor.From(ctx)
	visible, vargs := PersonVisibleSQL(a, "p")
	args := append([]any{id}, vargs...)
	rows, err := s.db.Query(ctx, `SELECT m.person_id, p.name, m.relation FROM household_members m
		JOIN people p ON p.id = m.person_id WHERE m.household_id = ? AND p.deleted_at IS NULL
		AND `+visible+`
		ORDER BY m.relation, m.person_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("household members: %w", err)
	}
	defer rows.Close()
	out := []HouseholdMember{}
	for rows.Next() {
		var m HouseholdMember
		if err := rows.Scan(&m.PersonID, &m.Name, &m.Relation); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Service) insertHousehold(ctx context.Context, in HouseholdInput, t Territory, now time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO households (number, kind, address, house_id, grid_code, unit_code, unit_path,
		source, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.Number, in.Kind, in.Address, in.HouseID, nullIfEmpty(t.Grid), t.Unit, t.Path, string(in.Source), now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		e := apperr.New(apperr.Conflict, "number: a household with this number is already registered in the unit")
		e.Fields = map[string]string{"number": "already registered"}
		return 0, e
	}
	if err != nil {
		return 0, fmt.Errorf("insert household: %w", err)
	}
	return id, nil
}

// bumpHousehold marks a household changed, with set.
func (s *Service) bumpHousehold(ctx context.Context, id int64, set string, args ...any) error {
	q := `UPDATE households SET version = version + 1, updated_at = ?`
	if set != "" {
		q += ", " + set
	}
	_, err := s.db.Exec(ctx, q+` WHERE id = ?`, append(append([]any{s.now()}, args...), id)...)
	if err != nil {
		return fmt.Errorf("update household: %w", err)
	}
	return nil
}

// upsertMember sets a person's relation in a household and keeps
// people.household_id in step.
func (s *Service) upsertMember(ctx context.Context, householdID, personID int64, relation string) error {
	if _, err := s.db.Exec(ctx, `INSERT INTO household_members (household_id, person_id, relation) VALUES (?, ?, ?)
		ON CONFLICT (household_id, person_id) DO UPDATE SET relation = excluded.relation`,
		householdID, personID, relation); err != nil {
		return fmt.Errorf("household member: %w", err)
	}
	return s.bumpPerson(ctx, personID, "household_id = ?", householdID)
}

// dropMember takes a person out of a household (clearing the head when
// they were it); people.household_id is the caller's to clear.
func (s *Service) dropMember(ctx context.Context, householdID, personID int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM household_members WHERE household_id = ? AND person_id = ?`,
		householdID, personID); err != nil {
		return fmt.Errorf("household member: %w", err)
	}
	if _, err := s.db.Exec(ctx, `UPDATE households SET head_person_id = NULL WHERE id = ? AND head_person_id = ?`,
		householdID, personID); err != nil {
		return fmt.Errorf("household head: %w", err)
	}
	return s.bumpHousehold(ctx, householdID, "")
}
