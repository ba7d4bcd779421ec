package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
)

// personCols are the columns scanPerson reads, from people aliased p.
const personCols = `p.id, p.id_type, p.id_mask, p.name, p.gender, p.birth_date, p.phone_mask, p.nation,
	p.nationality, p.education, p.marital, p.political, p.person_type, p.hukou_address, p.address, p.workplace,
	p.household_id, p.house_id, p.grid_code, p.unit_code, p.unit_path, p.key_group, p.extra, p.source,
	p.source_ref, p.verified_at, p.verified_by, p.version, p.created_at, p.updated_at`

type personScanner interface{ Scan(dest ...any) error }

// scanPerson reads personCols, then any extra columns into extra. The
// identifiers come out as their stored masks.
func scanPerson(sc personScanner, extra ...any) (Person, error) {
	var p Person
	var household, house, verifiedBy sql.NullInt64
	var grid sql.NullString
	var verifiedAt sql.NullTime
	var ext string
	dest := []any{&p.ID, &p.IDType, &p.IDNumber, &p.Name, &p.Gender, &p.BirthDate, &p.Phone, &p.Nation,
		&p.Nationality, &p.Education, &p.Marital, &p.Political, &p.PersonType, &p.HukouAddress, &p.Address, &p.Workplace,
		&household, &house, &grid, &p.UnitCode, &p.unitPath, &p.KeyGroup, &ext, &p.Source,
		&p.SourceRef, &verifiedAt, &verifiedBy, &p.Version, &p.CreatedAt, &p.UpdatedAt}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return p, err
	}
	p.HouseholdID, p.HouseID, p.VerifiedBy = int64Ptr(household), int64Ptr(house), int64Ptr(verifiedBy)
	p.GridCode, p.AwaitingGrid = grid.String, !grid.Valid
	if verifiedAt.Valid {
		t := verifiedAt.Time.UTC()
		p.VerifiedAt = &t
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	if ext != "" && ext != "{}" {
		_ = json.Unmarshal([]byte(ext), &p.Extra) // written by us; bad data shows as none
	}
	p.Masked = true
	return p, nil
}

func int64Ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// nullIfEmpty binds "" as NULL.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func extraJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m) // a map of strings always marshals
	return string(b)
}

// errIDTaken is the answer to a second person with a registered identity
// number; it does not say where the first one is.
func errIDTaken() error {
	e := apperr.New(apperr.Conflict, "id_number: already registered")
	e.Fields = map[string]string{"id_number": "already registered"}
	return e.WithReason("duplicate")
}

