package web

import (
	"net/http"
	"strconv"

	"gridgov/internal/citizen"
)

func init() { pages = append(pages, "apikeys") }

// apikeyRoutes mounts the Open311 API key page (apikey.manage): the keys
// issued, a form to issue one (the key is shown once, on the answer to
// the form) and revocation.
func (s *server) apikeyRoutes(mux *http.ServeMux) {
	mux.Handle("GET /apikeys", s.page(s.apikeysPage))
	mux.Handle("POST /apikeys", s.page(s.createAPIKey))
	mux.Handle("POST /apikeys/{id}/revoke", s.page(s.revokeAPIKey))
}

// apikeysData is the API key page.
type apikeysData struct {
	Keys []citizen.APIKey
	// New is the key just issued, with its secret shown this once.
	New    *citizen.APIKey
	Secret string
}

// apikeysPage handles GET /apikeys.
func (s *server) apikeysPage(w http.ResponseWriter, r *http.Request) error {
	s.showAPIKeys(w, r, http.StatusOK, s.newView(r, "apikeys.title", "apikeys", nil), &apikeysData{})
	return nil
}

func (s *server) showAPIKeys(w http.ResponseWriter, r *http.Request, status int, v *view, d *apikeysData) {
	keys, err := s.Citizen.Keys(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Keys = keys
	v.Data = d
	s.render(w, r, status, "apikeys", v)
}

// createAPIKey handles POST /apikeys: the answer shows the new key once
// (no redirect, so that it never lands in a URL or the history).
func (s *server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "apikeys.title", "apikeys", nil)
	k, secret, err := s.Citizen.CreateKey(r.Context(), r.PostFormValue("name"))
	if err != nil {
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = r.PostForm
		s.showAPIKeys(w, r, status, v, &apikeysData{})
		return nil
	}
	v.Flash, v.FlashKind = s.cat.T(v.Lang)("flash.apikey_created"), "ok"
	s.showAPIKeys(w, r, http.StatusOK, v, &apikeysData{New: &k, Secret: secret})
	return nil
}

// revokeAPIKey handles POST /apikeys/{id}/revoke.
func (s *server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	if err := s.Citizen.RevokeKey(r.Context(), id); err != nil {
		return err
	}
	seeOther(w, r, "/apikeys", "flash.apikey_revoked")
	return nil
}
