package api

import (
	"net/http"

	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
)

func (a *api) roleRoutes() []route {
	return []route{
		{Method: "GET", Path: "/roles", Handler: a.listRolesHandler},
		{Method: "POST", Path: "/roles", Handler: a.createRoleHandler},
		{Method: "GET", Path: "/roles/{name}", Handler: a.roleHandler},
		{Method: "PUT", Path: "/roles/{name}", Handler: a.updateRoleHandler},
		{Method: "DELETE", Path: "/roles/{name}", Handler: a.deleteRoleHandler},
	}
}

func (a *api) listRolesHandler(w http.ResponseWriter, r *http.Request) error {
	roles, err := a.Auth.Roles(r.Context())
	if err != nil {
		return err
	}
	return ok(w, newList(roles, len(roles)))
}

func (a *api) roleHandler(w http.ResponseWriter, r *http.Request) error {
	role, err := a.Auth.Role(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	return ok(w, role)
}

func (a *api) createRoleHandler(w http.ResponseWriter, r *http.Request) error {
	var in auth.RoleInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	role, err := a.Auth.CreateRole(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, role)
}

// updateRoleHandler replaces a role's definition. The name comes from the
// path; a body naming another role is refused rather than silently renamed.
func (a *api) updateRoleHandler(w http.ResponseWriter, r *http.Request) error {
	var in auth.RoleInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	name := r.PathValue("name")
	if in.Name != "" && in.Name != name {
		return apperr.Field("name", apperr.RolePath)
	}
	in.Name = name
	role, err := a.Auth.UpdateRole(r.Context(), name, in)
	if err != nil {
		return err
	}
	return ok(w, role)
}

func (a *api) deleteRoleHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.Auth.DeleteRole(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	return noContent(w)
}
