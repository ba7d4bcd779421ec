package api

import (
	"net/http"

	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
)

func (a *api) userRoutes() []route {
	return []route{
		{Method: "GET", Path: "/users", Handler: a.listUsersHandler},
		{Method: "POST", Path: "/users", Handler: a.createUserHandler},
		{Method: "GET", Path: "/users/{id}", Handler: a.userHandler},
		{Method: "PATCH", Path: "/users/{id}", Handler: a.updateUserHandler},
		{Method: "POST", Path: "/users/{id}/password", Handler: a.setPasswordHandler},
		{Method: "POST", Path: "/users/{id}/grants", Handler: a.addGrantHandler},
		{Method: "DELETE", Path: "/users/{id}/grants/{grant}", Handler: a.removeGrantHandler},
	}
}

func userFilter(r *http.Request) (auth.UserFilter, error) {
	q := newQuery(r)
	f := auth.UserFilter{UnitCode: q.str("unit"), Q: q.str("q")}
	f.Limit, f.Offset = q.page()
	return f, q.err()
}

func (a *api) listUsersHandler(w http.ResponseWriter, r *http.Request) error {
	f, err := userFilter(r)
	if err != nil {
		return err
	}
	return a.writeUsers(w, r, f)
}

func (a *api) userHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.Auth.User(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, u)
}

func (a *api) createUserHandler(w http.ResponseWriter, r *http.Request) error {
	var in auth.UserInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := a.Auth.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	return created(w, u)
}

func (a *api) updateUserHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in auth.UserUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := a.Auth.UpdateUser(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, u)
}

type setPasswordRequest struct {
	Password string `json:"password"`
}

// setPasswordHandler sets another user's password (an administrator's
// reset); the service ends that user's sessions.
func (a *api) setPasswordHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in setPasswordRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return apperr.Field("password", apperr.Required)
	}
	if err := a.Auth.SetPassword(r.Context(), id, in.Password); err != nil {
		return err
	}
	return noContent(w)
}

func (a *api) addGrantHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in auth.GrantInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	g, err := a.Auth.AddGrant(r.Context(), id, in)
	if err != nil {
		return err
	}
	return created(w, g)
}

func (a *api) removeGrantHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	grant, err := pathID(r, "grant")
	if err != nil {
		return err
	}
	if err := a.Auth.RemoveGrant(r.Context(), id, grant); err != nil {
		return err
	}
	return noContent(w)
}
