package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// meetingsPageSize is the number of meetings per page of the list.
const meetingsPageSize = 30

// meetingRoutes registers the pages of joint meetings (联席会议/联合执法)
// and the accountability form (问责) of a case's supervision.
func (s *server) meetingRoutes(mux *http.ServeMux) {
	mux.Handle("GET /meetings", s.page(s.needCases(s.meetingsPage)))
	mux.Handle("GET /meetings/new", s.page(s.needCases(s.newMeetingForm)))
	mux.Handle("POST /meetings", s.page(s.needCases(s.createMeeting)))
	mux.Handle("GET /meetings/{id}", s.page(s.needCases(s.meetingPage)))
	mux.Handle("POST /meetings/{id}", s.page(s.needCases(s.updateMeeting)))
	mux.Handle("POST /meetings/{id}/decisions", s.page(s.needCases(s.addDecision)))
	mux.Handle("POST /meetings/{id}/decisions/{did}/delete", s.page(s.needCases(s.removeDecision)))
	mux.Handle("POST /meetings/{id}/conclude", s.page(s.needCases(s.concludeMeeting)))
	mux.Handle("POST /meetings/{id}/cancel", s.page(s.needCases(s.cancelMeeting)))
	mux.Handle("POST /cases/{id}/accountability", s.page(s.needCases(s.accountabilityAction)))
}

// meetingKinds are the kinds offered on the form.
var meetingKinds = []cases.MeetingKind{cases.MeetingJoint, cases.MeetingEnforcement}

// meetingsData is the filtered list of meetings.
type meetingsData struct {
	Meetings  []cases.Meeting
	Filter    url.Values
	Names     map[string]string
	Pager     pager
	CanCreate bool
}

// meetingsPage handles GET /meetings: the meetings the actor may see,
// filtered by status and paged.
func (s *server) meetingsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	p := pageParam(r)
	list, total, err := s.Cases.Meetings(ctx, cases.MeetingFilter{Status: q.Get("status"),
		Limit: meetingsPageSize, Offset: (p - 1) * meetingsPageSize})
	v := s.newView(r, "meetings.title", "meetings", nil)
	status := http.StatusOK
	if err != nil {
		st, ok := s.formError(v, err)
		if !ok {
			return err
		}
		status = st
	}
	var codes []string
	for _, m := range list {
		codes = append(codes, m.ConvenerUnitCode)
	}
	v.Data = &meetingsData{Meetings: list, Filter: q, Names: s.unitNames(ctx, codes),
		Pager:     newPager(r, p, meetingsPageSize, total),
		CanCreate: rbac.HasAnywhere(actor.From(ctx), cases.PermCaseDispatch)}
	s.render(w, r, status, "meetings_list", v)
	return nil
}

// meetingFormData is the new-meeting form.
type meetingFormData struct {
	Kinds []cases.MeetingKind
}

// newMeetingForm handles GET /meetings/new; ?case_ids= prefills the cases.
func (s *server) newMeetingForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), cases.PermCaseDispatch); err != nil {
		return err
	}
	v := s.newView(r, "meetings.new", "meetings", nil)
	v.Form = url.Values{"kind": {string(cases.MeetingJoint)}, "convener_unit_code": {actor.From(r.Context()).UnitCode},
		"case_ids": {r.URL.Query().Get("case_ids")}}
	v.Data = &meetingFormData{Kinds: meetingKinds}
	s.render(w, r, http.StatusOK, "meetings_new", v)
	return nil
}

