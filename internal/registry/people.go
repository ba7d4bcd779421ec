package registry

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// The audit actions on people.
const (
	ActPersonCreate = "person.create"
	ActPersonUpdate = "person.update"
	ActPersonRemove = "person.remove"
	ActPersonView   = "person.view"
	ActPersonUnmask = "person.unmask"
	ActPersonVerify = "person.verify"
	ActPersonGrid   = "person.assign_grid"
)

// maxAssign bounds one AssignGrid call.
const maxAssign = 1000

// canSee reports whether the actor of ctx may see p (CanSeePerson).
func canSee(ctx context.Context, p Person) bool {
	return CanSeePerson(actor.From(ctx), p.unitPath, p.KeyGroup)
}

// visiblePerson loads a person the actor may see; anyone else gets
// not_found (forbidden without registry.read anywhere), as for a person
// that does not exist.
func (s *Service) visiblePerson(ctx context.Context, id int64) (Person, error) {
	if err := rbac.RequireAny(ctx, PermRead); err != nil {
		return Person{}, err
	}
	p, err := s.personByID(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if !canSee(ctx, p) {
		return Person{}, apperr.NotFoundf("person %d not found", id)
	}
	return p, nil
}

// writablePerson loads a person the actor may see and change.
func (s *Service) writablePerson(ctx context.Context, id int64) (Person, error) {
	if err := rbac.RequireAny(ctx, PermWrite); err != nil {
		return Person{}, err
	}
	p, err := s.visiblePerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := rbac.Require(ctx, PermWrite, p.unitPath); err != nil {
		return Person{}, err
	}
	return p, nil
}

func personObject(id int64) string { return fmt.Sprint(id) }

// CreatePerson registers a person: the input is cleaned (422 naming the
// fields), placed in its grid — or held by its unit awaiting a grid —
// with registry.write over that place, its identifiers sealed, and the
// creation audited with masks only. A second person with the same
// identity number is a conflict naming id_number.
func (s *Service) CreatePerson(ctx context.Context, in PersonInput) (Person, error) {
	if err := rbac.RequireAny(ctx, PermWrite); err != nil {
		return Person{}, err
	}
	now := s.now()
	if err := CleanPerson(&in, now); err != nil {
		return Person{}, err
	}
	t, err := s.Territory(ctx, in.GridCode, in.UnitCode, nil, nil)
	if err != nil {
		return Person{}, err
	}
	if err := rbac.Require(ctx, PermWrite, t.Path); err != nil {
		return Person{}, err
	}
	ids, err := SealPerson(s.seal, in)
	if err != nil {
		return Person{}, apperr.Wrap(err, "seal identifiers")
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if id, err = s.insertPerson(ctx, in, t, ids, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActPersonCreate, ObjectType: "person", ObjectID: personObject(id),
			Detail: map[string]any{"name": in.Name, "id_number": ids.IDMask, "phone": ids.PhoneMask,
				"grid_code": t.Grid, "unit_code": t.Unit, "source": in.Source}})
	})
	if err != nil {
		return Person{}, err
	}
	return s.personByID(ctx, id)
}

// PersonForEdit returns a person's current fields as an input for
// UpdatePerson, with the identifiers left empty (an empty identifier
// keeps the stored one) and Version set; a PATCH applies its fields on it.
func (s *Service) PersonForEdit(ctx context.Context, id int64) (PersonInput, error) {
	p, err := s.writablePerson(ctx, id)
	if err != nil {
		return PersonInput{}, err
	}
	return PersonInput{IDType: p.IDType, Name: p.Name, Gender: p.Gender, BirthDate: p.BirthDate, Nation: p.Nation,
		Nationality: p.Nationality, Education: p.Education, Marital: p.Marital, Political: p.Political,
		PersonType: p.PersonType, HukouAddress: p.HukouAddress, Address: p.Address, Workplace: p.Workplace,
		GridCode: p.GridCode, UnitCode: p.UnitCode, Extra: p.Extra, Source: p.Source, SourceRef: p.SourceRef,
		Version: p.Version}, nil
}

