package jobs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule says when a job is due: every fixed interval, or daily at a time
// of day in Asia/Shanghai. The zero Schedule is invalid.
type Schedule struct {
	every        time.Duration
	daily        bool
	hour, minute int
}

// Every returns a schedule due every d (at least one second), counted from
// the start of the previous run.
func Every(d time.Duration) Schedule { return Schedule{every: d} }

// Daily returns a schedule due once a day at hour:minute, Asia/Shanghai
// time (which has had no daylight saving since 1991).
func Daily(hour, minute int) Schedule { return Schedule{daily: true, hour: hour, minute: minute} }

// shanghai is Asia/Shanghai; a fixed +08:00 zone is exact where tzdata is
// absent.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// Valid reports whether s describes a schedule.
func (s Schedule) Valid() bool {
	if s.daily {
		return s.hour >= 0 && s.hour < 24 && s.minute >= 0 && s.minute < 60
	}
	return s.every >= time.Second
}

// Interval returns the interval of an Every schedule (0 for a daily one).
func (s Schedule) Interval() time.Duration {
	if s.daily {
		return 0
	}
	return s.every
}

// DailyAt returns the Shanghai time of day of a Daily schedule as "HH:MM",
// and false for an interval.
func (s Schedule) DailyAt() (string, bool) {
	if !s.daily {
		return "", false
	}
	return fmt.Sprintf("%02d:%02d", s.hour, s.minute), true
}

// Next returns the first due time strictly after t, in UTC.
func (s Schedule) Next(t time.Time) time.Time {
	if !s.daily {
		return t.Add(s.every).UTC()
	}
	l := t.In(shanghai)
	at := time.Date(l.Year(), l.Month(), l.Day(), s.hour, s.minute, 0, 0, shanghai)
	if !at.After(t) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, s.hour, s.minute, 0, 0, shanghai)
	}
	return at.UTC()
}

// first returns when a newly registered job is first due: an interval job
// at once (the loops it replaces ran at start), a daily one at its next time.
func (s Schedule) first(now time.Time) time.Time {
	if s.daily {
		return s.Next(now)
	}
	return now.UTC()
}

// String returns the stored form: "every 1m", "every 90s", "daily 02:30".
func (s Schedule) String() string {
	if at, ok := s.DailyAt(); ok {
		return "daily " + at
	}
	switch d := s.every; {
	case d > 0 && d%time.Hour == 0:
		return "every " + strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return "every " + strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	default:
		return "every " + d.String()
	}
}

// ParseSchedule reads the form String writes.
func ParseSchedule(v string) (Schedule, error) {
	kind, arg, _ := strings.Cut(strings.TrimSpace(v), " ")
	var s Schedule
	switch kind {
	case "every":
		d, err := time.ParseDuration(arg)
		if err != nil {
			return Schedule{}, fmt.Errorf("schedule %q: %w", v, err)
		}
		s = Every(d)
	case "daily":
		h, m, ok := strings.Cut(arg, ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil {
			return Schedule{}, fmt.Errorf("schedule %q: want daily HH:MM", v)
		}
		s = Daily(hh, mm)
	}
	if !s.Valid() {
		return Schedule{}, fmt.Errorf("schedule %q: want \"every DURATION\" or \"daily HH:MM\"", v)
	}
	return s, nil
}

// MarshalJSON writes the schedule as its string form.
func (s Schedule) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the string form.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p, err := ParseSchedule(v)
	if err != nil {
		return err
	}
	*s = p
	return nil
}