// caseRefs resolves case numbers or ids the actor may see into ids.
func (s *server) caseRefs(ctx context.Context, raw, field string) ([]int64, error) {
	var ids []int64
	for _, ref := range splitList(raw) {
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
			continue
		}
		list, _, err := s.Cases.Cases(ctx, cases.Filter{Q: ref, Limit: 2})
		if err != nil {
			return nil, err
		}
		var id int64
		for _, c := range list {
			if c.Number == ref {
				id = c.ID
			}
		}
		if id == 0 {
			return nil, apperr.Field(field, apperr.UnknownCase, "ref", ref)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// createMeeting handles POST /meetings: convenes the meeting and shows it.
func (s *server) createMeeting(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in := cases.MeetingInput{Kind: cases.MeetingKind(r.PostFormValue("kind")), Title: r.PostFormValue("title"),
		Place: strings.TrimSpace(r.PostFormValue("place")), ConvenerUnitCode: strings.TrimSpace(r.PostFormValue("convener_unit_code")),
		UnitCodes: splitList(r.PostFormValue("unit_codes")), Minutes: strings.TrimSpace(r.PostFormValue("minutes"))}
	var err error
	if raw := strings.TrimSpace(r.PostFormValue("held_at")); raw != "" {
		var t time.Time
		if t, err = time.ParseInLocation("2006-01-02T15:04", raw, s.loc); err != nil {
			err = apperr.Field("held_at", apperr.Datetime)
		}
		in.HeldAt = t.UTC()
	}
	if err == nil {
		in.CaseIDs, err = s.caseRefs(ctx, r.PostFormValue("case_ids"), "case_ids")
	}
	var m cases.Meeting
	if err == nil {
		m, err = s.Cases.CreateMeeting(ctx, in)
	}
	if err != nil {
		v := s.newView(r, "meetings.new", "meetings", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = formWithout(r.PostForm, "csrf")
		v.Data = &meetingFormData{Kinds: meetingKinds}
		s.render(w, r, status, "meetings_new", v)
		return nil
	}
	seeOther(w, r, meetingURL(m.ID), "flash.meeting_created")
	return nil
}

// meetingURL is the console page of a meeting.
func meetingURL(id int64) string { return "/meetings/" + strconv.FormatInt(id, 10) }

// meetingData is one meeting's page.
type meetingData struct {
	Meeting cases.Meeting
	Cases   map[int64]cases.Case // linked cases the actor may see
	Names   map[string]string
	Targets []org.Unit // units a decision may name (the convener's children)
	CanRun  bool       // the actor may edit, add decisions, conclude and cancel
	Edit    url.Values // the values of the edit form
}

// meetingPage handles GET /meetings/{id}; a meeting out of scope is 404.
func (s *server) meetingPage(w http.ResponseWriter, r *http.Request) error {
	s.showMeeting(w, r, http.StatusOK, s.newView(r, "meetings.meeting", "meetings", nil), nil)
	return nil
}

// showMeeting renders a meeting's page; edit, when set, refills the edit
// form (after it failed), which otherwise shows the meeting.
func (s *server) showMeeting(w http.ResponseWriter, r *http.Request, status int, v *view, edit url.Values) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	m, err := s.Cases.MeetingByID(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &meetingData{Meeting: m, Cases: map[int64]cases.Case{}}
	for _, cid := range m.CaseIDs {
		if c, err := s.Cases.CaseByID(ctx, cid); err == nil {
			d.Cases[cid] = c
		}
	}
	codes := append([]string{m.ConvenerUnitCode}, m.UnitCodes...)
	for _, dec := range m.Decisions {
		codes = append(codes, dec.LeadUnitCode)
		codes = append(codes, dec.CoUnitCodes...)
	}
	d.Names = s.unitNames(ctx, codes)
	if p, err := s.Org.UnitPath(ctx, m.ConvenerUnitCode); err == nil {
		d.CanRun = m.Status == cases.MeetingOpen && rbac.Can(actor.From(ctx), cases.PermCaseDispatch, p)
	}
	if d.CanRun {
		if units, _, err := s.Org.Units(ctx, org.UnitFilter{ParentCode: m.ConvenerUnitCode, Limit: 1000}); err == nil {
			d.Targets = units
		}
		d.Edit = edit
		if d.Edit == nil {
			d.Edit = s.meetingEditForm(d)
		}
	}
	v.Data, v.TitleText = d, m.Title
	s.render(w, r, status, "meetings_view", v)
}

// meetingEditForm fills the edit form with the meeting: cases by number
// where the actor can see them, the participants besides the convener.
func (s *server) meetingEditForm(d *meetingData) url.Values {
	m := d.Meeting
	var refs, units []string
	for _, id := range m.CaseIDs {
		if c, ok := d.Cases[id]; ok {
			refs = append(refs, c.Number)
		} else {
			refs = append(refs, strconv.FormatInt(id, 10))
		}
	}
	for _, u := range m.UnitCodes {
		if u != m.ConvenerUnitCode {
			units = append(units, u)
		}
	}
	return url.Values{"title": {m.Title}, "held_at": {m.HeldAt.In(s.loc).Format("2006-01-02T15:04")},
		"place": {m.Place}, "unit_codes": {strings.Join(units, ", ")}, "case_ids": {strings.Join(refs, ", ")},
		"minutes": {m.Minutes}, "version": {strconv.Itoa(m.Version)}}
}

// updateMeeting handles POST /meetings/{id}: the edit form of an open
// meeting (every field is sent, so every field is set).
func (s *server) updateMeeting(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.meetingID(w, r)
	if !ok {
		return nil
	}
	ctx := r.Context()
	title, place := r.PostFormValue("title"), strings.TrimSpace(r.PostFormValue("place"))
	minutes, units := strings.TrimSpace(r.PostFormValue("minutes")), splitList(r.PostFormValue("unit_codes"))
	in := cases.MeetingUpdate{Title: &title, Place: &place, Minutes: &minutes, UnitCodes: &units}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	var held time.Time
	var err error
	if held, err = time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(r.PostFormValue("held_at")), s.loc); err != nil {
		err = apperr.Field("held_at", apperr.Datetime)
	}
	held = held.UTC()
	in.HeldAt = &held
	var ids []int64
	if err == nil {
		ids, err = s.caseRefs(ctx, r.PostFormValue("case_ids"), "case_ids")
		in.CaseIDs = &ids
	}
	if err == nil {
		_, err = s.Cases.UpdateMeeting(ctx, id, in)
	}
	if err != nil {
		s.meetingFailed(w, r, "edit", err)
		return nil
	}
	seeOther(w, r, meetingURL(id), "flash.meeting_updated")
	return nil
}

// removeDecision handles POST /meetings/{id}/decisions/{did}/delete: a
// pending decision is dropped.
func (s *server) removeDecision(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.meetingID(w, r)
	if !ok {
		return nil
	}
	did, err := strconv.ParseInt(r.PathValue("did"), 10, 64)
	if err != nil || did <= 0 {
		return errNotFound()
	}
	if _, err := s.Cases.RemoveDecision(r.Context(), id, did); err != nil {
		s.meetingFailed(w, r, "decision", err)
		return nil
	}
	seeOther(w, r, meetingURL(id), "flash.meeting_decision_removed")
	return nil
}

// cancelMeeting handles POST /meetings/{id}/cancel: the meeting is called
// off with a reason and its decisions are never applied.
func (s *server) cancelMeeting(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.meetingID(w, r)
	if !ok {
		return nil
	}
	if _, err := s.Cases.CancelMeeting(r.Context(), id, r.PostFormValue("reason")); err != nil {
		s.meetingFailed(w, r, "cancel", err)
		return nil
	}
	seeOther(w, r, meetingURL(id), "flash.meeting_cancelled")
	return nil
}

// meetingID reads the meeting id of the path, or answers 404.
func (s *server) meetingID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return 0, false
	}
	return id, true
}

