package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
)

func (a *api) authRoutes() []route {
	return []route{
		{Method: "POST", Path: "/auth/login", Public: true, Handler: a.loginHandler},
		{Method: "POST", Path: "/auth/logout", Handler: a.logoutHandler},
		{Method: "GET", Path: "/me", Handler: a.meHandler},
		{Method: "POST", Path: "/me/password", Handler: a.changeOwnPasswordHandler},
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// loginHandler opens an API session. Wrong name and wrong password answer
// alike (401); a locked account answers 423 even for the right password;
// an address with too many failures gets 429 with Retry-After.
func (a *api) loginHandler(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	missing := apperr.FieldErrors{}
	if strings.TrimSpace(in.Username) == "" {
		missing.Add("username", apperr.Required)
	}
	if in.Password == "" {
		missing.Add("password", apperr.Required)
	}
	if len(missing) > 0 {
		return missing.Err()
	}
	sess, err := a.Auth.Login(r.Context(), strings.TrimSpace(in.Username), in.Password, auth.KindAPI)
	if err != nil {
		if apperr.Is(err, apperr.TooManyRequests) {
			w.Header().Set("Retry-After", strconv.Itoa(int(a.loginRetryAfter/time.Second)))
		}
		return err
	}
	httpx.NoteUser(r.Context(), sess.User.Username)
	return ok(w, sess)
}

func (a *api) logoutHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.Auth.Logout(r.Context(), sessionFrom(r.Context()).token); err != nil {
		return err
	}
	return noContent(w)
}

// meGrant is one of the caller's grants with the permissions it carries.
type meGrant struct {
	Role        string   `json:"role"`
	ScopeCode   string   `json:"scope_code"`
	Permissions []string `json:"permissions"`
}

type meResponse struct {
	User      auth.User `json:"user"`
	Kind      string    `json:"kind"`
	ExpiresAt time.Time `json:"expires_at"`
	Grants    []meGrant `json:"grants"`
}

// meHandler returns the caller, their session and what each grant lets them do.
func (a *api) meHandler(w http.ResponseWriter, r *http.Request) error {
	s := sessionFrom(r.Context()).session
	resp := meResponse{User: s.User, Kind: s.Kind, ExpiresAt: s.ExpiresAt, Grants: []meGrant{}}
	if act := actor.From(r.Context()); act != nil {
		for _, g := range act.Grants {
			perms := make([]string, 0, len(g.Perms))
			for p, on := range g.Perms {
				if on {
					perms = append(perms, p)
				}
			}
			sort.Strings(perms)
			resp.Grants = append(resp.Grants, meGrant{Role: g.Role, ScopeCode: g.ScopeCode, Permissions: perms})
		}
	}
	return ok(w, resp)
}

type ownPasswordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (a *api) changeOwnPasswordHandler(w http.ResponseWriter, r *http.Request) error {
	var in ownPasswordRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	missing := apperr.FieldErrors{}
	if in.OldPassword == "" {
		missing.Add("old_password", apperr.Required)
	}
	if in.NewPassword == "" {
		missing.Add("new_password", apperr.Required)
	}
	if len(missing) > 0 {
		return missing.Err()
	}
	if err := a.Auth.ChangeOwnPassword(r.Context(), in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	return noContent(w)
}
