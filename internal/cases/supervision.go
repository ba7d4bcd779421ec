package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
)

// SupervisionFilter selects the supervision board's page.
type SupervisionFilter struct {
	Limit  int // default 100, at most 500
	Offset int
}

// SupervisionBoardPage lists the open supervisions of cases the actor may
// see, earliest deadline first, with their true total.
func (s *Service) SupervisionBoardPage(ctx context.Context, f SupervisionFilter) ([]Supervision, int, error) {
	if err := rbac.RequireAny(ctx, PermCaseRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset, 100, 500)
	if err != nil {
		return nil, 0, err
	}
	where, args := scopeSQL(rbac.ScopeOf(actor.From(ctx), PermCaseRead))
	var total int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM case_supervisions s JOIN cases c ON c.id = s.case_id
		WHERE s.status = 'open' AND `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count supervisions: %w", err)
	}
	sups, err := s.st.supervisions(ctx, where, args, limit, offset)
	return sups, total, err
}

// AddAccountability attaches a 问责 record to a case's supervision (the
// open one, or in.SupervisionID); it needs case.supervise over the
// supervising unit and writes an accountability step.
func (s *Service) AddAccountability(ctx context.Context, caseID int64, in AccountabilityInput) (Accountability, error) {
	var out Accountability
	_, err := s.mutate(ctx, caseID, in.Version, ActAccountability, func(t *txn) error {
		sup, err := s.supervisionFor(t.ctx, caseID, in.SupervisionID)
		if err != nil {
			return err
		}
		path, err := s.st.unitPath(t.ctx, sup.SupervisorUnitCode, "supervision_id")
		if err != nil {
			return err
		}
		if err := requireAt(t.ctx, t.rule.Perm, path, "the supervising unit"); err != nil {
			return err
		}
		rec, err := s.checkAccountability(t.ctx, in)
		if err != nil {
			return err
		}
		rec.SupervisionID, rec.CaseID = sup.ID, caseID
		rec.CreatedBy, rec.CreatedAt = actor.From(t.ctx).UserID, t.now
		if rec.ID, err = s.st.insertAccountability(t.ctx, rec); err != nil {
			return err
		}
		t.unit, t.note, t.att = sup.SupervisorUnitCode, rec.Note, []int64{}
		t.detail["supervision"], t.detail["accountability"], t.detail["kind"] = sup.ID, rec.ID, rec.Kind
		if rec.UnitCode != "" {
			t.detail["responsible_unit"] = rec.UnitCode
		}
		out = rec
		return nil
	})
	return out, err
}

// supervisionFor picks the supervision: the one named (of this case) or
// the case's open one.
func (s *Service) supervisionFor(ctx context.Context, caseID, id int64) (Supervision, error) {
	if id == 0 {
		sup, err := s.st.openSupervision(ctx, caseID)
		if err != nil {
			return Supervision{}, err
		}
		if sup == nil {
			return Supervision{}, apperr.Field("supervision_id", apperr.NotSupervised)
		}
		return *sup, nil
	}
	sup, err := s.st.supervision(ctx, caseID, id)
	if err != nil {
		return Supervision{}, apperr.Field("supervision_id", apperr.NoSuchSupervision)
	}
	return sup, nil
}

// checkAccountability validates an accountability input.
func (s *Service) checkAccountability(ctx context.Context, in AccountabilityInput) (Accountability, error) {
	rec := Accountability{UnitCode: strings.TrimSpace(in.UnitCode), StaffID: in.StaffID,
		PersonName: strings.TrimSpace(in.PersonName), Kind: strings.TrimSpace(in.Kind), Note: strings.TrimSpace(in.Note)}
	errs := apperr.FieldErrors{}
	if rec.UnitCode == "" && rec.StaffID == nil && rec.PersonName == "" {
		errs.Add("unit_code", apperr.Responsible)
	}
	known := false
	for _, k := range AccountabilityKinds {
		known = known || k == rec.Kind
	}
	if !known {
		errs.Add("kind", apperr.OneOf, "values", strings.Join(AccountabilityKinds, ", "))
	}
	if rec.Note == "" || len([]rune(rec.Note)) > 2000 {
		errs.Add("note", apperr.RequiredMaxChars, "n", 2000)
	}
	if len([]rune(rec.PersonName)) > 100 {
		errs.Add("person_name", apperr.MaxChars, "n", 100)
	}
	if err := errs.Err(); err != nil {
		return rec, err
	}
	if rec.UnitCode != "" {
		if _, err := s.st.unitPath(ctx, rec.UnitCode, "unit_code"); err != nil {
			return rec, err
		}
	}
	if rec.StaffID != nil {
		if ok, err := s.st.staffExists(ctx, *rec.StaffID); err != nil {
			return rec, err
		} else if !ok {
			return rec, apperr.Field("staff_id", apperr.UnknownStaff, "id", *rec.StaffID)
		}
	}
	return rec, nil
}

// supervisionNear is the share of a supervision's time after which its
// handlers are reminded.
const supervisionNear = nearFraction

// refreshSupervisions queues the reminders of open supervisions nearing
// their deadline and the overdue notices and escalations of those past it;
// the outbox's dedup keys make each happen once. It returns how many
// supervisions were due and overdue.
func (s *Service) refreshSupervisions(ctx context.Context, now time.Time) (due, overdue int, err error) {
	sups, err := s.st.openSupervisions(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, sup := range sups {
		total := sup.Deadline.Sub(sup.CreatedAt)
		switch {
		case now.After(sup.Deadline):
			overdue++
		case total > 0 && float64(now.Sub(sup.CreatedAt)) >= supervisionNear*float64(total):
			due++
		default:
			continue
		}
		if err := s.remindSupervision(ctx, sup, now); err != nil {
			return due, overdue, err
		}
	}
	return due, overdue, nil
}
