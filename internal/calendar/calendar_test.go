package calendar_test

import (
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/calendar"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation(calendar.Zone)
	if err != nil {
		panic(err)
	}
	return l
}()

// at returns a Shanghai wall-clock instant.
func at(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, shanghai)
}

func TestIsWorkday(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name string
		day  time.Time
		want bool
	}{
		{"National Day 10-01 (Thu)", at(2026, 10, 1, 10, 0), false},
		{"National Day 10-07 (Wed)", at(2026, 10, 7, 10, 0), false},
		{"after National Day 10-08 (Thu)", at(2026, 10, 8, 10, 0), true},
		{"make-up workday Sunday 09-20", at(2026, 9, 20, 10, 0), true},
		{"make-up workday Saturday 10-10", at(2026, 10, 10, 10, 0), true},
		{"ordinary Saturday 10-17", at(2026, 10, 17, 10, 0), false},
		{"ordinary Wednesday 11-25", at(2026, 11, 25, 10, 0), true},
		{"Spring Festival 02-17", at(2026, 2, 17, 10, 0), false},
		{"make-up workday Saturday 02-14", at(2026, 2, 14, 10, 0), true},
		{"UTC instant on Shanghai's 10-01", time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), false},
		{"UTC instant on Shanghai's 10-08", time.Date(2026, 10, 7, 16, 30, 0, 0, time.UTC), true},
		{"year outside the data: weekday", at(2031, 1, 1, 10, 0), true},
		{"year outside the data: weekend", at(2031, 1, 4, 10, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.IsWorkday(tt.day); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
			}
		})
	}
	if !c.Covers(2026) || !c.Covers(2004) || c.Covers(2031) {
		t.Errorf("Covers: 2026=%v 2004=%v 2031=%v, want true true false", c.Covers(2026), c.Covers(2004), c.Covers(2031))
	}
}

func TestDeadline(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name  string
		from  time.Time
		limit string
		want  time.Time
	}{
		{"Friday 17:30 + 1wh → Monday 09:30", at(2026, 11, 27, 17, 30), "1wh", at(2026, 11, 30, 9, 30)},
		{"12:30 (lunch) + 1wh → 14:00", at(2026, 11, 26, 12, 30), "1wh", at(2026, 11, 26, 14, 0)},
		{"11:00 + 1wh ends at the close of the morning", at(2026, 11, 26, 11, 0), "1wh", at(2026, 11, 26, 12, 0)},
		{"11:30 + 1wh spans lunch", at(2026, 11, 26, 11, 30), "1wh", at(2026, 11, 26, 13, 30)},
		{"before opening 07:00 + 2wh", at(2026, 11, 26, 7, 0), "2wh", at(2026, 11, 26, 11, 0)},
		{"after closing 20:00 + 1wh", at(2026, 11, 26, 20, 0), "1wh", at(2026, 11, 27, 10, 0)},
		{"Saturday + 4wh → Monday 14:00", at(2026, 11, 28, 10, 0), "4wh", at(2026, 11, 30, 14, 0)},
		{"8wh is one working day", at(2026, 11, 26, 9, 0), "8wh", at(2026, 11, 26, 18, 0)},
		{"09-30 16:00 + 4wh skips National Day", at(2026, 9, 30, 16, 0), "4wh", at(2026, 10, 8, 11, 0)},
		{"Friday 10-09 17:00 + 2wh → make-up Saturday 10-10", at(2026, 10, 9, 17, 0), "2wh", at(2026, 10, 10, 10, 0)},
		{"3wd from Friday 04-03 before Qingming (Sat–Mon)", at(2026, 4, 3, 10, 0), "3wd", at(2026, 4, 9, 18, 0)},
		{"3wd from Thursday 09-24 before Mid-autumn", at(2026, 9, 24, 17, 0), "3wd", at(2026, 9, 30, 18, 0)},
		{"3wd from Wednesday 09-30 before National Day", at(2026, 9, 30, 10, 0), "3wd", at(2026, 10, 10, 18, 0)},
		{"1wd from Wednesday 09-30 23:59 counts 10-08", at(2026, 9, 30, 23, 59), "1wd", at(2026, 10, 8, 18, 0)},
		{"receipt day never counts, even at 08:00", at(2026, 11, 26, 8, 0), "1wd", at(2026, 11, 27, 18, 0)},
		{"2wd from Friday 09-18 counts make-up Sunday 09-20", at(2026, 9, 18, 10, 0), "2wd", at(2026, 9, 21, 18, 0)},
		{"24h is plain time across the holiday", at(2026, 9, 30, 16, 0), "24h", at(2026, 10, 1, 16, 0)},
		{"90m natural minutes", at(2026, 11, 26, 17, 0), "90m", at(2026, 11, 26, 18, 30)},
		{"whitespace and case", at(2026, 11, 26, 9, 0), " 2 WH ", at(2026, 11, 26, 11, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.DeadlineFor(tt.from, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) || got.Location().String() != calendar.Zone {
				t.Errorf("DeadlineFor(%s, %q) = %s (%s), want %s", tt.from, tt.limit, got, got.Location(), tt.want)
			}
		})
	}
}

