package web

import (
	"net/http"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/rbac"
)

func init() { pages = append(pages, "cases_moderation") }

// moderationRoutes mounts the citizen-report page of a case: moderation of
// its public side (case.moderate: hide or redact the description, hide
// the photos) and the reporter's contact (case.contact: unsealed once per
// request, with a reason, audited).
func (s *server) moderationRoutes(mux *http.ServeMux) {
	mux.Handle("GET /cases/{id}/moderation", s.page(s.moderationPage))
	mux.Handle("POST /cases/{id}/moderation", s.page(s.moderateCase))
	mux.Handle("POST /cases/{id}/contact", s.page(s.showContact))
}

// moderationData is the citizen-report page of a case.
type moderationData struct {
	Case   cases.Case
	Public citizen.Request
	Mod    citizen.Moderation
	Photos []blob.Attachment
	// Notice is the processing-notice version the reporter accepted.
	Notice      string
	CanModerate bool
	CanContact  bool
	// Contact is set on the answer to a "show contact" request only.
	Contact *citizen.Contact
}

// caseIDParam reads {id}; false for a malformed one.
func caseIDParam(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// moderationPage handles GET /cases/{id}/moderation.
func (s *server) moderationPage(w http.ResponseWriter, r *http.Request) error {
	s.showModeration(w, r, http.StatusOK, s.newView(r, "moderation.title", "cases", nil), nil)
	return nil
}

// showModeration renders the page into v. The case must be readable
// (else 404) and a citizen report (else 404); the actor needs
// case.moderate or case.contact somewhere (else 403); the services check
// the scope of each action.
func (s *server) showModeration(w http.ResponseWriter, r *http.Request, status int, v *view, contact *citizen.Contact) {
	ctx := r.Context()
	id, ok := caseIDParam(r)
	if !ok || s.Citizen == nil {
		s.notFound(w, r)
		return
	}
	a := actor.From(ctx)
	d := &moderationData{CanModerate: rbac.HasAnywhere(a, rbac.CaseModerate),
		CanContact: rbac.HasAnywhere(a, rbac.CaseContact), Contact: contact}
	if !d.CanModerate && !d.CanContact {
		s.fail(w, r, apperr.New(apperr.Forbidden, "case.moderate or case.contact required"))
		return
	}
	c, err := s.Cases.CaseByID(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q, err := s.Citizen.ByCaseID(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Case, d.Public = c, q
	if d.Mod, err = s.Citizen.ModerationOf(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Form == nil {
		v.Form = map[string][]string{"redacted_text": {d.Mod.Redacted}}
	}
	d.Notice, _ = s.Citizen.NoticeVersion(ctx, id)
	if ids, err := s.Citizen.AllPhotos(ctx, id); err == nil && s.Blobs != nil {
		for _, pid := range ids {
			if att, err := s.Blobs.Attachment(ctx, pid); err == nil {
				d.Photos = append(d.Photos, att)
			}
		}
	}
	v.Data, v.TitleText = d, c.Number
	s.render(w, r, status, "cases_moderation", v)
}

// moderateCase handles POST /cases/{id}/moderation: the form replaces the
// whole moderation state (citizen.Moderate, audited with the note).
func (s *server) moderateCase(w http.ResponseWriter, r *http.Request) error {
	id, ok := caseIDParam(r)
	if !ok || s.Citizen == nil {
		return errNotFound()
	}
	m := citizen.Moderation{HideText: r.PostFormValue("hide_text") != "",
		Redacted: r.PostFormValue("redacted_text"), HideMedia: r.PostFormValue("hide_media") != "",
		Note: r.PostFormValue("note")}
	if _, err := s.Citizen.Moderate(r.Context(), id, m); err != nil {
		v := s.newView(r, "moderation.title", "cases", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = r.PostForm
		s.showModeration(w, r, status, v, nil)
		return nil
	}
	seeOther(w, r, "/cases/"+strconv.FormatInt(id, 10)+"/moderation", "flash.moderated")
	return nil
}

// showContact handles POST /cases/{id}/contact: with a reason, the page
// shows the reporter's contact in this response only (pages are
// no-store); the service audits it.
func (s *server) showContact(w http.ResponseWriter, r *http.Request) error {
	id, ok := caseIDParam(r)
	if !ok || s.Citizen == nil {
		return errNotFound()
	}
	v := s.newView(r, "moderation.title", "cases", nil)
	c, err := s.Citizen.Contact(r.Context(), id, r.PostFormValue("reason"))
	if err != nil {
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = r.PostForm
		s.showModeration(w, r, status, v, nil)
		return nil
	}
	v.Flash, v.FlashKind = s.cat.T(v.Lang)("flash.contact_shown"), "ok"
	s.showModeration(w, r, http.StatusOK, v, &c)
	return nil
}
