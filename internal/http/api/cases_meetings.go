package api

import (
	"gridgov/internal/apperr"
	"net/http"
	"strconv"

	"gridgov/internal/cases"
	"gridgov/internal/http/httpx"
)

// meetingRoutes are the joint meetings and joint enforcement records
// (联席会议 / 联合执法) and the accountability records of supervisions.
func (a *api) meetingRoutes() []route {
	return []route{
		{Method: "POST", Path: "/meetings", Handler: a.createMeetingHandler},
		{Method: "GET", Path: "/meetings", Handler: a.listMeetingsHandler},
		{Method: "GET", Path: "/meetings/{id}", Handler: a.meetingHandler},
		{Method: "PATCH", Path: "/meetings/{id}", Handler: a.updateMeetingHandler},
		{Method: "POST", Path: "/meetings/{id}/decisions", Handler: a.addDecisionHandler},
		{Method: "DELETE", Path: "/meetings/{id}/decisions/{decision_id}", Handler: a.removeDecisionHandler},
		{Method: "POST", Path: "/meetings/{id}/conclude", Handler: a.concludeMeetingHandler},
		{Method: "POST", Path: "/meetings/{id}/cancel", Handler: a.cancelMeetingHandler},
		{Method: "POST", Path: "/cases/{id}/supervision/accountability", Handler: a.addAccountabilityHandler},
	}
}

func (a *api) createMeetingHandler(w http.ResponseWriter, r *http.Request) error {
	var in cases.MeetingInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Cases.CreateMeeting(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, m)
}

func (a *api) listMeetingsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := cases.MeetingFilter{Status: q.str("status")}
	if s := q.str("case_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			q.problems.Add("case_id", apperr.PositiveInt)
		}
		f.CaseID = id
	}
	f.Limit, f.Offset = q.page()
	if err := q.err(); err != nil {
		return err
	}
	ms, total, err := a.Cases.Meetings(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(ms, total))
}

func (a *api) meetingHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.Cases.MeetingByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *api) updateMeetingHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cases.MeetingUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Cases.UpdateMeeting(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *api) removeDecisionHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	decision, err := pathID(r, "decision_id")
	if err != nil {
		return err
	}
	if _, err := a.Cases.RemoveDecision(r.Context(), id, decision); err != nil {
		return err
	}
	return noContent(w)
}

// meetingCancel is the body of POST /meetings/{id}/cancel.
type meetingCancel struct {
	Reason string `json:"reason"`
}

func (a *api) cancelMeetingHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in meetingCancel
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Cases.CancelMeeting(r.Context(), id, in.Reason)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *api) addDecisionHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cases.DecisionInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.Cases.AddDecision(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, m)
}

func (a *api) concludeMeetingHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cases.ConcludeInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	m, err := a.Cases.ConcludeMeeting(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, m)
}

func (a *api) addAccountabilityHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cases.AccountabilityInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := a.Cases.AddAccountability(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, rec)
}
