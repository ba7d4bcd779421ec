package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
)

// Unit is the unit of a time limit.
type Unit string

// The units of a time limit.
const (
	WorkingHours Unit = "wh" // time inside working periods of working days
	WorkingDays  Unit = "wd" // to the close of the N-th working day after receipt
	Hours        Unit = "h"  // natural elapsed hours
	Minutes      Unit = "m"  // natural elapsed minutes
)

// maxLimitN bounds N so that a limit can never overflow a time.Duration nor
// make a deadline walk for centuries.
const maxLimitN = 100000

// Limit is a time limit such as 4 working hours or 3 working days.
type Limit struct {
	N    int
	Unit Unit
}

// String returns the limit in its text form, e.g. "4wh".
func (l Limit) String() string { return strconv.Itoa(l.N) + string(l.Unit) }

// IsZero reports whether l is the zero Limit (no limit).
func (l Limit) IsZero() bool { return l.N == 0 && l.Unit == "" }

// MarshalText encodes the limit as text ("4wh"); the zero limit is "".
func (l Limit) MarshalText() ([]byte, error) {
	if l.IsZero() {
		return []byte{}, nil
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes a limit from text; "" is the zero limit.
func (l *Limit) UnmarshalText(b []byte) error {
	if strings.TrimSpace(string(b)) == "" {
		*l = Limit{}
		return nil
	}
	v, err := ParseLimit(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLimit parses "4wh", "3wd", "24h" or "90m" (spaces and case are
// ignored, N ≥ 1). A bad limit is an invalid-input error naming it.
func ParseLimit(s string) (Limit, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	bad := func(why string) (Limit, error) {
		return Limit{}, apperr.Field("limit", apperr.TimeLimit, "value", s, "why", why)
	}
	if i == 0 {
		return bad("it must start with a number")
	}
	n, err := strconv.Atoi(t[:i])
	if err != nil || n > maxLimitN {
		return bad(fmt.Sprintf("the number must be at most %d", maxLimitN))
	}
	if n < 1 {
		return bad("the number must be at least 1")
	}
	switch u := Unit(t[i:]); u {
	case WorkingHours, WorkingDays, Hours, Minutes:
		return Limit{N: n, Unit: u}, nil
	case "":
		return bad("the unit is missing")
	default:
		return bad(fmt.Sprintf("unknown unit %q", string(u)))
	}
}

// natural returns the plain duration of an h or m limit.
func (l Limit) natural() (time.Duration, bool) {
	switch l.Unit {
	case Hours:
		return time.Duration(l.N) * time.Hour, true
	case Minutes:
		return time.Duration(l.N) * time.Minute, true
	}
	return 0, false
}
