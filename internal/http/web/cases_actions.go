package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
)

// formFunc fills an action's input (a pointer from its rule's NewInput,
// its common part already read by transitionInput) from the posted form.
type formFunc func(r *http.Request, in any) error

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
		return 0, apperr.Field(field, apperr.Integer)
	}
	return n, nil
}

// actionForms maps each action of the loop (cases.Workflow) to what its
// form adds to the common fields; a test checks that every action has one.
func (s *server) actionForms() map[cases.Action]formFunc {
	common := func(*http.Request, any) error { return nil }
	return map[cases.Action]formFunc{
		cases.ActReport:           common,
		cases.ActEscalate:         common,
		cases.ActReject:           common,
		cases.ActSuspend:          common,
		cases.ActResume:           common,
		cases.ActMerge:            s.mergeForm,
		cases.ActAssign:           assignForm,
		cases.ActSign:             s.handlerForm,
		cases.ActReturn:           s.handlerForm,
		cases.ActFeedback:         s.handlerForm,
		cases.ActRequestExtension: s.extensionForm,
		cases.ActDecideExtension:  decideForm,
		cases.ActVerify:           s.verifyForm,
		cases.ActSupervise:        s.superviseForm,
	}
}

// runAction takes one action of the loop on case id from the posted form.
func (s *server) runAction(r *http.Request, rule cases.Rule, form formFunc, id int64) error {
	in := rule.NewInput()
	*in.(interface{ Common() *cases.Transition }).Common() = transitionInput(r)
	if err := form(r, in); err != nil {
		return err
	}
	_, err := s.Cases.Do(r.Context(), rule.Action, id, in)
	return err
}

// mergeForm names the case to merge into, by number or id.
func (s *server) mergeForm(r *http.Request, in any) error {
	target := strings.TrimSpace(r.PostFormValue("into"))
	if target == "" {
		return apperr.Field("into", apperr.Required)
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
			return apperr.Field("into", apperr.NoSuchCase)
		}
	}
	in.(*cases.MergeInput).IntoID = into
	return nil
}

// assignForm names the lead unit and co-handlers (交办).
func assignForm(r *http.Request, in any) error {
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
	a := in.(*cases.AssignInput)
	a.LeadUnitCode, a.CoUnitCodes, a.FromAssignmentID = strings.TrimSpace(r.PostFormValue("lead_unit_code")), co, from
	return nil
}

// handlerForm reads a handler action's assignment (sign, return,
// feedback) and the photos of the step.
func (s *server) handlerForm(r *http.Request, in any) error {
	return s.handlerInput(r, in.(*cases.HandlerInput))
}

func (s *server) handlerInput(r *http.Request, hi *cases.HandlerInput) error {
	asg, err := formID(r, "assignment_id")
	if err != nil {
		return err
	}
	if hi.Attachments, err = s.uploadPhotos(r, "photos"); err != nil {
		return err
	}
	hi.AssignmentID = asg
	return nil
}

// extensionForm asks for more time (延期).
func (s *server) extensionForm(r *http.Request, in any) error {
	x := in.(*cases.ExtensionRequest)
	if err := s.handlerInput(r, &x.HandlerInput); err != nil {
		return err
	}
	x.Limit = strings.TrimSpace(r.PostFormValue("limit"))
	return nil
}

// decideForm names the pending extension and the decision.
func decideForm(r *http.Request, in any) error {
	ext, err := formID(r, "extension_id")
	if err != nil {
		return err
	}
	if ext == 0 {
		return apperr.Field("extension_id", apperr.Required)
	}
	d := in.(*cases.ExtensionDecision)
	d.ExtensionID, d.Approve = ext, r.PostFormValue("approve") == "1"
	return nil
}

// verifyForm reads the verdict (核查: pass closes, fail reworks) and photos.
func (s *server) verifyForm(r *http.Request, in any) error {
	v := in.(*cases.VerifyInput)
	var err error
	if v.Attachments, err = s.uploadPhotos(r, "photos"); err != nil {
		return err
	}
	v.Pass = r.PostFormValue("pass") == "1"
	return nil
}

// superviseForm reads the supervising unit, the reason and the deadline
// (督办), a local date-time in Asia/Shanghai.
func (s *server) superviseForm(r *http.Request, in any) error {
	raw := strings.TrimSpace(r.PostFormValue("deadline"))
	var dl time.Time
	if raw != "" {
		var err error
		if dl, err = time.ParseInLocation("2006-01-02T15:04", raw, s.loc); err != nil {
			return apperr.Field("deadline", apperr.Datetime)
		}
	}
	sv := in.(*cases.SuperviseInput)
	sv.SupervisorUnitCode, sv.Deadline = strings.TrimSpace(r.PostFormValue("supervisor_unit_code")), dl.UTC()
	sv.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	return nil
}
