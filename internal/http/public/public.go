// Package public is the citizen portal at /public/: a mobile web page
// (also inside WeChat's browser) to report a problem with a photo and a
// location, anonymously or with a phone number, see problems already
// reported nearby first, get a tracking code, follow the case and its
// public feedback, and rate the result. Pages are server-rendered; the
// only script is the portal's own (geolocation and the map pick), under
// the site's strict CSP. Abuse protection: a CAPTCHA drawn in Go (no
// third party), the intake's rate limits per client and per phone, and
// size limits on every request.
package public

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/app"
	"gridgov/internal/apperr"
	"gridgov/internal/i18n"
)

// Prefix is the path the portal is mounted at.
const Prefix = "/public/"

// NoticeVersion is the version of the processing notice (PRIV-8) the
// report form shows; each report stores the version its reporter
// accepted. Change it with the notice text in internal/i18n/locales/*/portal.json.
const NoticeVersion = "2026-03"

//go:embed templates/*.html static/*
var files embed.FS

// Options are the portal's map settings.
type Options struct {
	// MapCenter is where the map opens (lat, lng) with MapZoom; zero: the
	// whole country.
	MapCenter [2]float64
	MapZoom   int
}

// Languages of the portal; the first is the default.
var languages = i18n.Languages()

type handler struct {
	*app.App
	opts Options
	tmpl map[string]*template.Template // language → all pages
	cat  i18n.Messages
}

// New returns the portal's handler for everything under Prefix. It panics
// when its embedded templates or catalogues are broken (a build error).
func New(services *app.App, opts Options) http.Handler {
	h := &handler{App: services, opts: opts}
	if err := h.load(); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/public/report", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /public/report", h.reportForm)
	mux.HandleFunc("POST /public/report", h.report)
	mux.HandleFunc("GET /public/captcha", h.captchaImage)
	mux.HandleFunc("GET /public/track", h.trackForm)
	mux.HandleFunc("GET /public/t/{code}", h.track)
	mux.HandleFunc("POST /public/t/{code}/rate", h.rate)
	mux.HandleFunc("GET /public/t/{code}/photo/{id}", h.photo)
	mux.HandleFunc("GET /public/r/{number}", h.publicReport)
	mux.HandleFunc("GET /public/r/{number}/photo/{id}", h.photo)
	st, _ := fs.Sub(files, "static")
	mux.Handle("GET /public/static/", http.StripPrefix("/public/static/", http.FileServerFS(st)))
	mux.HandleFunc("/public/", func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusNotFound, "error", &view{Message: "error.not_found"})
	})
	return mux
}

// load parses the catalogues and the templates of every language.
func (h *handler) load() error {
	cat, err := i18n.Load("portal")
	if err != nil {
		return err
	}
	h.cat, h.tmpl = cat, map[string]*template.Template{}
	for _, l := range languages {
		loc := time.FixedZone("CST", 8*3600)
		t, err := template.New("").Funcs(template.FuncMap{
			"T": cat.T(l),
			"deref": func(p *int) int {
				if p == nil {
					return 0
				}
				return *p
			},
			"seq": func(n int) []int {
				out := make([]int, n)
				for i := range out {
					out[i] = i + 1
				}
				return out
			},
			"when": func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
			"whenp": func(t *time.Time) string {
				if t == nil {
					return ""
				}
				return t.In(loc).Format("2006-01-02 15:04")
			},
		}).ParseFS(files, "templates/*.html")
		if err != nil {
			return err
		}
		h.tmpl[l] = t
	}
	return nil
}

// view is what every page gets.
type view struct {
	Lang, Path, OtherLang, OtherLangName string
	Title                                string
	// Message is an i18n key shown as the page's notice; Error a message
	// from the service (in English, shown under a translated heading).
	Message string
	Error   string
	Data    any
}

// langOf picks the language: a lang parameter (remembered in a cookie, as
// the console does), else the lang cookie, else Chinese.
func (h *handler) langOf(w http.ResponseWriter, r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		for _, l := range languages {
			if q == l {
				http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
					HttpOnly: true, Secure: h.Config.SecureCookies, SameSite: http.SameSiteLaxMode})
				return l
			}
		}
	}
	if c, err := r.Cookie("lang"); err == nil {
		for _, l := range languages {
			if c.Value == l {
				return l
			}
		}
	}
	return languages[0]
}

// newView starts a page's view in the request's language.
func (h *handler) newView(w http.ResponseWriter, r *http.Request, title string) *view {
	v := &view{Lang: h.langOf(w, r), Path: r.URL.Path, Title: title}
	v.OtherLang, v.OtherLangName = "en", "English"
	if v.Lang == "en" {
		v.OtherLang, v.OtherLangName = "zh-CN", "中文"
	}
	return v
}

// render writes a page; pages are never cached (they carry tokens).
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	if v.Lang == "" {
		*v = *h.newView(w, r, v.Title)
	}
	var buf bytes.Buffer
	if err := h.tmpl[v.Lang].ExecuteTemplate(&buf, page, v); err != nil {
		h.Log.Error("portal render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer") // tracking codes are in the paths
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// clientKey is the rate-limit key of the request: its client address.
func clientKey(r *http.Request) string {
	ip := actor.MetaFrom(r.Context()).IP
	if ip == "" {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			ip = host
		}
	}
	return "ip:" + ip
}

// failPage shows an error that is not about a form field.
func (h *handler) failPage(w http.ResponseWriter, r *http.Request, err error) {
	v := h.newView(w, r, "error.title")
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		v.Message = "error.not_found"
		h.render(w, r, http.StatusNotFound, "error", v)
	case apperr.TooManyRequests:
		v.Message = "error.too_many"
		h.render(w, r, http.StatusTooManyRequests, "error", v)
	case apperr.Internal:
		h.Log.Error("portal", "path", r.URL.Path, "err", err)
		v.Message = "error.internal"
		h.render(w, r, http.StatusInternalServerError, "error", v)
	default:
		v.Message, v.Error = "error.bad_request", apperr.As(err).Message
		h.render(w, r, http.StatusBadRequest, "error", v)
	}
}
