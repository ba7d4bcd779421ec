package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/auth"
	"gridgov/internal/cases"
	"gridgov/internal/jobs"
	"gridgov/internal/rbac"
)

// pages lists the page templates; each is parsed with the layout and the
// shared partials.
var pages = []string{"login", "org", "grid", "staff", "users", "user_new", "user", "roles", "role",
	"audit", "password", "error", "cases_list", "cases_new", "cases_view", "cases_inbox", "cases_supervision",
	"meetings_list", "meetings_new", "meetings_view"}

type pageTemplate = template.Template

// parseTemplates parses every page once per language, with T bound to that
// language's catalogue, so rendering needs no per-request cloning.
func parseTemplates(fsys fs.FS, cat catalogues, loc *time.Location) (map[string]map[string]*pageTemplate, error) {
	out := map[string]map[string]*pageTemplate{}
	for _, lang := range languages {
		out[lang] = map[string]*pageTemplate{}
		for _, p := range pages {
			t, err := template.New(p).Funcs(funcs(cat.T(lang), loc)).ParseFS(fsys,
				"templates/layout.html", "templates/partials.html", "templates/"+p+".html")
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", p, err)
			}
			out[lang][p] = t
		}
	}
	return out, nil
}

func funcs(t func(string, ...any) string, loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"T": t,
		// time shows a stored UTC time in Asia/Shanghai.
		"time": func(ts time.Time) string {
			if ts.IsZero() {
				return ""
			}
			return ts.In(loc).Format("2006-01-02 15:04:05")
		},
		// ptime shows an optional time like time, or nothing.
		"ptime": func(ts *time.Time) string {
			if ts == nil || ts.IsZero() {
				return ""
			}
			return ts.In(loc).Format("2006-01-02 15:04")
		},
		// coord shows an optional coordinate.
		"coord": func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'f', 6, 64)
		},
		// dict2 passes the view and an action to a shared action form.
		"dict2": func(v *view, act string, req bool) actForm { return actForm{V: v, Act: act, Required: req} },
		"add":   func(a, b int) int { return a + b },
		"join":  strings.Join,
		"list":  func(xs ...string) []string { return xs },
		"lower": strings.ToLower,
		"field": func(errs map[string]string, name string) string { return errs[name] },
		"val": func(v url.Values, name string) string {
			if v == nil {
				return ""
			}
			return v.Get(name)
		},
		"checked": func(v url.Values, name, want string) bool {
			for _, x := range v[name] {
				if x == want {
					return true
				}
			}
			return false
		},
	}
}

// view is what every page template receives.
type view struct {
	Lang      string
	Title     string // catalogue key
	TitleText string // a title that is data, such as a unit's name
	Actor     *actor.Actor
	User      auth.User
	CSRF      string
	Path      string // request URI, for the language switch
	Nav       nav
	Active    string
	Flash     string // message shown at the top
	FlashKind string // "ok" or "error"
	Errors    map[string]string
	Form      url.Values
	Data      any
	Now       time.Time
}

// nav says which sections the actor may open.
type nav struct{ Org, Users, Roles, Audit, Cases, Registry, APIKeys, System bool }

