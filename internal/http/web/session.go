package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/http/httpx"
	"gridgov/internal/rbac"
)

// Cookie names.
const (
	sessionCookie = "gridgov_session"
	// loginCSRFCookie carries the token of the login form, which is posted
	// before any session exists (login CSRF would sign a victim in as us).
	loginCSRFCookie = "gridgov_login_csrf"
)

// webSession is the logged-in state of a request.
type webSession struct {
	token   string
	actor   *actor.Actor
	session auth.Session
}

type sessionKey struct{}

func sessionFrom(r *http.Request) *webSession {
	s, _ := r.Context().Value(sessionKey{}).(*webSession)
	return s
}

// withMeta records the client address and a request id for the audit log
// through httpx.Meta, unless the server's middleware already did.
func (s *server) withMeta(h http.Handler) http.Handler {
	withMeta := httpx.Meta(httpx.Options{}, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if actor.MetaFrom(r.Context()) == (actor.Meta{}) {
			withMeta.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// pageFunc is a console handler. Like an API handler it returns the error
// it meets and page shows it (fail: the 404, 403 or login page, or a
// logged internal error); a form that can show its problems beside its
// inputs renders itself again (formError) and returns nil.
type pageFunc func(w http.ResponseWriter, r *http.Request) error

// page wraps a handler that needs a logged-in user: it authenticates the
// session cookie, puts the actor in the context and, for anything but
// GET and HEAD, checks the origin and the CSRF token.
func (s *server) page(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			s.toLogin(w, r, "")
			return
		}
		a, sess, err := s.Auth.Authenticate(r.Context(), c.Value, auth.KindWeb)
		if err != nil {
			if e := apperr.As(err); e.Code == apperr.Unauthenticated {
				s.clearSession(w)
				flash := ""
				if e.Reason == auth.ReasonSessionExpired {
					flash = "flash.session_expired"
				}
				s.toLogin(w, r, flash)
				return
			}
			s.fail(w, r, err)
			return
		}
		a.SessionKind = auth.KindWeb
		httpx.NoteUser(r.Context(), a.Username)
		ws := &webSession{token: c.Value, actor: a, session: sess}
		ctx := context.WithValue(actor.With(r.Context(), a), sessionKey{}, ws)
		r = r.WithContext(ctx)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostFormValue("csrf")
			}
			if !sameOrigin(r) || !tokenEqual(token, sess.CSRFToken) {
				s.errorPage(w, r, http.StatusForbidden, "error.csrf")
				return
			}
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// sameOrigin checks the Origin header, when the browser sends one, against
// the host the request was made to.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// tokenEqual compares tokens in constant time; an empty token never matches.
func tokenEqual(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// toLogin sends a request without a valid session to the login page,
// remembering where it was going and, with flash, saying why (htmx gets a
// full-page redirect).
func (s *server) toLogin(w http.ResponseWriter, r *http.Request, flash string) {
	next := "/"
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	q := url.Values{}
	if next != "/" {
		q.Set("next", next)
	}
	if flash != "" {
		q.Set("flash", flash)
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookies})
}

func (s *server) clearSession(w http.ResponseWriter) { s.setCookie(w, sessionCookie, "", -1) }

// loginForm shows the login page; a logged-in user goes straight on.
func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if _, _, err := s.Auth.Authenticate(r.Context(), c.Value, auth.KindWeb); err == nil {
			http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	s.renderLogin(w, r, http.StatusOK, url.Values{"next": {r.URL.Query().Get("next")}}, "")
}

// renderLogin shows the login form with the login CSRF token. An existing
// token is kept, so that a second tab or a stray request for the login page
// does not invalidate a form already on screen.
func (s *server) renderLogin(w http.ResponseWriter, r *http.Request, status int, form url.Values, flash string) {
	token := ""
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == 64 {
		token = c.Value
	} else {
		token = randomToken(32)
	}
	s.setCookie(w, loginCSRFCookie, token, 3600)
	v := s.newView(r, "login.title", "", nil)
	v.CSRF, v.Form = token, form
	if flash != "" {
		v.Flash, v.FlashKind = flash, "error"
	}
	s.render(w, r, status, "login", v)
}

// login checks the credentials and opens a browser session.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	t := s.cat.T(langOf(r))
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !sameOrigin(r) || !tokenEqual(r.PostFormValue("csrf"), c.Value) {
		s.errorPage(w, r, http.StatusForbidden, "error.csrf")
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	form := url.Values{"username": {username}, "next": {r.PostFormValue("next")}}
	if username == "" || r.PostFormValue("password") == "" {
		s.renderLogin(w, r, http.StatusUnprocessableEntity, form, t("login.missing"))
		return
	}
	sess, err := s.Auth.Login(r.Context(), username, r.PostFormValue("password"), auth.KindWeb)
	if err != nil {
		status, msg := s.loginError(r, err)
		s.renderLogin(w, r, status, form, msg)
		return
	}
	s.setCookie(w, loginCSRFCookie, "", -1)
	s.setCookie(w, sessionCookie, sess.Token, 0)
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// loginError turns a failed login into a status and a message the user can
// act on; a lock says until when.
func (s *server) loginError(r *http.Request, err error) (int, string) {
	t := s.cat.T(langOf(r))
	e := apperr.As(err)
	switch e.Code {
	case apperr.Unauthenticated:
		return http.StatusUnauthorized, t("login.bad_credentials")
	case apperr.Locked:
		if until, ok := lockedUntil(e); ok {
			return http.StatusLocked, t("login.locked_until", until.In(s.loc).Format("2006-01-02 15:04"))
		}
		return http.StatusLocked, t("login.locked")
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests, t("login.too_many")
	case apperr.Invalid, apperr.BadRequest:
		return http.StatusUnprocessableEntity, t("login.missing")
	}
	s.Log.Error("login", "err", err, "request_id", actor.MetaFrom(r.Context()).RequestID)
	return http.StatusInternalServerError, t("error.internal")
}

// lockedUntil finds the end of an account lock in a locked error: the
// auth service names it in the field locked_until (RFC 3339).
func lockedUntil(e *apperr.Error) (time.Time, bool) {
	if ts, err := time.Parse(time.RFC3339, e.Fields["locked_until"]); err == nil {
		return ts, true
	}
	return time.Time{}, false
}

// logout ends the session on the server and in the browser.
func (s *server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.Logout(r.Context(), sessionFrom(r).token); err != nil && !apperr.Is(err, apperr.Unauthenticated) {
		return err
	}
	s.clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// home opens the unit of the actor's first grant that may read the
// organisation (or their home unit); an actor who may not read it at all
// starts at the first section they can open.
func (s *server) home(w http.ResponseWriter, r *http.Request) error {
	a := sessionFrom(r).actor
	for _, g := range a.Grants {
		if g.Perms[rbac.OrgRead] && g.ScopeCode != "" {
			http.Redirect(w, r, "/org/"+url.PathEscape(g.ScopeCode), http.StatusSeeOther)
			return nil
		}
	}
	target := "/me/password"
	switch {
	case rbac.HasAnywhere(a, rbac.OrgRead):
		target = "/org/" + url.PathEscape(a.UnitCode)
	case rbac.HasAnywhere(a, rbac.UserRead):
		target = "/users"
	case rbac.HasAnywhere(a, rbac.AuditRead):
		target = "/audit"
	case rbac.HasAnywhere(a, rbac.RoleWrite):
		target = "/roles"
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