// UpdatePerson replaces a person's fields. An empty IDNumber or Phone
// keeps the stored (sealed) value. in.Version, when not 0, must be the
// current version (409 stale otherwise). Moving the person to another
// grid or unit needs registry.write over both places.
func (s *Service) UpdatePerson(ctx context.Context, id int64, in PersonInput) (Person, error) {
	cur, err := s.writablePerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if in.Version != 0 && in.Version != cur.Version {
		return Person{}, errPersonStale()
	}
	now := s.now()
	if err := CleanPerson(&in, now); err != nil {
		return Person{}, err
	}
	if in.GridCode == "" && in.UnitCode == "" {
		in.UnitCode = cur.UnitCode
	}
	t, err := s.Territory(ctx, in.GridCode, in.UnitCode, nil, nil)
	if err != nil {
		return Person{}, err
	}
	if t.Path != cur.unitPath {
		if err := rbac.Require(ctx, PermWrite, t.Path); err != nil {
			return Person{}, err
		}
	}
	ids, err := SealPerson(s.seal, in)
	if err != nil {
		return Person{}, apperr.Wrap(err, "seal identifiers")
	}
	changed := changedFields(cur, in, t, ids)
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.updatePerson(ctx, id, cur.Version, in, t, ids, now); err != nil {
			return err
		}
		d := map[string]any{"fields": changed}
		if t.Grid != cur.GridCode || t.Unit != cur.UnitCode {
			d["from"] = map[string]string{"grid_code": cur.GridCode, "unit_code": cur.UnitCode}
			d["to"] = map[string]string{"grid_code": t.Grid, "unit_code": t.Unit}
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActPersonUpdate, ObjectType: "person", ObjectID: personObject(id), Detail: d})
	})
	if err != nil {
		return Person{}, err
	}
	return s.personByID(ctx, id)
}

// changedFields names the fields an update changes (names only: the audit
// never holds an identifier's value).
func changedFields(cur Person, in PersonInput, t Territory, ids SealedIDs) []string {
	var out []string
	for name, pair := range map[string][2]string{
		"id_type": {cur.IDType, in.IDType}, "name": {cur.Name, in.Name}, "gender": {cur.Gender, in.Gender},
		"birth_date": {cur.BirthDate, in.BirthDate}, "nation": {cur.Nation, in.Nation},
		"nationality": {cur.Nationality, in.Nationality}, "education": {cur.Education, in.Education},
		"marital": {cur.Marital, in.Marital}, "political": {cur.Political, in.Political},
		"person_type": {cur.PersonType, in.PersonType}, "hukou_address": {cur.HukouAddress, in.HukouAddress},
		"address": {cur.Address, in.Address}, "workplace": {cur.Workplace, in.Workplace},
		"grid_code": {cur.GridCode, t.Grid}, "unit_code": {cur.UnitCode, t.Unit},
		"extra": {extraJSON(cur.Extra), extraJSON(in.Extra)}, "source": {string(cur.Source), string(in.Source)},
		"source_ref": {cur.SourceRef, in.SourceRef},
	} {
		if pair[0] != pair[1] {
			out = append(out, name)
		}
	}
	if ids.IDEnc != nil {
		out = append(out, "id_number")
	}
	if ids.PhoneEnc != nil {
		out = append(out, "phone")
	}
	sort.Strings(out)
	return out
}

// requireReason checks a reason given for a deliberate act.
func requireReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxText {
		return "", apperr.Field("reason", apperr.RequiredMaxChars, "n", 300)
	}
	return reason, nil
}

// RemovePerson removes a person (softly: the record stays for the audit
// trail but leaves every list and lookup), with a reason. The person also
// leaves their household, and their ID-card number is free to be
// registered again as a new person.
func (s *Service) RemovePerson(ctx context.Context, id int64, reason string) error {
	p, err := s.writablePerson(ctx, id)
	if err != nil {
		return err
	}
	if reason, err = requireReason(reason); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if p.HouseholdID != nil {
			if err := s.dropMember(ctx, *p.HouseholdID, id); err != nil {
				return err
			}
		}
		// The ID number's blind index moves out of id_bidx, whose uniqueness
		// holds among live people only: the number may be registered again.
		if err := s.bumpPerson(ctx, id, "deleted_at = ?, household_id = NULL, removed_id_bidx = id_bidx, id_bidx = NULL",
			s.now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActPersonRemove, ObjectType: "person", ObjectID: personObject(id),
			Detail: map[string]any{"reason": reason, "name": p.Name}})
	})
}

