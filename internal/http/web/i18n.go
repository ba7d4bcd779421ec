package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"gridgov/internal/i18n"
)

// Languages of the console; the first is the default.
const (
	langZH = i18n.ZH
	langEN = i18n.EN
)

var languages = i18n.Languages()

// catalogues maps a language to the console's messages (key → text).
type catalogues = i18n.Messages

// loadCatalogues reads the console's catalogue through the one loader
// (internal/i18n), which checks that both languages hold the same keys
// with the same placeholders, so a missing translation fails at start.
func loadCatalogues() (catalogues, error) { return i18n.Load("console") }

// langOf returns the language of the request: the lang cookie when it names
// a known language, otherwise Chinese.
func langOf(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil {
		for _, l := range languages {
			if c.Value == l {
				return l
			}
		}
	}
	return langZH
}

// setLang handles GET /lang?l=en&next=/path: it stores the language in a
// cookie and goes back to next, which must be a path on this site.
func (s *server) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("l")
	valid := false
	for _, known := range languages {
		valid = valid || l == known
	}
	if !valid {
		l = langZH
	}
	http.SetCookie(w, &http.Cookie{
		Name: "lang", Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Config.SecureCookies,
	})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// localPath returns p when it is a path on this site, otherwise "/": an
// open redirect through next= would let a phishing link borrow our name.
func localPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}