// newView fills the common parts of a page's view from the request.
func (s *server) newView(r *http.Request, title, active string, data any) *view {
	v := &view{Lang: langOf(r), Title: title, Active: active, Data: data, Path: r.URL.RequestURI(),
		Errors: map[string]string{}}
	if sess := sessionFrom(r); sess != nil {
		a := sess.actor
		v.Actor, v.User, v.CSRF = a, sess.session.User, sess.session.CSRFToken
		v.Nav = nav{
			Org:      rbac.HasAnywhere(a, rbac.OrgRead),
			Users:    rbac.HasAnywhere(a, rbac.UserRead),
			Roles:    rbac.HasAnywhere(a, rbac.UserRead) || rbac.HasAnywhere(a, rbac.RoleWrite),
			Audit:    rbac.HasAnywhere(a, rbac.AuditRead),
			Cases:    s.Cases != nil && rbac.HasAnywhere(a, cases.PermCaseRead),
			Registry: s.Registry != nil && rbac.HasAnywhere(a, rbac.RegistryRead),
			APIKeys:  s.Citizen != nil && rbac.HasAnywhere(a, rbac.APIKeyManage),
			System:   s.Jobs != nil && jobs.CanManage(a),
		}
	}
	if key := r.URL.Query().Get("flash"); strings.HasPrefix(key, "flash.") && s.cat.Has(key) {
		v.Flash, v.FlashKind = s.cat.T(v.Lang)(key), "ok"
	}
	return v
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := s.tmpl[v.Lang][page]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.Log.Error("render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderPartial executes one named template of a page without the layout,
// for htmx requests that swap a part of the page.
func (s *server) renderPartial(w http.ResponseWriter, page, name string, v *view) {
	var buf bytes.Buffer
	if err := s.tmpl[v.Lang][page].ExecuteTemplate(&buf, name, v); err != nil {
		s.Log.Error("render", "page", page, "partial", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// fail shows a service error that is not about the form: 404 and 403 get
// their own pages, a lost session goes back to the login, anything else is
// an internal error that is logged and shown without detail.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	switch e.Code {
	case apperr.Unauthenticated:
		s.toLogin(w, r, "")
		return
	case apperr.NotFound:
		s.errorPage(w, r, http.StatusNotFound, "error.not_found")
		return
	case apperr.Forbidden:
		s.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return
	case apperr.TooManyRequests:
		// A limit on looking at people (PRIV-11): the message says when
		// the user may go on.
		v := s.newView(r, "error.too_many", "", map[string]any{"Status": http.StatusTooManyRequests,
			"Message": "error.too_many", "Detail": e.Message})
		s.render(w, r, http.StatusTooManyRequests, "error", v)
		return
	case apperr.Internal:
		s.Log.Error("console", "path", r.URL.Path, "request_id", actor.MetaFrom(r.Context()).RequestID, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "error.internal")
		return
	}
	s.errorPage(w, r, apperr.Status(e.Code), "error.generic")
}

// errorPage renders the error page with a message key.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	v := s.newView(r, key, "", map[string]any{"Status": status, "Message": key})
	s.render(w, r, status, "error", v)
}

// formError puts a service error on the form: the fields it names next to
// their inputs, and a message on top. It returns false when the error is
// not about the input, in which case the caller lets fail handle it.
func (s *server) formError(v *view, err error) (int, bool) {
	e := apperr.As(err)
	t := s.cat.T(v.Lang)
	switch e.Code {
	case apperr.Invalid, apperr.BadRequest, apperr.Conflict, apperr.Locked, apperr.TooManyRequests:
	default:
		return 0, false
	}
	// Every problem at once, each beside its input, in the reader's
	// language from the catalogue.
	for k, p := range e.FieldText(v.Lang) {
		v.Errors[k] = p
	}
	v.FlashKind = "error"
	v.Flash = t("err." + string(e.Code))
	if e.Message != "" && len(e.Fields) == 0 {
		v.Flash += ": " + e.Message
	}
	return apperr.Status(e.Code), true
}

// keyErrors renames the fields of the form's problems, for a page with
// several forms whose inputs are named by form (act.note, note.42).
func (v *view) keyErrors(key func(field string) string) {
	errs := make(map[string]string, len(v.Errors))
	for k, msg := range v.Errors {
		errs[key(k)] = msg
	}
	v.Errors = errs
}

// pager describes one page of a list.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// pageParam reads the 1-based page number p from the query: a console
// link, so a bad one shows the first page. It is capped so that the offset
// computed from it stays far from overflowing (the lists themselves page
// under db.Paging).
func pageParam(r *http.Request) int {
	p, err := strconv.Atoi(r.URL.Query().Get("p"))
	if err != nil || p < 1 {
		return 1
	}
	return min(p, 1<<20)
}

// newPager builds the links to the neighbouring pages, keeping the rest of
// the query.
func newPager(r *http.Request, page, size, total int) pager {
	pg := pager{Page: page, Total: total, Pages: (total + size - 1) / size}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("p", strconv.Itoa(n))
		q.Del("flash")
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		pg.Prev = link(page - 1)
	}
	if page < pg.Pages {
		pg.Next = link(page + 1)
	}
	return pg
}

// seeOther redirects after a successful POST, with a flash message key.
func seeOther(w http.ResponseWriter, r *http.Request, path, flash string) {
	if flash != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "flash=" + url.QueryEscape(flash)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// isHTMX reports whether htmx sent the request (it wants a fragment).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// notFound answers every path the console does not know.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "error.not_found")
}

// errNotFound is what a handler returns for a path that names nothing (or
// nothing it may see): page shows the 404 page.
func errNotFound() error { return apperr.New(apperr.NotFound, "not found") }
