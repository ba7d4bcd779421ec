package i18n

import (
	"sort"
	"strconv"
	"strings"
)

// FromAcceptLanguage picks the language an Accept-Language header asks for
// first among ours (zh and zh-* are Chinese, en and en-* English), or ""
// when it names neither.
func FromAcceptLanguage(h string) string {
	type pref struct {
		lang string
		q    float64
		i    int
	}
	var prefs []pref
	for i, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch {
		case q <= 0:
		case base == "zh":
			prefs = append(prefs, pref{ZH, q, i})
		case base == "en":
			prefs = append(prefs, pref{EN, q, i})
		}
	}
	sort.SliceStable(prefs, func(a, b int) bool { return prefs[a].q > prefs[b].q })
	if len(prefs) == 0 {
		return ""
	}
	return prefs[0].lang
}
