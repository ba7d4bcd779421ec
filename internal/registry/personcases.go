package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
)

// CaseRef is a case that concerns a person, as the actor may see it.
type CaseRef struct {
	CaseID   int64     `json:"case_id"`
	Number   string    `json:"number"`
	Status   string    `json:"status"`
	Category string    `json:"category"`
	Role     string    `json:"role"`
	LinkedAt time.Time `json:"linked_at"`
}

// CaseLookup reads a case as the actor of ctx sees it: an error (not_found
// or forbidden) for a case they may not see.
type CaseLookup interface {
	CaseSummary(ctx context.Context, id int64) (number, status, category string, err error)
}

// ActPersonLinkCase is the audit action of linking a case to a person.
const ActPersonLinkCase = "person.link_case"

// The roles of a person in a case.
var caseRoles = map[string]bool{"party": true, "reporter": true, "subject": true, "witness": true, "other": true}

// LinkCase records that a case concerns a person (role party, reporter,
// subject, witness or other; default party). It needs registry.write over
// the person and a case the actor can see; linking again changes the role.
func (s *Service) LinkCase(ctx context.Context, personID, caseID int64, role string) error {
	if _, err := s.writablePerson(ctx, personID); err != nil {
		return err
	}
	role = strings.TrimSpace(role)
	if role == "" {
		role = "party"
	}
	if !caseRoles[role] {
		return apperr.Field("role", apperr.OneOf, "values", "party, reporter, subject, witness, other")
	}
	if s.cases == nil {
		return apperr.New(apperr.Internal, "case lookup not configured")
	}
	if _, _, _, err := s.cases.CaseSummary(ctx, caseID); err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			return apperr.Field("case_id", apperr.NoSuchCase)
		}
		return err
	}
	var by any
	if a := actor.From(ctx); a != nil && a.UserID != 0 {
		by = a.UserID
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Exec(ctx, `INSERT INTO person_cases (person_id, case_id, role, linked_by, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, case_id) DO UPDATE SET role = excluded.role`,
			personID, caseID, role, by, s.now()); err != nil {
			return fmt.Errorf("link case: %w", err)
		}
		return s.audit.Record(ctx, audit.Entry{Action: ActPersonLinkCase, ObjectType: "person", ObjectID: personObject(personID),
			Detail: map[string]any{"case_id": caseID, "role": role}})
	})
}

// PersonCases lists the cases linked to a person that the actor may see,
// newest link first.
func (s *Service) PersonCases(ctx context.Context, personID int64) ([]CaseRef, error) {
	if _, err := s.visiblePerson(ctx, personID); err != nil {
		return nil, err
	}
	out := []CaseRef{}
	if s.cases == nil {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT case_id, role, created_at FROM person_cases WHERE person_id = ?
		ORDER BY created_at DESC, case_id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("person cases: %w", err)
	}
	var refs []CaseRef
	for rows.Next() {
		var r CaseRef
		if err := rows.Scan(&r.CaseID, &r.Role, &r.LinkedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("person cases: %w", err)
		}
		r.LinkedAt = r.LinkedAt.UTC()
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range refs {
		var err error
		r.Number, r.Status, r.Category, err = s.cases.CaseSummary(ctx, r.CaseID)
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
