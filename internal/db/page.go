package db

import (
	"strconv"
	"strings"

	"gridgov/internal/apperr"
)

// Paging is a list's one paging rule: an absent limit (0) means Default; a
// limit above Max is clamped to Max; a negative limit or offset is invalid
// input on the field "limit" or "offset". Every list in gridgov pages with
// it, whether the limit comes from a query string, a form or Go code.
type Paging struct {
	Default, Max int
}

// Apply returns the limit and offset a list uses under the rule.
func (p Paging) Apply(limit, offset int) (int, int, error) {
	switch {
	case limit < 0:
		return 0, 0, apperr.Field("limit", apperr.NotNegative)
	case offset < 0:
		return 0, 0, apperr.Field("offset", apperr.NotNegative)
	case limit == 0:
		limit = p.Default
	case limit > p.Max:
		limit = p.Max
	}
	return limit, offset, nil
}

// Limit is Apply for a list without an offset.
func (p Paging) Limit(limit int) (int, error) {
	l, _, err := p.Apply(limit, 0)
	return l, err
}

// ParseLimit reads a limit given as text (a query parameter or form
// field): "" is 0 (the default applies); a number at least 1 is that number
// (clamped later by Apply); anything else is a problem to report on the
// field, returned as its code ("" when there is none).
func ParseLimit(s string) (int, apperr.PCode) {
	return parseCount(s, 1, apperr.PositiveInt)
}

// ParseOffset reads an offset given as text: "" is 0; anything but a
// number at least 0 is a problem.
func ParseOffset(s string) (int, apperr.PCode) {
	return parseCount(s, 0, apperr.NotNegative)
}

// maxCount keeps parsed counts within int on every platform.
const maxCount = 1 << 30

func parseCount(s string, least int, problem apperr.PCode) (int, apperr.PCode) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, apperr.Integer
	}
	if n < least {
		return 0, problem
	}
	return min(n, maxCount), ""
}
