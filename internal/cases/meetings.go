package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/rbac"
)

// CreateMeeting convenes a joint meeting or joint enforcement record at a
// platform (case.dispatch over the convening unit) linking cases the
// convener can see; decisions may be given at once or added later.
func (s *Service) CreateMeeting(ctx context.Context, in MeetingInput) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	in, err := checkMeeting(in)
	if err != nil {
		return Meeting{}, err
	}
	var id int64
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		path, err := s.st.unitPath(ctx, in.ConvenerUnitCode, "convener_unit_code")
		if err != nil {
			return err
		}
		if err := requireScoped(ctx, PermCaseDispatch, path); err != nil {
			return err
		}
		m := meetingRow{Meeting: Meeting{Kind: in.Kind, Title: in.Title, HeldAt: in.HeldAt.UTC().Truncate(time.Microsecond),
			Place: in.Place, ConvenerUnitCode: in.ConvenerUnitCode, StaffIDs: cleanIDs(in.StaffIDs), Minutes: in.Minutes,
			Status: MeetingOpen, CreatedBy: actor.From(ctx).UserID, CreatedAt: s.now()}, ConvenerPath: path}
		if id, err = s.st.insertMeeting(ctx, m); err != nil {
			return err
		}
		m.ID = id
		if err := s.meetingLinks(ctx, m, in); err != nil {
			return err
		}
		for i, d := range in.Decisions {
			if err := s.addDecision(ctx, m, cleanIDs(in.CaseIDs), d, fmt.Sprintf("decisions[%d].", i)); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Entry{Action: "meeting.create", ObjectType: "case_meeting",
			ObjectID: strconv.FormatInt(id, 10), Detail: map[string]any{"kind": string(in.Kind), "title": in.Title,
				"convener": in.ConvenerUnitCode, "cases": in.CaseIDs, "units": in.UnitCodes}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, id)
}

// checkMeeting validates the shape of a meeting input.
func checkMeeting(in MeetingInput) (MeetingInput, error) {
	errs := apperr.FieldErrors{}
	if in.Kind == "" {
		in.Kind = MeetingJoint
	}
	if in.Kind != MeetingJoint && in.Kind != MeetingEnforcement {
		errs.Add("kind", apperr.OneOf, "values", "meeting, joint_enforcement")
	}
	in.Title, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place)
	in.ConvenerUnitCode = strings.TrimSpace(in.ConvenerUnitCode)
	if in.Title == "" || len([]rune(in.Title)) > 200 {
		errs.Add("title", apperr.RequiredMaxChars, "n", 200)
	}
	if in.HeldAt.IsZero() {
		errs.Add("held_at", apperr.Time)
	}
	if in.ConvenerUnitCode == "" {
		errs.Add("convener_unit_code", apperr.Required)
	}
	if len(in.CaseIDs) == 0 || len(in.CaseIDs) > 50 {
		errs.Add("case_ids", apperr.CountBetween, "min", 1, "max", 50)
	}
	if len(in.UnitCodes) > 50 {
		errs.Add("unit_codes", apperr.MaxCount, "n", 50)
	}
	if len(in.StaffIDs) > 200 {
		errs.Add("staff_ids", apperr.MaxCount, "n", 200)
	}
	if len([]rune(in.Minutes)) > 20000 {
		errs.Add("minutes", apperr.MaxChars, "n", 20000)
	}
	return in, errs.Err()
}

// meetingLinks writes a new meeting's participant units, staff check and
// linked cases (each visible to the convener).
func (s *Service) meetingLinks(ctx context.Context, m meetingRow, in MeetingInput) error {
	if err := s.meetingUnits(ctx, m.ID, in.ConvenerUnitCode, in.UnitCodes); err != nil {
		return err
	}
	if err := s.checkStaff(ctx, m.StaffIDs); err != nil {
		return err
	}
	for _, cid := range cleanIDs(in.CaseIDs) {
		if err := s.linkMeetingCase(ctx, m.ID, cid); err != nil {
			return err
		}
	}
	return nil
}

// meetingUnits writes a meeting's participant units: the convener and the
// given codes, once each.
func (s *Service) meetingUnits(ctx context.Context, id int64, convener string, codes []string) error {
	seen := map[string]bool{convener: true}
	units := []string{convener}
	for _, c := range codes {
		if c = strings.TrimSpace(c); c != "" && !seen[c] {
			seen[c] = true
			units = append(units, c)
		}
	}
	for _, code := range units {
		p, err := s.st.unitPath(ctx, code, "unit_codes")
		if err != nil {
			return err
		}
		if err := s.st.insertMeetingUnit(ctx, id, code, p); err != nil {
			return err
		}
	}
	return nil
}

// checkStaff refuses participating staff that do not exist.
func (s *Service) checkStaff(ctx context.Context, ids []int64) error {
	for _, sid := range ids {
		if ok, err := s.st.staffExists(ctx, sid); err != nil {
			return err
		} else if !ok {
			return apperr.Field("staff_ids", apperr.UnknownStaff, "id", sid)
		}
	}
	return nil
}

// linkMeetingCase links a case the actor can see to a meeting.
func (s *Service) linkMeetingCase(ctx context.Context, id, caseID int64) error {
	if _, err := s.visibleCase(ctx, caseID); err != nil {
		return apperr.Field("case_ids", apperr.UnknownCase, "ref", caseID)
	}
	return s.st.insertMeetingCase(ctx, id, caseID)
}

