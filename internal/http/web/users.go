package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/rbac"
)

const usersPageSize = 30

// usersData is the list of users.
type usersData struct {
	Users    []auth.User
	Q        string
	Pager    pager
	CanWrite bool
}

// usersPage handles GET /users: users in scope, searchable by name.
func (s *server) usersPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, rbac.UserRead); err != nil {
		return err
	}
	d := &usersData{Q: strings.TrimSpace(r.URL.Query().Get("q")), CanWrite: rbac.HasAnywhere(actor.From(ctx), rbac.UserWrite)}
	p := pageParam(r)
	users, total, err := s.Auth.Users(ctx, auth.UserFilter{Q: d.Q, Limit: usersPageSize, Offset: (p - 1) * usersPageSize})
	if err != nil {
		return err
	}
	d.Users, d.Pager = users, newPager(r, p, usersPageSize, total)
	s.render(w, r, http.StatusOK, "users", s.newView(r, "users.title", "users", d))
	return nil
}

// userFormData is the new-user form.
type userFormData struct{ Roles []auth.Role }

// newUserForm handles GET /users/new.
func (s *server) newUserForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := rbac.RequireAny(ctx, rbac.UserWrite); err != nil {
		return err
	}
	v := s.newView(r, "users.new", "users", nil)
	a := actor.From(ctx)
	v.Form = url.Values{"unit_code": {r.URL.Query().Get("unit")}}
	if v.Form.Get("unit_code") == "" {
		v.Form.Set("unit_code", a.UnitCode)
	}
	s.showUserForm(w, r, http.StatusOK, v)
	return nil
}

func (s *server) showUserForm(w http.ResponseWriter, r *http.Request, status int, v *view) {
	roles, err := s.Auth.Roles(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Data = &userFormData{Roles: roles}
	s.render(w, r, status, "user_new", v)
}

// createUser handles POST /users.
func (s *server) createUser(w http.ResponseWriter, r *http.Request) error {
	in := auth.UserInput{
		Username: strings.TrimSpace(r.PostFormValue("username")), DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		UnitCode: strings.TrimSpace(r.PostFormValue("unit_code")), Password: r.PostFormValue("password"),
	}
	if role := r.PostFormValue("role"); role != "" {
		scope := strings.TrimSpace(r.PostFormValue("scope_code"))
		if scope == "" {
			scope = in.UnitCode
		}
		in.Grants = []auth.GrantInput{{Role: role, ScopeCode: scope}}
	}
	var err error
	var u auth.User
	if in.Password != r.PostFormValue("password2") {
		err = apperr.Field("password2", apperr.PasswordMismatch)
	} else {
		u, err = s.Auth.CreateUser(r.Context(), in)
	}
	if err != nil {
		v := s.newView(r, "users.new", "users", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = formWithout(r.PostForm, "password", "password2", "csrf")
		s.showUserForm(w, r, status, v)
		return nil
	}
	seeOther(w, r, "/users/"+strconv.FormatInt(u.ID, 10), "flash.user_created")
	return nil
}

// userData is one user's page.
type userData struct {
	User     auth.User
	Roles    []auth.Role
	CanWrite bool
	IsSelf   bool
}

// userPage handles GET /users/{id}.
func (s *server) userPage(w http.ResponseWriter, r *http.Request) error {
	s.showUser(w, r, http.StatusOK, nil)
	return nil
}

func (s *server) showUser(w http.ResponseWriter, r *http.Request, status int, v *view) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	u, err := s.Auth.User(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &userData{User: u, IsSelf: actor.From(ctx).UserID == u.ID}
	if path, err := s.Org.UnitPath(ctx, u.UnitCode); err == nil {
		d.CanWrite = rbac.Can(actor.From(ctx), rbac.UserWrite, path)
	}
	if d.CanWrite {
		if d.Roles, err = s.Auth.Roles(ctx); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if v == nil {
		v = s.newView(r, "users.user", "users", nil)
	}
	v.Data = d
	s.render(w, r, status, "user", v)
}

// userAction runs a change to user {id} and goes back to their page, or
// shows the page again with the error.
func (s *server) userAction(w http.ResponseWriter, r *http.Request, flash string, fn func(id int64) error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err := fn(id); err != nil {
		v := s.newView(r, "users.user", "users", nil)
		status, ok := s.formError(v, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		v.Form = formWithout(r.PostForm, "password", "password2", "csrf")
		s.showUser(w, r, status, v)
		return
	}
	seeOther(w, r, "/users/"+strconv.FormatInt(id, 10), flash)
}

// addGrant handles POST /users/{id}/grants.
func (s *server) addGrant(w http.ResponseWriter, r *http.Request) error {
	s.userAction(w, r, "flash.grant_added", func(id int64) error {
		_, err := s.Auth.AddGrant(r.Context(), id, auth.GrantInput{
			Role: r.PostFormValue("role"), ScopeCode: strings.TrimSpace(r.PostFormValue("scope_code"))})
		return err
	})
	return nil
}

// removeGrant handles POST /users/{id}/grants/{gid}/delete.
func (s *server) removeGrant(w http.ResponseWriter, r *http.Request) error {
	s.userAction(w, r, "flash.grant_removed", func(id int64) error {
		gid, err := strconv.ParseInt(r.PathValue("gid"), 10, 64)
		if err != nil {
			return apperr.New(apperr.NotFound, "grant not found")
		}
		return s.Auth.RemoveGrant(r.Context(), id, gid)
	})
	return nil
}

// setUserState handles POST /users/{id}/state with disabled=1 or 0.
func (s *server) setUserState(w http.ResponseWriter, r *http.Request) error {
	disabled := r.PostFormValue("disabled") == "1"
	flash := "flash.user_enabled"
	if disabled {
		flash = "flash.user_disabled"
	}
	s.userAction(w, r, flash, func(id int64) error {
		_, err := s.Auth.UpdateUser(r.Context(), id, auth.UserUpdate{Disabled: &disabled})
		return err
	})
	return nil
}

// resetPassword handles POST /users/{id}/password.
func (s *server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	s.userAction(w, r, "flash.password_reset", func(id int64) error {
		pw := r.PostFormValue("password")
		if pw != r.PostFormValue("password2") {
			return apperr.Field("password2", apperr.PasswordMismatch)
		}
		return s.Auth.SetPassword(r.Context(), id, pw)
	})
	return nil
}

// formWithout copies a submitted form without the named fields, so that
// passwords and tokens are never echoed back into a page.
func formWithout(f url.Values, names ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}