// personByID loads a person that is not removed.
func (s *Service) personByID(ctx context.Context, id int64) (Person, error) {
	p, err := scanPerson(s.db.QueryRow(ctx, `SELECT `+personCols+` FROM people p WHERE p.id = ? AND p.deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("person %d not found", id)
	}
	if err != nil {
		return p, fmt.Errorf("load person: %w", err)
	}
	return p, nil
}

// insertPerson stores a cleaned, sealed person in territory t.
func (s *Service) insertPerson(ctx context.Context, in PersonInput, t Territory, ids SealedIDs, now time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `INSERT INTO people (id_type, id_enc, id_bidx, id_mask, name, gender, birth_date,
		phone_enc, phone_bidx, phone_mask, nation, nationality, education, marital, political, person_type,
		hukou_address, address, workplace, grid_code, unit_code, unit_path, extra, source, source_ref,
		version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
		in.IDType, ids.IDEnc, ids.IDBidx, ids.IDMask, in.Name, in.Gender, in.BirthDate,
		ids.PhoneEnc, ids.PhoneBidx, ids.PhoneMask, in.Nation, in.Nationality, in.Education, in.Marital, in.Political,
		in.PersonType, in.HukouAddress, in.Address, in.Workplace, nullIfEmpty(t.Grid), t.Unit, t.Path,
		extraJSON(in.Extra), string(in.Source), in.SourceRef, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, errIDTaken()
	}
	if err != nil {
		return 0, fmt.Errorf("insert person: %w", err)
	}
	return id, nil
}

// updatePerson rewrites a person's fields at version; keepIDs leaves the
// sealed identifiers as they are for the empty ones of in.
func (s *Service) updatePerson(ctx context.Context, id int64, version int, in PersonInput, t Territory, ids SealedIDs, now time.Time) error {
	q := `UPDATE people SET id_type = ?, name = ?, gender = ?, birth_date = ?, nation = ?, nationality = ?,
		education = ?, marital = ?, political = ?, person_type = ?, hukou_address = ?, address = ?, workplace = ?,
		grid_code = ?, unit_code = ?, unit_path = ?, extra = ?, source = ?, source_ref = ?,
		version = version + 1, updated_at = ?`
	args := []any{in.IDType, in.Name, in.Gender, in.BirthDate, in.Nation, in.Nationality, in.Education, in.Marital,
		in.Political, in.PersonType, in.HukouAddress, in.Address, in.Workplace, nullIfEmpty(t.Grid), t.Unit, t.Path,
		extraJSON(in.Extra), string(in.Source), in.SourceRef, now}
	if ids.IDEnc != nil {
		q += `, id_enc = ?, id_bidx = ?, id_mask = ?`
		args = append(args, ids.IDEnc, ids.IDBidx, ids.IDMask)
	}
	if ids.PhoneEnc != nil {
		q += `, phone_enc = ?, phone_bidx = ?, phone_mask = ?`
		args = append(args, ids.PhoneEnc, ids.PhoneBidx, ids.PhoneMask)
	}
	res, err := s.db.Exec(ctx, q+` WHERE id = ? AND version = ? AND deleted_at IS NULL`, append(args, id, version)...)
	if db.IsUniqueViolation(err) {
		return errIDTaken()
	}
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	return oneChanged(res, errPersonStale())
}

// oneChanged returns miss unless res changed exactly one row.
func oneChanged(res sql.Result, miss error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return miss
	}
	return nil
}

func errPersonStale() error {
	return apperr.New(apperr.Conflict, "the record was changed by someone else; reload it").WithReason("stale")
}

// sealedIDs reads the sealed identifiers of a person.
func (s *Service) sealedIDs(ctx context.Context, id int64) (idEnc, phoneEnc []byte, err error) {
	err = s.db.QueryRow(ctx, `SELECT id_enc, phone_enc FROM people WHERE id = ?`, id).Scan(&idEnc, &phoneEnc)
	if err != nil {
		return nil, nil, fmt.Errorf("load identifiers: %w", err)
	}
	return idEnc, phoneEnc, nil
}

// bumpPerson marks a person changed (version and updated_at) with set.
func (s *Service) bumpPerson(ctx context.Context, id int64, set string, args ...any) error {
	q := `UPDATE people SET version = version + 1, updated_at = ?`
	if set != "" {
		q += ", " + set
	}
	res, err := s.db.Exec(ctx, q+` WHERE id = ? AND deleted_at IS NULL`, append(append([]any{s.now()}, args...), id)...)
	if err != nil {
		return fmt.Errorf("update person: %w", err)
	}
	return oneChanged(res, apperr.NotFoundf("person %d not found", id))
}

// personAudit lists the audit entries of a person, newest first.
func (s *Service) personAudit(ctx context.Context, id int64, limit int) ([]audit.Row, error) {
	return s.audit.ObjectEntries(ctx, "person", fmt.Sprint(id), nil, limit)
}

// SourceRef is a person found by the reference of their source record.
type SourceRef struct {
	ID       int64
	Ref      string
	GridCode string // "" while awaiting a grid
}

// PeopleBySourceRef returns the live people whose source reference starts
// with prefix, for the system actor only (the demo seeder finds the people
// it imported).
func (s *Service) PeopleBySourceRef(ctx context.Context, prefix string) ([]SourceRef, error) {
	if a := actor.From(ctx); a == nil || !a.System {
		return nil, apperr.New(apperr.Forbidden, "for the system actor only")
	}
	rows, err := s.db.Query(ctx, `SELECT id, source_ref, COALESCE(grid_code, '') FROM people
		WHERE source_ref LIKE ? ESCAPE '\' AND deleted_at IS NULL`, db.Like(prefix)+"%")
	if err != nil {
		return nil, apperr.Wrap(err, "people by source")
	}
	defer rows.Close()
	var out []SourceRef
	for rows.Next() {
		var r SourceRef
		if err := rows.Scan(&r.ID, &r.Ref, &r.GridCode); err != nil {
			return nil, apperr.Wrap(err, "people by source")
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PeopleRows counts every person row, removed ones included (the registry
// benchmark numbers its generated people after them).
func (s *Service) PeopleRows(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM people`).Scan(&n); err != nil {
		return 0, apperr.Wrap(err, "count people")
	}
	return n, nil
}