// addDecision handles POST /meetings/{id}/decisions.
func (s *server) addDecision(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.meetingID(w, r)
	if !ok {
		return nil
	}
	var co []string
	for _, c := range r.PostForm["co_unit_codes"] {
		if c = strings.TrimSpace(c); c != "" {
			co = append(co, c)
		}
	}
	cid, err := formID(r, "case_id")
	if err == nil {
		_, err = s.Cases.AddDecision(r.Context(), id, cases.DecisionInput{CaseID: cid,
			LeadUnitCode: strings.TrimSpace(r.PostFormValue("lead_unit_code")), CoUnitCodes: co,
			Note: strings.TrimSpace(r.PostFormValue("note"))})
	}
	if err != nil {
		s.meetingFailed(w, r, "decision", err)
		return nil
	}
	seeOther(w, r, meetingURL(id), "flash.meeting_decision")
	return nil
}

// concludeMeeting handles POST /meetings/{id}/conclude: the decisions
// become assignments of their cases.
func (s *server) concludeMeeting(w http.ResponseWriter, r *http.Request) error {
	id, ok := s.meetingID(w, r)
	if !ok {
		return nil
	}
	_, err := s.Cases.ConcludeMeeting(r.Context(), id, cases.ConcludeInput{Minutes: strings.TrimSpace(r.PostFormValue("minutes"))})
	if err != nil {
		s.meetingFailed(w, r, "conclude", err)
		return nil
	}
	seeOther(w, r, meetingURL(id), "flash.meeting_concluded")
	return nil
}

