package web

import (
	"net/http"

	"gridgov/internal/apperr"
)

// passwordForm handles GET /me/password.
func (s *server) passwordForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "password", s.newView(r, "password.title", "", nil))
	return nil
}

// changePassword handles POST /me/password: the old password, and the new
// one twice.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) error {
	oldPW, newPW := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	var err error
	switch {
	case oldPW == "":
		err = apperr.Field("old_password", apperr.Required)
	case newPW != r.PostFormValue("new_password2"):
		err = apperr.Field("new_password2", apperr.PasswordMismatch)
	default:
		err = s.Auth.ChangeOwnPassword(r.Context(), oldPW, newPW)
	}
	if err != nil {
		v := s.newView(r, "password.title", "", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		s.render(w, r, status, "password", v)
		return nil
	}
	// Changing the password ends every session of the user, this one too.
	s.clearSession(w)
	seeOther(w, r, "/login", "flash.password_changed")
	return nil
}
