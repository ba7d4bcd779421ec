package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// HouseholdInput creates a household (户): its number (户号, unique in its
// unit when given), kind (family | collective), address, optional house,
// and its grid — or the unit holding it awaiting a grid.
type HouseholdInput struct {
	Number   string `json:"number"`
	Kind     string `json:"kind"`
	Address  string `json:"address"`
	GridCode string `json:"grid_code"`
	UnitCode string `json:"unit_code"`
	HouseID  *int64 `json:"house_id"`
	Source   Source `json:"source"`
}

// The audit actions on households.
const (
	ActHouseholdCreate       = "household.create"
	ActHouseholdMemberSet    = "household.member_set"
	ActHouseholdMemberRemove = "household.member_remove"
)

// Head relations of GB/T 4761 (01 本人, 02 户主): the member holding one
// is the household's head.
var headRelations = map[string]bool{"01": true, "02": true}

// ValidRelation reports whether code is a GB/T 4761-2008 family relation
// code: 01–02 self/head, 10–12 spouse, 20–29 son, 30–39 daughter, 40–48
// grandchildren, 50–59 parents, 60–69 grandparents, 70–79 siblings, 80–88
// other relatives, 99 not related.
func ValidRelation(code string) bool {
	if len(code) != 2 || code[0] < '0' || code[0] > '9' || code[1] < '0' || code[1] > '9' {
		return false
	}
	d := code[1] - '0'
	switch code[0] {
	case '0':
		return d == 1 || d == 2
	case '1':
		return d <= 2
	case '4', '8':
		return d <= 8
	case '9':
		return d == 9
	}
	return true
}

// cleanHousehold normalises and checks a household input.
func cleanHousehold(in *HouseholdInput) error {
	errs := apperr.FieldErrors{}
	in.Number, in.Kind, in.Address = strings.TrimSpace(in.Number), strings.TrimSpace(in.Kind), strings.TrimSpace(in.Address)
	if in.Kind == "" {
		in.Kind = "family"
	}
	if in.Source == "" {
		in.Source = SourceOwn
	}
	if in.Kind != "family" && in.Kind != "collective" {
		errs.Add("kind", apperr.OneOf, "values", "family, collective")
	}
	if utf8.RuneCountInString(in.Number) > 30 {
		errs.Add("number", apperr.MaxChars, "n", 30)
	}
	if utf8.RuneCountInString(in.Address) > maxText {
		errs.Add("address", apperr.MaxChars, "n", 300)
	}
	if !ValidSource(in.Source) {
		errs.Add("source", apperr.OneOf, "values", "base, shared, own")
	}
	return errs.Err()
}

// CreateHousehold registers a household in its grid (or held by its unit
// awaiting a grid), with registry.write there; audited.
func (s *Service) CreateHousehold(ctx context.Context, in HouseholdInput) (Household, error) {
	if err := rbac.RequireAny(ctx, PermWrite); err != nil {
		return Household{}, err
	}
	if err := cleanHousehold(&in); err != nil {
		return Household{}, err
	}
	t, err := s.Territory(ctx, in.GridCode, in.UnitCode, nil, nil)
	if err != nil {
		return Household{}, err
	}
	if err := rbac.Require(ctx, PermWrite, t.Path); err != nil {
		return Household{}, err
	}
	if in.HouseID != nil {
		// A house outside the actor's read scope is as unknown as a
		// missing one.
		var path string
		err := s.db.QueryRow(ctx, `SELECT unit_path FROM houses WHERE id = ?`, *in.HouseID).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !rbac.Can(actor.From(ctx), PermRead, path) {
			return Household{}, apperr.Field("house_id", apperr.NoSuchHouse)
		}
		if err != nil {
			return Household{}, fmt.Errorf("house: %w", err)
		}
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if id, err = s.insertHousehold(ctx, in, t, s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActHouseholdCreate, ObjectType: "household", ObjectID: fmt.Sprint(id),
			Detail: map[string]any{"number": in.Number, "kind": in.Kind, "grid_code": t.Grid, "unit_code": t.Unit}})
	})
	if err != nil {
		return Household{}, err
	}
	h, err := s.householdByID(ctx, id)
	return h.Household, err
}

