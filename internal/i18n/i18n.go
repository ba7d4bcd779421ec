// Package i18n holds the one message catalogue of gridgov: a directory per
// language (locales/<lang>/), with a file per surface (console.json,
// portal.json, field.json) and problems.json, the words of every field
// problem code (see apperr). One loader reads them for the console, the
// portal and the field app (whose JavaScript catalogue is generated from
// the same files), and checks that every language has every key with the
// same placeholders, so a missing translation fails at start and in tests.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The languages; Chinese is the default of every page, English the
// default of the API.
const (
	ZH = "zh-CN"
	EN = "en"
)

// Languages lists the languages, the default first.
func Languages() []string { return []string{ZH, EN} }

// Known reports whether l is one of the languages.
func Known(l string) bool { return l == ZH || l == EN }

//go:embed locales
var locales embed.FS

// Messages is one surface's catalogue: language → key → text.
type Messages map[string]map[string]string

// Load reads locales/<lang>/<surface>.json for every language and checks
// them against each other (same keys, same placeholders).
func Load(surface string) (Messages, error) { return load(locales, surface) }

func load(fsys fs.FS, surface string) (Messages, error) {
	m := Messages{}
	for _, l := range Languages() {
		b, err := fs.ReadFile(fsys, "locales/"+l+"/"+surface+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(b, &msgs); err != nil {
			return nil, fmt.Errorf("i18n %s/%s: %w", l, surface, err)
		}
		m[l] = msgs
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("i18n %s: %w", surface, err)
	}
	return m, nil
}

// check reports the first key that a language lacks or whose placeholders
// differ from the default language's.
func (m Messages) check() error {
	def := m[ZH]
	for _, l := range Languages()[1:] {
		other := m[l]
		for _, k := range slices.Sorted(maps.Keys(def)) {
			t, ok := other[k]
			if !ok {
				return fmt.Errorf("key %q missing in %s", k, l)
			}
			if a, b := Placeholders(def[k]), Placeholders(t); !slices.Equal(a, b) {
				return fmt.Errorf("key %q: placeholders %v in %s, %v in %s", k, a, ZH, b, l)
			}
		}
		for k := range other {
			if _, ok := def[k]; !ok {
				return fmt.Errorf("key %q missing in %s", k, ZH)
			}
		}
	}
	return nil
}

// T returns the translator of lang: the text of key, formatted with args
// (fmt verbs) when given; an unknown key shows itself so it is noticed.
func (m Messages) T(lang string) func(key string, args ...any) string {
	msgs := m[lang]
	if msgs == nil {
		msgs = m[ZH]
	}
	return func(key string, args ...any) string {
		s, ok := msgs[key]
		if !ok {
			return key
		}
		if len(args) > 0 {
			return fmt.Sprintf(s, args...)
		}
		return s
	}
}

// Has reports whether key is in the catalogue.
func (m Messages) Has(key string) bool {
	_, ok := m[ZH][key]
	return ok
}

var (
	verbRe  = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	namedRe = regexp.MustCompile(`\{(\w+)\}`)
)

// Placeholders returns the placeholders of a text, sorted: fmt verbs
// (console and portal texts) and {name} holes (problems, field app).
func Placeholders(s string) []string {
	var out []string
	for _, v := range verbRe.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v[len(v)-1:])
		}
	}
	for _, m := range namedRe.FindAllStringSubmatch(s, -1) {
		out = append(out, "{"+m[1]+"}")
	}
	sort.Strings(out)
	return out
}

// Texter is a value that has words in each language (a nested problem).
type Texter interface{ Text(lang string) string }

// Fill replaces each {name} of s by its argument.
func Fill(lang, s string, args map[string]any) string {
	if len(args) == 0 {
		return s
	}
	return namedRe.ReplaceAllStringFunc(s, func(h string) string {
		v, ok := args[h[1:len(h)-1]]
		if !ok {
			return h
		}
		return argText(lang, v)
	})
}

func argText(lang string, v any) string {
	switch x := v.(type) {
	case Texter:
		return x.Text(lang)
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

var problems = sync.OnceValues(func() (Messages, error) { return Load("problems") })

// Problems returns the words of every problem code (language → code →
// text); the catalogue is embedded, so an error here is a build error.
func Problems() Messages {
	m, err := problems()
	if err != nil {
		panic(err)
	}
	return m
}

// Problem returns the words of a problem code in lang, its {name} holes
// filled from args; an unknown code shows itself.
func Problem(lang, code string, args map[string]any) string {
	m := Problems()
	msgs := m[lang]
	if msgs == nil {
		msgs = m[EN]
	}
	s, ok := msgs[code]
	if !ok {
		return code
	}
	return Fill(lang, s, args)
}
