package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Languages of the console; the first is the default.
const (
	langZH = "zh-CN"
	langEN = "en"
)

var languages = []string{langZH, langEN}

// catalogues maps a language to its messages (key → text).
type catalogues map[string]map[string]string

// loadCatalogues reads i18n/<lang>.json for every language and checks that
// each holds the same keys, so a missing translation fails at start (and in
// tests) rather than showing a key to a user.
func loadCatalogues(fsys fs.FS) (catalogues, error) {
	cat := catalogues{}
	for _, l := range languages {
		b, err := fs.ReadFile(fsys, "i18n/"+l+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n %s: %w", l, err)
		}
		cat[l] = m
	}
	for k := range cat[langZH] {
		if _, ok := cat[langEN][k]; !ok {
			return nil, fmt.Errorf("i18n: key %q missing in %s", k, langEN)
		}
	}
	for k := range cat[langEN] {
		if _, ok := cat[langZH][k]; !ok {
			return nil, fmt.Errorf("i18n: key %q missing in %s", k, langZH)
		}
	}
	return cat, nil
}

// translator returns the T function of lang: the message of key, formatted
// with args when given; an unknown key shows itself so it is noticed.
func (c catalogues) translator(lang string) func(key string, args ...any) string {
	m := c[lang]
	return func(key string, args ...any) string {
		msg, ok := m[key]
		if !ok {
			return key
		}
		if len(args) > 0 {
			return fmt.Sprintf(msg, args...)
		}
		return msg
	}
}

// has reports whether key is in the catalogue (flash keys come from URLs).
func (c catalogues) has(key string) bool {
	_, ok := c[langZH][key]
	return ok
}

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