// visibleHousehold loads a household the actor may read (not_found
// outside scope).
func (s *Service) visibleHousehold(ctx context.Context, id int64, perm rbac.Permission) (householdRow, error) {
	if err := rbac.RequireAny(ctx, perm); err != nil {
		return householdRow{}, err
	}
	h, err := s.householdByID(ctx, id)
	if err != nil {
		return h, err
	}
	if err := rbac.Require(ctx, PermRead, h.path); err != nil {
		return h, err
	}
	if err := rbac.Require(ctx, perm, h.path); err != nil {
		return h, err
	}
	return h, nil
}

// HouseholdByID returns a household with its members.
// Members and a head the actor may not see (outside their scope, or in a
// key group without registry.keygroup) are left out.
func (s *Service) HouseholdByID(ctx context.Context, id int64) (Household, error) {
	h, err := s.visibleHousehold(ctx, id, PermRead)
	if err != nil {
		return Household{}, err
	}
	if h.HeadPersonID != nil && !slices.ContainsFunc(h.Members, func(m HouseholdMember) bool {
		return m.PersonID == *h.HeadPersonID
	}) {
		h.HeadPersonID = nil
	}
	return h.Household, nil
}

// SetHouseholdMember adds a person to a household, or changes their
// relation (a GB/T 4761 code; 01/02 make them the head). A person belongs
// to at most one household: moving them is a removal and an addition.
// It needs registry.write over the household and the person.
func (s *Service) SetHouseholdMember(ctx context.Context, householdID, personID int64, relation string) (Household, error) {
	h, err := s.visibleHousehold(ctx, householdID, PermWrite)
	if err != nil {
		return Household{}, err
	}
	p, err := s.writablePerson(ctx, personID)
	if err != nil {
		return Household{}, err
	}
	relation = strings.TrimSpace(relation)
	if !ValidRelation(relation) {
		return Household{}, apperr.Field("relation", apperr.RelationCode)
	}
	if p.HouseholdID != nil && *p.HouseholdID != householdID {
		e := apperr.New(apperr.Conflict, "person_id: the person belongs to another household; remove them there first")
		e.Fields = map[string]string{"person_id": "belongs to another household"}
		return Household{}, e
	}
	isHead := headRelations[relation]
	if isHead && h.HeadPersonID != nil && *h.HeadPersonID != personID {
		e := apperr.New(apperr.Conflict, "relation: the household already has a head")
		e.Fields = map[string]string{"relation": "the household already has a head"}
		return Household{}, e
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.upsertMember(ctx, householdID, personID, relation); err != nil {
			return err
		}
		switch {
		case isHead:
			err = s.bumpHousehold(ctx, householdID, "head_person_id = ?", personID)
		case h.HeadPersonID != nil && *h.HeadPersonID == personID:
			err = s.bumpHousehold(ctx, householdID, "head_person_id = NULL")
		default:
			err = s.bumpHousehold(ctx, householdID, "")
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActHouseholdMemberSet, ObjectType: "household",
			ObjectID: fmt.Sprint(householdID), Detail: map[string]any{"person_id": personID, "relation": relation}})
	})
	if err != nil {
		return Household{}, err
	}
	return s.HouseholdByID(ctx, householdID)
}

// RemoveHouseholdMember takes a person out of a household (the head too,
// leaving the household without one).
func (s *Service) RemoveHouseholdMember(ctx context.Context, householdID, personID int64) (Household, error) {
	if _, err := s.visibleHousehold(ctx, householdID, PermWrite); err != nil {
		return Household{}, err
	}
	p, err := s.writablePerson(ctx, personID)
	if err != nil {
		return Household{}, err
	}
	if p.HouseholdID == nil || *p.HouseholdID != householdID {
		return Household{}, apperr.NotFoundf("person %d is not a member of household %d", personID, householdID)
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.dropMember(ctx, householdID, personID); err != nil {
			return err
		}
		if err := s.bumpPerson(ctx, personID, "household_id = NULL"); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActHouseholdMemberRemove, ObjectType: "household",
			ObjectID: fmt.Sprint(householdID), Detail: map[string]any{"person_id": personID}})
	})
	if err != nil {
		return Household{}, err
	}
	return s.HouseholdByID(ctx, householdID)
}
