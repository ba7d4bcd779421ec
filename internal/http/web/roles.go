package web

import (
	"net/http"
	"net/url"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/auth"
	"gridgov/internal/rbac"
)

// rolesData is the list of roles.
type rolesData struct {
	Roles    []auth.Role
	CanWrite bool
}

// rolesPage handles GET /roles.
func (s *server) rolesPage(w http.ResponseWriter, r *http.Request) error {
	roles, err := s.Auth.Roles(r.Context())
	if err != nil {
		return err
	}
	d := &rolesData{Roles: roles, CanWrite: rbac.HasAnywhere(actor.From(r.Context()), rbac.RoleWrite)}
	s.render(w, r, http.StatusOK, "roles", s.newView(r, "roles.title", "roles", d))
	return nil
}

// roleData is the form of one role; New is true for a role being created.
type roleData struct {
	Role     auth.Role
	New      bool
	ReadOnly bool
	Perms    []string
}

// newRoleForm handles GET /roles/new.
func (s *server) newRoleForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), rbac.RoleWrite); err != nil {
		return err
	}
	v := s.newView(r, "roles.new", "roles", &roleData{New: true, Perms: rbac.All})
	v.Form = url.Values{}
	s.render(w, r, http.StatusOK, "role", v)
	return nil
}

// rolePage handles GET /roles/{name}: the form, read-only for built-in
// roles and for actors without role.write.
func (s *server) rolePage(w http.ResponseWriter, r *http.Request) error {
	role, err := s.Auth.Role(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	d := &roleData{Role: role, Perms: rbac.All,
		ReadOnly: role.Builtin || !rbac.HasAnywhere(actor.From(r.Context()), rbac.RoleWrite)}
	v := s.newView(r, "roles.role", "roles", d)
	v.Form = url.Values{"name": {role.Name}, "title": {role.Title}, "perm": role.Permissions}
	s.render(w, r, http.StatusOK, "role", v)
	return nil
}

func roleInput(r *http.Request) auth.RoleInput {
	_ = r.ParseForm()
	return auth.RoleInput{Name: strings.TrimSpace(r.PostFormValue("name")),
		Title: strings.TrimSpace(r.PostFormValue("title")), Permissions: r.PostForm["perm"]}
}

// createRole handles POST /roles.
func (s *server) createRole(w http.ResponseWriter, r *http.Request) error {
	role, err := s.Auth.CreateRole(r.Context(), roleInput(r))
	if err != nil {
		s.roleFormError(w, r, &roleData{New: true, Perms: rbac.All}, err)
		return nil
	}
	seeOther(w, r, "/roles/"+url.PathEscape(role.Name), "flash.role_saved")
	return nil
}

// updateRole handles POST /roles/{name}.
func (s *server) updateRole(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	in := roleInput(r)
	in.Name = name
	role, err := s.Auth.UpdateRole(r.Context(), name, in)
	if err != nil {
		s.roleFormError(w, r, &roleData{Role: auth.Role{Name: name}, Perms: rbac.All}, err)
		return nil
	}
	seeOther(w, r, "/roles/"+url.PathEscape(role.Name), "flash.role_saved")
	return nil
}

// deleteRole handles POST /roles/{name}/delete.
func (s *server) deleteRole(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := s.Auth.DeleteRole(r.Context(), name); err != nil {
		s.roleFormError(w, r, &roleData{Role: auth.Role{Name: name}, Perms: rbac.All}, err)
		return nil
	}
	seeOther(w, r, "/roles", "flash.role_deleted")
	return nil
}

func (s *server) roleFormError(w http.ResponseWriter, r *http.Request, d *roleData, err error) {
	title := "roles.role"
	if d.New {
		title = "roles.new"
	}
	v := s.newView(r, title, "roles", d)
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	v.Form = formWithout(r.PostForm, "csrf")
	if !d.New {
		v.Form.Set("name", d.Role.Name)
	}
	s.render(w, r, status, "role", v)
}
