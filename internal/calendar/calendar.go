// Package calendar knows the working days and working hours of the
// platform's units: official holidays (休) and make-up working days (调休上班)
// from the embedded State Council schedule plus administrator imports, and
// the working periods of a day. It turns a time limit such as "4wh", "3wd"
// or "24h" into a deadline.
package calendar

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Asia/Shanghai must load on machines without a zoneinfo database

	"gridgov/internal/apperr"
)

// Zone is the time zone working hours are counted in.
const Zone = "Asia/Shanghai"

// Day kinds: a holiday is a day off, a workday a day worked (a make-up
// working day when it falls on a weekend).
const (
	KindHoliday = "holiday"
	KindWorkday = "workday"
)

// SourceEmbedded marks a day that comes from the data compiled into the binary.
const SourceEmbedded = "embedded"

// Day is one special day: a holiday, or a working day on a weekend or that
// cancels a holiday.
type Day struct {
	Date   string `json:"date"` // YYYY-MM-DD
	Kind   string `json:"kind"` // KindHoliday or KindWorkday
	Name   string `json:"name"`
	Source string `json:"source"`
}

// Period is a span of working time within a day, as offsets from midnight.
type Period struct {
	Start time.Duration
	End   time.Duration
}

// String returns the period as "09:00-12:00".
func (p Period) String() string { return hhmm(p.Start) + "-" + hhmm(p.End) }

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// DefaultPeriods are the default working hours: 09:00–12:00 and 13:00–18:00.
func DefaultPeriods() []Period {
	return []Period{{9 * time.Hour, 12 * time.Hour}, {13 * time.Hour, 18 * time.Hour}}
}

// ParsePeriods parses working hours such as "09:00-12:00,13:00-18:00"
// (for a configuration flag); a bad value is an invalid-input error naming
// the field periods.
func ParsePeriods(s string) ([]Period, error) {
	var out []Period
	for _, part := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, apperr.Field("periods", apperr.Periods, "value", s)
		}
		out = append(out, Period{Start: start, End: end})
	}
	if err := checkPeriods(out); err != nil {
		return nil, err
	}
	return out, nil
}

func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "24:00" {
		return 24 * time.Hour, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Options configure a Calendar. Zero values take the defaults.
type Options struct {
	// Location is the zone working hours are counted in (default Asia/Shanghai).
	Location *time.Location
	// Periods are the working periods of a working day, ascending and not
	// overlapping (default DefaultPeriods).
	Periods []Period
	// Overrides are applied on top of the embedded days; a later entry for
	// the same date wins.
	Overrides []Day
	// NoEmbedded leaves out the embedded holiday data (weekends only, plus
	// Overrides).
	NoEmbedded bool
}

// date is a civil date as yyyymmdd.
type date int32

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date(y*10000 + int(m)*100 + d)
}

func (d date) year() int { return int(d) / 10000 }

// String returns the date as YYYY-MM-DD.
func (d date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", int(d)/10000, int(d)/100%100, int(d)%100)
}

func parseDate(s string) (date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date YYYY-MM-DD", s)
	}
	return dateOf(t), nil
}

// Calendar is an immutable working calendar, safe for concurrent use.
type Calendar struct {
	loc     *time.Location
	periods []Period
	days    map[date]Day
	years   map[int]bool
}

// New returns a calendar with the embedded holidays (unless NoEmbedded),
// the overrides and the working periods of opts.
func New(opts Options) (*Calendar, error) {
	c := &Calendar{loc: opts.Location, periods: opts.Periods, days: map[date]Day{}, years: map[int]bool{}}
	if c.loc == nil {
		loc, err := time.LoadLocation(Zone)
		if err != nil {
			return nil, apperr.Wrap(err, "load time zone "+Zone)
		}
		c.loc = loc
	}
	if len(c.periods) == 0 {
		c.periods = DefaultPeriods()
	}
	if err := checkPeriods(c.periods); err != nil {
		return nil, err
	}
	c.periods = append([]Period(nil), c.periods...)
	if !opts.NoEmbedded {
		emb, err := embeddedDays()
		if err != nil {
			return nil, err
		}
		if err := c.apply(emb); err != nil {
			return nil, err
		}
	}
	if err := c.apply(opts.Overrides); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Calendar) apply(days []Day) error {
	for _, d := range days {
		k, err := parseDate(d.Date)
		if err != nil {
			return apperr.FieldProblem("date", apperr.ProblemOf(err))
		}
		if d.Kind != KindHoliday && d.Kind != KindWorkday {
			return apperr.Field("kind", apperr.CalendarDayKind, "value", d.Kind, "holiday", KindHoliday, "workday", KindWorkday)
		}
		c.days[k] = d
		c.years[k.year()] = true
	}
	return nil
}

func checkPeriods(ps []Period) error {
	var prev time.Duration
	for i, p := range ps {
		if p.Start < 0 || p.End > 24*time.Hour || p.End <= p.Start || (i > 0 && p.Start < prev) {
			return apperr.Field("periods", apperr.PeriodOrder, "value", p)
		}
		prev = p.End
	}
	return nil
}

// defaultCalendar is built once from the embedded data; the value is
// immutable, so sharing it is safe.
var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, err := New(Options{})
	if err != nil {
		panic("calendar: embedded data: " + err.Error())
	}
	return c
})

// Default returns the calendar of the embedded data with the default
// working hours in Asia/Shanghai.
func Default() *Calendar { return defaultCalendar() }

// Location returns the zone of the calendar.
func (c *Calendar) Location() *time.Location { return c.loc }

// Periods returns the working periods of a working day.
func (c *Calendar) Periods() []Period { return append([]Period(nil), c.periods...) }

// Covers reports whether the calendar has holiday data for year; outside
// the data only weekends are days off.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// IsWorkday reports whether the civil date of day (in the calendar's zone)
// is a working day: weekdays unless an official holiday, weekends only when
// a make-up working day.
func (c *Calendar) IsWorkday(day time.Time) bool {
	return c.isWorkday(dateOf(day.In(c.loc)), day.In(c.loc).Weekday())
}

func (c *Calendar) isWorkday(k date, wd time.Weekday) bool {
	if d, ok := c.days[k]; ok {
		return d.Kind == KindWorkday
	}
	return wd != time.Saturday && wd != time.Sunday
}

// Days lists the special days of year, in date order.
func (c *Calendar) Days(year int) []Day {
	var out []Day
	for k, d := range c.days {
		if k.year() == year {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}