// PersonByID returns a person with masked identifiers (the detail view:
// full birth date and address). Every view is recorded in person_access;
// viewing a key-group person needs registry.keygroup and is audited
// (person.view) too. A user past the hourly limit of distinct people
// looked up gets 429 and an alert is raised.
func (s *Service) PersonByID(ctx context.Context, id int64) (Person, error) {
	p, err := s.visiblePerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := s.checkPeople(ctx, []int64{id}); err != nil {
		return Person{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		ref := requestRef(ctx)
		if p.KeyGroup {
			if ref, err = s.recordRef(ctx, audit.Entry{Action: ActPersonView, ObjectType: "person", ObjectID: personObject(id)}); err != nil {
				return err
			}
		}
		return s.logAccess(ctx, AccessView, []int64{id}, ref)
	})
	if err != nil {
		return Person{}, err
	}
	return p, nil
}

// UnmaskPerson returns a person with the full identity number and phone:
// registry.unmask over the person and a reason are required, and the act
// is audited (person.unmask, with the reason) and recorded in
// person_access with the audit entry as its ref.
func (s *Service) UnmaskPerson(ctx context.Context, id int64, reason string) (Person, error) {
	p, err := s.visiblePerson(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if err := rbac.Require(ctx, PermUnmask, p.unitPath); err != nil {
		return Person{}, err
	}
	if reason, err = requireReason(reason); err != nil {
		return Person{}, err
	}
	idEnc, phoneEnc, err := s.sealedIDs(ctx, id)
	if err != nil {
		return Person{}, err
	}
	if p.IDNumber, err = s.seal.Open(IdxID, idEnc); err != nil {
		return Person{}, apperr.Wrap(err, "open identity number")
	}
	if p.Phone, err = s.seal.Open(IdxPhone, phoneEnc); err != nil {
		return Person{}, apperr.Wrap(err, "open phone")
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		ref, err := s.recordRef(ctx, audit.Entry{Action: ActPersonUnmask, ObjectType: "person", ObjectID: personObject(id),
			Detail: map[string]any{"reason": reason, "fields": []string{"id_number", "phone"}}})
		if err != nil {
			return err
		}
		return s.logAccess(ctx, AccessUnmask, []int64{id}, ref)
	})
	if err != nil {
		return Person{}, err
	}
	p.Masked = false
	return p, nil
}

// maxNote bounds verification notes.
const maxNote = 500

// VerifyPerson records that the person was checked in the field (核对):
// verified_at and verified_by, audited with the note.
func (s *Service) VerifyPerson(ctx context.Context, id int64, note string) (Person, error) {
	if _, err := s.writablePerson(ctx, id); err != nil {
		return Person{}, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > maxNote {
		return Person{}, apperr.Field("note", apperr.MaxChars, "n", 500)
	}
	var by any
	if a := actor.From(ctx); a != nil && a.UserID != 0 {
		by = a.UserID
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.bumpPerson(ctx, id, "verified_at = ?, verified_by = ?", s.now(), by); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActPersonVerify, ObjectType: "person", ObjectID: personObject(id),
			Detail: map[string]any{"note": note}})
	})
	if err != nil {
		return Person{}, err
	}
	return s.personByID(ctx, id)
}

