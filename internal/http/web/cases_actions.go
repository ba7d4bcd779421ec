package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
)

// transitionFunc runs one action of the loop from a posted form.
type transitionFunc func(r *http.Request, id int64, in cases.Transition) error

// transitionInput reads the fields every action form carries: the case
// version it was shown at and the note.
func transitionInput(r *http.Request) cases.Transition {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	return cases.Transition{Version: v, Note: strings.TrimSpace(r.PostFormValue("note"))}
}

// formID reads an optional positive id from a form field.
func formID(r *http.Request, field string) (int64, error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Field(field, "must be a whole number")
	}
	return n, nil
}

// transitions maps each action to the service call it makes.
func (s *server) transitions() map[cases.Action]transitionFunc {
	simple := func(f func(*http.Request, int64, cases.Transition) (cases.Case, error)) transitionFunc {
		return func(r *http.Request, id int64, in cases.Transition) error { _, err := f(r, id, in); return err }
	}
	svc := s.Cases
	return map[cases.Action]transitionFunc{
		cases.ActReport: simple(func(r *http.Request, id int64, in cases.Transition) (cases.Case, error) {
			return svc.Report(r.Context(), id, in)
		}),
		cases.ActEscalate: simple(func(r *http.Request, id int64, in cases.Transition) (cases.Case, error) {
			return svc.Escalate(r.Context(), id, in)
		}),
		cases.ActReject: simple(func(r *http.Request, id int64, in cases.Transition) (cases.Case, error) {
			return svc.Reject(r.Context(), id, in)
		}),
		cases.ActSuspend: simple(func(r *http.Request, id int64, in cases.Transition) (cases.Case, error) {
			return svc.Suspend(r.Context(), id, in)
		}),
		cases.ActResume: simple(func(r *http.Request, id int64, in cases.Transition) (cases.Case, error) {
			return svc.Resume(r.Context(), id, in)
		}),
		cases.ActMerge:            s.mergeAction,
		cases.ActAssign:           s.assignAction,
		cases.ActSign:             s.handlerAction(svc.Sign),
		cases.ActReturn:           s.handlerAction(svc.Return),
		cases.ActFeedback:         s.handlerAction(svc.Feedback),
		cases.ActRequestExtension: s.extensionAction,
		cases.ActDecideExtension:  s.decideAction,
		cases.ActVerify:           s.verifyAction,
		cases.ActSupervise:        s.superviseAction,
	}
}

// mergeAction merges the case into another, named by number or id.
func (s *server) mergeAction(r *http.Request, id int64, in cases.Transition) error {
	target := strings.TrimSpace(r.PostFormValue("into"))
	if target == "" {
		return apperr.Field("into", "is required")
	}
	into, err := strconv.ParseInt(target, 10, 64)
	if err != nil {
		list, _, lerr := s.Cases.Cases(r.Context(), cases.Filter{Q: target, Limit: 2})
		if lerr != nil {
			return lerr
		}
		for _, c := range list {
			if c.Number == target {
				into = c.ID
			}
		}
		if into == 0 {
			return apperr.Field("into", "no case with this number")
		}
	}
	_, err = s.Cases.Merge(r.Context(), id, cases.MergeInput{Transition: in, IntoID: into})
	return err
}

// assignAction dispatches to a lead unit and co-handlers (交办).
func (s *server) assignAction(r *http.Request, id int64, in cases.Transition) error {
	from, err := formID(r, "from_assignment_id")
	if err != nil {
		return err
	}
	var co []string
	for _, c := range r.PostForm["co_unit_codes"] {
		if c = strings.TrimSpace(c); c != "" {
			co = append(co, c)
		}
	}
	_, err = s.Cases.Assign(r.Context(), id, cases.AssignInput{Transition: in,
		LeadUnitCode: strings.TrimSpace(r.PostFormValue("lead_unit_code")), CoUnitCodes: co, FromAssignmentID: from})
	return err
}

// handlerAction wraps a handler transition (sign, return, feedback) on the
// posted assignment, with the photos of the step.
func (s *server) handlerAction(f func(ctx context.Context, id int64, in cases.HandlerInput) (cases.Case, error)) transitionFunc {
	return func(r *http.Request, id int64, in cases.Transition) error {
		hi, err := s.handlerInput(r, in)
		if err != nil {
			return err
		}
		_, err = f(r.Context(), id, hi)
		return err
	}
}

func (s *server) handlerInput(r *http.Request, in cases.Transition) (cases.HandlerInput, error) {
	asg, err := formID(r, "assignment_id")
	if err != nil {
		return cases.HandlerInput{}, err
	}
	if in.Attachments, err = s.uploadPhotos(r, "photos"); err != nil {
		return cases.HandlerInput{}, err
	}
	return cases.HandlerInput{Transition: in, AssignmentID: asg}, nil
}

// extensionAction asks for more time (延期).
func (s *server) extensionAction(r *http.Request, id int64, in cases.Transition) error {
	hi, err := s.handlerInput(r, in)
	if err != nil {
		return err
	}
	_, err = s.Cases.RequestExtension(r.Context(), id, cases.ExtensionRequest{HandlerInput: hi,
		Limit: strings.TrimSpace(r.PostFormValue("limit"))})
	return err
}

// decideAction approves or refuses a pending extension.
func (s *server) decideAction(r *http.Request, id int64, in cases.Transition) error {
	ext, err := formID(r, "extension_id")
	if err != nil {
		return err
	}
	if ext == 0 {
		return apperr.Field("extension_id", "is required")
	}
	_, err = s.Cases.DecideExtension(r.Context(), id, ext, cases.ExtensionDecision{Transition: in,
		Approve: r.PostFormValue("approve") == "1"})
	return err
}

// verifyAction records the verification (核查): pass closes, fail reworks.
func (s *server) verifyAction(r *http.Request, id int64, in cases.Transition) error {
	var err error
	if in.Attachments, err = s.uploadPhotos(r, "photos"); err != nil {
		return err
	}
	_, err = s.Cases.Verify(r.Context(), id, cases.VerifyInput{Transition: in, Pass: r.PostFormValue("pass") == "1"})
	return err
}

// superviseAction puts the case under supervision (督办); the deadline is
// a local date-time in Asia/Shanghai.
func (s *server) superviseAction(r *http.Request, id int64, in cases.Transition) error {
	raw := strings.TrimSpace(r.PostFormValue("deadline"))
	var dl time.Time
	if raw != "" {
		var err error
		if dl, err = time.ParseInLocation("2006-01-02T15:04", raw, s.loc); err != nil {
			return apperr.Field("deadline", "must be a date and time (YYYY-MM-DDTHH:MM)")
		}
	}
	_, err := s.Cases.Supervise(r.Context(), id, cases.SuperviseInput{Transition: in,
		SupervisorUnitCode: strings.TrimSpace(r.PostFormValue("supervisor_unit_code")), Deadline: dl.UTC(),
		Reason: strings.TrimSpace(r.PostFormValue("reason"))})
	return err
}
