package i18n_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/i18n"
)

// TestProblemCodes walks every declared problem code: each has words in
// zh-CN and en with the same placeholders, and the catalogue holds no
// code that is not declared.
func TestProblemCodes(t *testing.T) {
	p := i18n.Problems()
	declared := map[string]bool{}
	for _, c := range apperr.ProblemCodes {
		declared[string(c)] = true
		zh, okZH := p[i18n.ZH][string(c)]
		en, okEN := p[i18n.EN][string(c)]
		if !okZH || !okEN || zh == "" || en == "" {
			t.Errorf("code %s: zh-CN %q, en %q, want words in both", c, zh, en)
			continue
		}
		if a, b := i18n.Placeholders(zh), i18n.Placeholders(en); !slices.Equal(a, b) {
			t.Errorf("code %s: placeholders %v in zh-CN, %v in en", c, a, b)
		}
		// A Chinese text may quote formats and codes, but words in Latin
		// letters alone mean an untranslated text.
		if bare := holeRe.ReplaceAllString(zh, ""); strings.ContainsAny(bare, "abcdefghijklmnopqrstuvwxyz") && !hasHan(bare) {
			t.Errorf("code %s: zh-CN text %q has no Chinese", c, zh)
		}
	}
	for _, l := range i18n.Languages() {
		for k := range p[l] {
			if !declared[k] {
				t.Errorf("%s: catalogue code %q is not in apperr.ProblemCodes", l, k)
			}
		}
	}
}

var holeRe = regexp.MustCompile(`\{\w+\}`)

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// TestSurfaces loads the catalogue of every surface through the one loader.
func TestSurfaces(t *testing.T) {
	for _, s := range []string{"console", "portal", "field", "problems"} {
		m, err := i18n.Load(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if len(m[i18n.ZH]) == 0 || len(m[i18n.ZH]) != len(m[i18n.EN]) {
			t.Errorf("%s: %d zh-CN keys, %d en keys", s, len(m[i18n.ZH]), len(m[i18n.EN]))
		}
	}
}

func TestProblemText(t *testing.T) {
	nested := apperr.P(apperr.IDCheckDigit)
	tests := []struct {
		p    apperr.Problem
		lang string
		want string
	}{
		{apperr.P(apperr.Required), i18n.ZH, "不能为空"},
		{apperr.P(apperr.Required), i18n.EN, "required"},
		{apperr.P(apperr.MaxChars, "n", 200), i18n.ZH, "最多 200 个字符"},
		{apperr.P(apperr.OutOfRange, "min", -90.0, "max", 90), i18n.EN, "must be a number between -90 and 90"},
		{apperr.P(apperr.IDNumber, "why", nested), i18n.ZH, "不是有效的身份证号：校验位不符"},
		{apperr.P(apperr.IDNumber, "why", nested), i18n.EN, "not a valid ID-card number: the check digit does not match"},
	}
	for _, tt := range tests {
		if got := tt.p.Text(tt.lang); got != tt.want {
			t.Errorf("%v in %s: got %q, want %q", tt.p, tt.lang, got, tt.want)
		}
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", ""},
		{"zh-CN,zh;q=0.9,en;q=0.8", i18n.ZH},
		{"zh", i18n.ZH},
		{"en-US,en;q=0.9", i18n.EN},
		{"fr-FR, en;q=0.5, zh;q=0.7", i18n.ZH},
		{"de", ""},
		{"zh;q=0, en", i18n.EN},
	}
	for _, tt := range tests {
		if got := i18n.FromAcceptLanguage(tt.header); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.header, got, tt.want)
		}
	}
}

// TestJSModule checks the generated module against the catalogue: the
// same keys and words for each language, problems included.
func TestJSModule(t *testing.T) {
	b, err := i18n.JSModule("field")
	if err != nil {
		t.Fatal(err)
	}
	got := ParseJSModule(t, string(b))
	m, _ := i18n.Load("field")
	p := i18n.Problems()
	for l, name := range map[string]string{i18n.ZH: "zh", i18n.EN: "en"} {
		want := map[string]string{}
		for k, v := range m[l] {
			want[k] = v
		}
		for k, v := range p[l] {
			want["problem."+k] = v
		}
		if len(got[name]) != len(want) {
			t.Errorf("%s: %d messages in the module, %d in the catalogue", name, len(got[name]), len(want))
		}
		for k, v := range want {
			if got[name][k] != v {
				t.Errorf("%s %s: module %q, catalogue %q", name, k, got[name][k], v)
			}
		}
	}
}

var exportRe = regexp.MustCompile(`(?s)export const (\w+) = (\{.*?\n\});`)

// ParseJSModule reads the objects a JSModule exports.
func ParseJSModule(t *testing.T, src string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, m := range exportRe.FindAllStringSubmatch(src, -1) {
		o := map[string]string{}
		if err := json.Unmarshal([]byte(m[2]), &o); err != nil {
			t.Fatalf("export %s: %v", m[1], err)
		}
		out[m[1]] = o
	}
	if len(out) != 2 {
		t.Fatalf("module exports %d catalogues, want 2", len(out))
	}
	return out
}