// AssignGrid places people awaiting a grid in gridCode. Only people in the
// actor's registry.write scope (and, for key-group people, registry.keygroup
// scope) who still await a grid are moved; the grid must be in scope too.
// It returns how many were assigned.
func (s *Service) AssignGrid(ctx context.Context, ids []int64, gridCode string) (int, error) {
	if err := rbac.RequireAny(ctx, PermWrite); err != nil {
		return 0, err
	}
	errs := apperr.FieldErrors{}
	if len(ids) == 0 || len(ids) > maxAssign {
		errs.Add("ids", apperr.CountBetween, "min", 1, "max", 1000)
	}
	if strings.TrimSpace(gridCode) == "" {
		errs.Add("grid_code", apperr.Required)
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	t, err := s.Territory(ctx, gridCode, "", nil, nil)
	if err != nil {
		return 0, err
	}
	if err := rbac.Require(ctx, PermWrite, t.Path); err != nil {
		return 0, err
	}
	a := actor.From(ctx)
	write := rbac.ScopeOf(a, PermWrite)
	n := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			p, err := s.personByID(ctx, id)
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !p.AwaitingGrid || !write.Covers(p.unitPath) || !KeyGroupAllows(a, p.unitPath, p.KeyGroup) {
				continue
			}
			if err := s.placePerson(ctx, p, t, "manual"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// placePerson moves a person awaiting a grid into grid t, audited.
func (s *Service) placePerson(ctx context.Context, p Person, t Territory, how string) error {
	if err := s.bumpPerson(ctx, p.ID, "grid_code = ?, unit_code = ?, unit_path = ?", t.Grid, t.Unit, t.Path); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Entry{Action: ActPersonGrid, ObjectType: "person", ObjectID: personObject(p.ID),
		Detail: map[string]any{"grid_code": t.Grid, "from_unit": p.UnitCode, "by": how}})
}

// ResolvePendingGrids places the people of a unit's subtree who await a
// grid in the grid of the house at their address: a person whose address
// equals (after trimming) the address of houses of exactly one grid gets
// that grid, when the actor may write there. It returns how many were
// placed.
func (s *Service) ResolvePendingGrids(ctx context.Context, unitCode string) (int, error) {
	if err := rbac.RequireAny(ctx, PermWrite); err != nil {
		return 0, err
	}
	if strings.TrimSpace(unitCode) == "" {
		return 0, apperr.Field("unit_code", apperr.Required)
	}
	u, err := s.Territory(ctx, "", unitCode, nil, nil)
	if err != nil {
		return 0, err
	}
	if err := rbac.Require(ctx, PermWrite, u.Path); err != nil {
		return 0, err
	}
	matches, err := s.pendingByAddress(ctx, u.Path)
	if err != nil {
		return 0, err
	}
	a := actor.From(ctx)
	write := rbac.ScopeOf(a, PermWrite)
	grids := map[string]Territory{}
	n := 0
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		for _, m := range matches {
			t, ok := grids[m.grid]
			if !ok {
				if t, err = s.Territory(ctx, m.grid, "", nil, nil); err != nil {
					return err
				}
				grids[m.grid] = t
			}
			if !write.Covers(t.Path) {
				continue
			}
			p, err := s.personByID(ctx, m.person)
			if err != nil {
				return err
			}
			if !p.AwaitingGrid || !KeyGroupAllows(a, p.unitPath, p.KeyGroup) {
				continue
			}
			if err := s.placePerson(ctx, p, t, "address"); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

type addressMatch struct {
	person int64
	grid   string
}

// pendingByAddress finds the people under path awaiting a grid whose
// address is that of houses in exactly one grid.
func (s *Service) pendingByAddress(ctx context.Context, path string) ([]addressMatch, error) {
	rows, err := s.db.Query(ctx, `SELECT p.id, MIN(h.grid_code) FROM people p
		JOIN houses h ON TRIM(h.address) = TRIM(p.address) AND h.grid_code IS NOT NULL
		WHERE p.unit_path LIKE ? AND p.grid_code IS NULL AND p.deleted_at IS NULL AND TRIM(p.address) <> ''
		GROUP BY p.id HAVING COUNT(DISTINCT h.grid_code) = 1 ORDER BY p.id`, path+"%")
	if err != nil {
		return nil, fmt.Errorf("pending by address: %w", err)
	}
	defer rows.Close()
	var out []addressMatch
	for rows.Next() {
		var m addressMatch
		if err := rows.Scan(&m.person, &m.grid); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PersonViews answers "who looked at this person" (PRIV-5): the rows of
// person_access — views, identifier hits, listings as a group member,
// unmaskings (with the reason), exports — and the person's audited
// changes, newest first. It is for whoever may unmask the person or holds
// audit.read over them (and, for a key-group person, registry.keygroup).
func (s *Service) PersonViews(ctx context.Context, id int64, limit int) ([]PersonAccess, error) {
	a := actor.From(ctx)
	if a == nil {
		return nil, apperr.New(apperr.Unauthenticated, "login required")
	}
	if !rbac.HasAnywhere(a, PermUnmask) && !rbac.HasAnywhere(a, rbac.AuditRead) {
		return nil, apperr.Newf(apperr.Forbidden, "permission %s or %s required", PermUnmask, rbac.AuditRead)
	}
	p, err := s.personByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !rbac.Can(a, PermUnmask, p.unitPath) && !rbac.Can(a, rbac.AuditRead, p.unitPath) ||
		!KeyGroupAllows(a, p.unitPath, p.KeyGroup) {
		return nil, apperr.NotFoundf("person %d not found", id)
	}
	if limit, err = (db.Paging{Default: 50, Max: 500}).Limit(limit); err != nil {
		return nil, err
	}
	return s.personAccess(ctx, id, limit)
}