// addDecision checks and stores one decision of an open meeting; field
// prefixes the names of invalid fields.
func (s *Service) addDecision(ctx context.Context, m meetingRow, caseIDs []int64, in DecisionInput, field string) error {
	linked := false
	for _, id := range caseIDs {
		linked = linked || id == in.CaseID
	}
	if !linked {
		return apperr.Field(field+"case_id", apperr.MeetingCase)
	}
	if n, err := s.st.pendingDecisions(ctx, m.ID, in.CaseID); err != nil {
		return err
	} else if n > 0 {
		return apperr.Field(field+"case_id", apperr.MeetingDecided)
	}
	in.Note = strings.TrimSpace(in.Note)
	if len([]rune(in.Note)) > 2000 {
		return apperr.Field(field+"note", apperr.MaxChars, "n", 2000)
	}
	t := &txn{s: s, ctx: ctx}
	units, err := t.checkTargets(m.ConvenerUnitCode, AssignInput{LeadUnitCode: in.LeadUnitCode, CoUnitCodes: in.CoUnitCodes})
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid && field != "" {
			f := apperr.FieldErrors{}
			for k, v := range e.Problems {
				f.AddProblem(field+k, v)
			}
			return f.Err()
		}
		return err
	}
	d := MeetingDecision{MeetingID: m.ID, CaseID: in.CaseID, LeadUnitCode: units[0], CoUnitCodes: units[1:],
		Note: in.Note, Status: "pending", CreatedBy: actor.From(ctx).UserID, CreatedAt: s.now()}
	d.ID, err = s.st.insertDecision(ctx, d)
	return err
}

// visibleMeeting loads a meeting the actor may read (case.read over the
// convener or a participant unit); others are not_found.
func (s *Service) visibleMeeting(ctx context.Context, id int64) (meetingRow, error) {
	m, err := s.st.meeting(ctx, id)
	if err != nil {
		return m, err
	}
	paths, err := s.st.meetingPaths(ctx, m)
	if err != nil {
		return m, err
	}
	if !visible(rbac.ScopeOf(actor.From(ctx), PermCaseRead), paths) {
		return m, apperr.NotFoundf("meeting %d not found", id)
	}
	return m, nil
}

// MeetingByID returns a meeting the actor may see, with its decisions.
func (s *Service) MeetingByID(ctx context.Context, id int64) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	m, err := s.visibleMeeting(ctx, id)
	return m.Meeting, err
}

// Meetings lists the meetings visible to the actor, latest first, with the
// total count (decisions and links are filled by MeetingByID only).
func (s *Service) Meetings(ctx context.Context, f MeetingFilter) ([]Meeting, int, error) {
	if err := rbac.RequireAny(ctx, PermCaseRead); err != nil {
		return nil, 0, err
	}
	limit, offset, err := page(f.Limit, f.Offset, 50, 500)
	if err != nil {
		return nil, 0, err
	}
	where, args := "1=1", []any(nil)
	if sc := rbac.ScopeOf(actor.From(ctx), PermCaseRead); !sc.All {
		if len(sc.Paths) == 0 {
			return []Meeting{}, 0, nil
		}
		cond, a := sc.SQL("mu.path")
		where = "EXISTS (SELECT 1 FROM case_meeting_units mu WHERE mu.meeting_id = m.id AND " + cond + ")"
		args = a
	}
	switch f.Status {
	case "":
	case MeetingOpen, MeetingConcluded, MeetingCancelled:
		where += " AND m.status = ?"
		args = append(args, f.Status)
	default:
		return nil, 0, apperr.Field("status", apperr.OneOf, "values", "open, concluded, cancelled")
	}
	if f.CaseID != 0 {
		where += " AND EXISTS (SELECT 1 FROM case_meeting_cases mc WHERE mc.meeting_id = m.id AND mc.case_id = ?)"
		args = append(args, f.CaseID)
	}
	return s.st.meetings(ctx, where, args, limit, offset)
}

// AddDecision adds a decision to an open meeting (case.dispatch over the
// convener): a linked case, its lead unit and co-handlers.
func (s *Service) AddDecision(ctx context.Context, meetingID int64, in DecisionInput) (Meeting, error) {
	if err := requireLogin(ctx); err != nil {
		return Meeting{}, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.openMeeting(ctx, meetingID)
		if err != nil {
			return err
		}
		if err := s.addDecision(ctx, m, m.CaseIDs, in, ""); err != nil {
			return err
		}
		if err := s.touch(ctx, m); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Entry{Action: "meeting.decision", ObjectType: "case_meeting",
			ObjectID: strconv.FormatInt(m.ID, 10), Detail: map[string]any{"case": in.CaseID,
				"lead": in.LeadUnitCode, "co": in.CoUnitCodes}})
	})
	if err != nil {
		return Meeting{}, err
	}
	return s.MeetingByID(ctx, meetingID)
}

// openMeeting loads a visible open meeting the actor may run.
func (s *Service) openMeeting(ctx context.Context, id int64) (meetingRow, error) {
	m, err := s.visibleMeeting(ctx, id)
	if err != nil {
		return m, err
	}
	if err := requireAt(ctx, PermCaseDispatch, m.ConvenerPath, "the convening platform"); err != nil {
		return m, err
	}
	if m.Status != MeetingOpen {
		return m, apperr.Newf(apperr.Conflict, "meeting %d is %s already", id, m.Status).WithReason(ReasonInvalidTransition)
	}
	return m, nil
}

// errMeetingStale is the conflict of a meeting changed by someone else.
func errMeetingStale(id int64) error {
	return apperr.Newf(apperr.Conflict, "meeting %d was changed by someone else; reload it", id).WithReason(ReasonStale)
}

// touch bumps an open meeting's version after its decisions changed.
func (s *Service) touch(ctx context.Context, m meetingRow) error {
	if ok, err := s.st.touchMeeting(ctx, m); err != nil {
		return err
	} else if !ok {
		return errMeetingStale(m.ID)
	}
	return nil
}
