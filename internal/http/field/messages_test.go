package field

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"gridgov/internal/i18n"
)

var exportRe = regexp.MustCompile(`(?s)export const (\w+) = (\{.*?\n\});`)

// TestMessagesModule checks the catalogue the app is served: it is the one
// catalogue (field.json and every problem code) in both languages, and it
// holds every key the app's scripts and page ask for.
func TestMessagesModule(t *testing.T) {
	rec := get(t, New(), "/field/js/messages.js")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("got %d %q, want the module", rec.Code, rec.Header().Get("Content-Type"))
	}
	served := map[string]map[string]string{}
	for _, m := range exportRe.FindAllStringSubmatch(rec.Body.String(), -1) {
		o := map[string]string{}
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			t.Fatalf("export %s: %v", m[1], err)
		}
		served[m[1]] = o
	}
	cat, err := i18n.Load("field")
	if err != nil {
		t.Fatal(err)
	}
	problems := i18n.Problems()
	for lang, name := range map[string]string{i18n.ZH: "zh", i18n.EN: "en"} {
		got := served[name]
		for k, v := range cat[lang] {
			if got[k] != v {
				t.Errorf("%s %s: served %q, catalogue %q", name, k, got[k], v)
			}
		}
		for code, v := range problems[lang] {
			if got["problem."+code] != v {
				t.Errorf("%s problem.%s: served %q, catalogue %q", name, code, got["problem."+code], v)
			}
		}
		if want := len(cat[lang]) + len(problems[lang]); len(got) != want {
			t.Errorf("%s: %d messages served, want %d", name, len(got), want)
		}
	}
	keyRe := regexp.MustCompile(`\bt\("([a-z_.0-9]*[a-z0-9])"|data-i18n="([a-z_.0-9]+)"`) // a key ending in "." is a prefix
	err = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".html")) {
			return err
		}
		b, err := staticFS.ReadFile(p)
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			k := m[1] + m[2]
			if _, ok := cat[i18n.ZH][k]; !ok {
				t.Errorf("%s asks for %q, which the catalogue lacks", p, k)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
