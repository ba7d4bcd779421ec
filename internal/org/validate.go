package org

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
)

// Limits of names and lists.
const (
	maxTextLen    = 100
	defaultLimit  = 100
	maxLimit      = 1000
	maxImportErrs = 50
)

var (
	// codeRe keeps codes free of LIKE wildcards and path separators, so a
	// materialised path can be matched with a plain prefix pattern.
	codeRe     = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)
	mobileRe   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	landlineRe = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}$`)
)

// levelRank orders territory levels; 0 means unknown.
func levelRank(l Level) int {
	for i, x := range Levels {
		if x == l {
			return i + 1
		}
	}
	return 0
}

// levelBelow returns the territory level directly below l ("" for community).
func levelBelow(l Level) Level {
	r := levelRank(l)
	if r == 0 || r >= len(Levels) {
		return ""
	}
	return Levels[r]
}

// levelsBelow returns the levels strictly below l, top first.
func levelsBelow(l Level) []Level {
	r := levelRank(l)
	if r == 0 {
		return nil
	}
	return Levels[r:]
}

func validKind(k Kind) bool { return k == Territory || k == Department || k == Office }

func validTeam(t Team) bool {
	return t == NoTeam || t == Deployed || t == MassWork || t == GridLeader
}

// checkCode returns the problem with a code, or none (the zero Problem).
func checkCode(code string) apperr.Problem {
	switch {
	case code == "":
		return apperr.P(apperr.Required)
	case !codeRe.MatchString(code):
		return apperr.P(apperr.UnitCode)
	}
	return apperr.Problem{}
}

// checkName returns the problem with a required display name, or none.
func checkName(name string) apperr.Problem {
	if name == "" {
		return apperr.P(apperr.Required)
	}
	return checkText(name)
}

// checkText returns the problem with an optional short text, or none.
func checkText(s string) apperr.Problem {
	switch {
	case utf8.RuneCountInString(s) > maxTextLen:
		return apperr.P(apperr.MaxChars, "n", maxTextLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return apperr.P(apperr.ControlChars)
	}
	return apperr.Problem{}
}

// checkPhone accepts a mainland mobile number or a landline with area code.
func checkPhone(p string) apperr.Problem {
	if p == "" || mobileRe.MatchString(p) || landlineRe.MatchString(p) {
		return apperr.Problem{}
	}
	return apperr.P(apperr.Phone)
}

// MaskPhone hides the middle of a phone number for people who may not see
// it in full: 13812345678 → 138****5678, 0371-12345678 → 0371-****5678.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	if i := strings.IndexByte(p, '-'); i > 0 && len(p)-i-1 > 4 {
		return p[:i+1] + strings.Repeat("*", len(p)-i-5) + p[len(p)-4:]
	}
	if len(p) >= 8 {
		return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
	}
	return strings.Repeat("*", len(p))
}

// searchText trims a search string and bounds its length.
func searchText(q string) (string, error) {
	q = strings.TrimSpace(q)
	if utf8.RuneCountInString(q) > maxTextLen {
		return "", apperr.Field("q", apperr.MaxChars, "n", 100)
	}
	return q, nil
}

// page applies the default and maximum list sizes.
func page(limit, offset int) (int, int, error) {
	return db.Paging{Default: defaultLimit, Max: maxLimit}.Apply(limit, offset)
}