// meetingFailed shows the meeting page with the errors of one form, keyed
// "form.field" so only that form shows them.
func (s *server) meetingFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	v := s.newView(r, "meetings.meeting", "meetings", nil)
	status, ok := s.formError(v, err)
	if !ok {
		if apperr.CodeOf(err) != apperr.Forbidden {
			s.fail(w, r, err)
			return
		}
		status, v.FlashKind, v.Flash = http.StatusForbidden, "error", s.cat.T(v.Lang)("error.forbidden")
	}
	v.keyErrors(func(k string) string { return form + "." + k })
	v.Form = formWithout(r.PostForm, "csrf")
	var edit url.Values
	if form == "edit" {
		edit = v.Form
	}
	s.showMeeting(w, r, status, v, edit)
}

// caseMeetings is what the case page shows of meetings and accountability.
type caseMeetings struct {
	Meetings   []cases.Meeting // meetings linked to the case
	CanAccount bool            // the actor may add an accountability record
	AccKinds   []string
}

// fillMeetings loads the case's meetings and whether the actor may hold
// the supervising unit's accountability.
func (s *server) fillMeetings(ctx context.Context, d *caseData) {
	d.AccKinds = cases.AccountabilityKinds
	if list, _, err := s.Cases.Meetings(ctx, cases.MeetingFilter{CaseID: d.Case.ID, Limit: 50}); err == nil {
		d.Meetings = list
	}
	if sup := d.Case.Supervision; sup != nil {
		for _, a := range sup.Accountability {
			if _, done := d.Names[a.UnitCode]; !done && a.UnitCode != "" {
				for k, n := range s.unitNames(ctx, []string{a.UnitCode}) {
					d.Names[k] = n
				}
			}
		}
		if p, err := s.Org.UnitPath(ctx, sup.SupervisorUnitCode); err == nil {
			d.CanAccount = rbac.Can(actor.From(ctx), cases.PermCaseSupervise, p)
		}
	}
}

// accountabilityAction handles POST /cases/{id}/accountability (问责).
func (s *server) accountabilityAction(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	in := cases.AccountabilityInput{UnitCode: strings.TrimSpace(r.PostFormValue("unit_code")),
		PersonName: strings.TrimSpace(r.PostFormValue("person_name")), Kind: r.PostFormValue("kind"),
		Note: strings.TrimSpace(r.PostFormValue("note"))}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	var staff int64
	if staff, err = formID(r, "staff_id"); err == nil && staff != 0 {
		in.StaffID = &staff
	}
	if err == nil {
		_, err = s.Cases.AddAccountability(r.Context(), id, in)
	}
	if err != nil {
		s.actionFailed(w, r, cases.ActAccountability, err)
		return nil
	}
	seeOther(w, r, caseURL(id), "flash.case_accountability")
	return nil
}