func TestParseLimit(t *testing.T) {
	good := map[string]calendar.Limit{
		"4wh": {N: 4, Unit: calendar.WorkingHours}, "3WD": {N: 3, Unit: calendar.WorkingDays},
		"24h": {N: 24, Unit: calendar.Hours}, " 90 m": {N: 90, Unit: calendar.Minutes},
	}
	for s, want := range good {
		got, err := calendar.ParseLimit(s)
		if err != nil || got != want {
			t.Errorf("ParseLimit(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "wh", "0wh", "-1h", "3", "3d", "3 days", "1.5h", "99999999999wh", "h3"} {
		_, err := calendar.ParseLimit(s)
		e := apperr.As(err)
		if err == nil || e.Code != apperr.Invalid || e.Fields["limit"] == "" {
			t.Errorf("ParseLimit(%q) error = %v, want invalid naming field limit", s, err)
		}
	}
	var l calendar.Limit
	if err := l.UnmarshalText([]byte("2wd")); err != nil || l.String() != "2wd" {
		t.Errorf("UnmarshalText(2wd) = %v, %v", l, err)
	}
}

func TestWorkingDuration(t *testing.T) {
	c := calendar.Default()
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"one full day", at(2026, 11, 26, 0, 0), at(2026, 11, 27, 0, 0), 8 * time.Hour},
		{"lunch is not counted", at(2026, 11, 26, 11, 30), at(2026, 11, 26, 13, 30), time.Hour},
		{"weekend is not counted", at(2026, 11, 27, 17, 0), at(2026, 11, 30, 10, 0), 2 * time.Hour},
		{"National Day week", at(2026, 9, 30, 18, 0), at(2026, 10, 8, 9, 0), 0},
		{"reversed", at(2026, 11, 27, 17, 0), at(2026, 11, 26, 10, 0), 0},
	}
	for _, tt := range tests {
		if got := c.WorkingDuration(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: WorkingDuration = %v, want %v", tt.name, got, tt.want)
		}
	}
	// The inverse of Deadline for working hours.
	from := at(2026, 9, 29, 15, 20)
	end := c.Deadline(from, calendar.Limit{N: 13, Unit: calendar.WorkingHours})
	if got := c.WorkingDuration(from, end); got != 13*time.Hour {
		t.Errorf("WorkingDuration(from, Deadline(from, 13wh)) = %v, want 13h", got)
	}
}

func TestNewOptions(t *testing.T) {
	c, err := calendar.New(calendar.Options{
		Periods:   []calendar.Period{{Start: 8 * time.Hour, End: 12 * time.Hour}, {Start: 14*time.Hour + 30*time.Minute, End: 17*time.Hour + 30*time.Minute}},
		Overrides: []calendar.Day{{Date: "2026-11-26", Kind: calendar.KindHoliday, Name: "test"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Deadline(at(2026, 11, 25, 11, 0), calendar.Limit{N: 2, Unit: calendar.WorkingHours})
	if want := at(2026, 11, 25, 15, 30); !got.Equal(want) {
		t.Errorf("custom periods: got %s, want %s", got, want)
	}
	if got := c.Deadline(at(2026, 11, 25, 11, 0), calendar.Limit{N: 1, Unit: calendar.WorkingDays}); !got.Equal(at(2026, 11, 27, 17, 30)) {
		t.Errorf("override holiday + custom close: got %s", got)
	}
	ps, err := calendar.ParsePeriods(" 08:00-12:00, 14:30-17:30 ")
	if err != nil || len(ps) != 2 || ps[1].String() != "14:30-17:30" {
		t.Errorf("ParsePeriods = %v, %v", ps, err)
	}
	for _, bad := range []string{"", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "25:00-26:00"} {
		if _, err := calendar.ParsePeriods(bad); apperr.As(err).Fields["periods"] == "" {
			t.Errorf("ParsePeriods(%q) = %v, want invalid naming periods", bad, err)
		}
	}
	_, err = calendar.New(calendar.Options{Periods: []calendar.Period{{Start: 13 * time.Hour, End: 12 * time.Hour}}})
	if apperr.As(err).Fields["periods"] == "" {
		t.Errorf("bad period: err = %v, want invalid naming periods", err)
	}
	if days := calendar.Default().Days(2026); len(days) != 39 || days[0].Date != "2026-01-01" || days[0].Name != "元旦" {
		t.Errorf("Days(2026) = %d days starting %+v, want 33 holidays + 6 workdays from 2026-01-01 元旦", len(days), days[0])
	}
}

func BenchmarkDeadline(b *testing.B) {
	c := calendar.Default()
	from := at(2026, 9, 29, 15, 20)
	limits := []calendar.Limit{{N: 4, Unit: calendar.WorkingHours}, {N: 3, Unit: calendar.WorkingDays},
		{N: 40, Unit: calendar.WorkingHours}, {N: 24, Unit: calendar.Hours}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Deadline(from, limits[i%len(limits)])
	}
}
