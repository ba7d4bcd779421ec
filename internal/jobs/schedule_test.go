package jobs

import (
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func TestScheduleNext(t *testing.T) {
	tests := []struct {
		name  string
		s     Schedule
		after time.Time
		want  time.Time
	}{
		{"interval", Every(time.Minute), time.Date(2026, 3, 2, 9, 0, 30, 0, cst), time.Date(2026, 3, 2, 9, 1, 30, 0, cst)},
		{"interval across midnight", Every(time.Hour), time.Date(2026, 3, 2, 23, 30, 0, 0, cst), time.Date(2026, 3, 3, 0, 30, 0, 0, cst)},
		{"daily later today", Daily(2, 30), time.Date(2026, 3, 2, 1, 0, 0, 0, cst), time.Date(2026, 3, 2, 2, 30, 0, 0, cst)},
		{"daily exactly at: tomorrow", Daily(2, 30), time.Date(2026, 3, 2, 2, 30, 0, 0, cst), time.Date(2026, 3, 3, 2, 30, 0, 0, cst)},
		{"daily passed: tomorrow", Daily(2, 30), time.Date(2026, 3, 2, 9, 0, 0, 0, cst), time.Date(2026, 3, 3, 2, 30, 0, 0, cst)},
		// 23:50 Shanghai is 15:50 UTC; the UTC date is not the Shanghai date.
		{"daily at midnight from the evening", Daily(0, 0), time.Date(2026, 3, 2, 23, 50, 0, 0, cst), time.Date(2026, 3, 3, 0, 0, 0, 0, cst)},
		// 00:10 Shanghai on the 3rd is 16:10 UTC on the 2nd.
		{"daily early after midnight", Daily(0, 30), time.Date(2026, 3, 3, 0, 10, 0, 0, cst), time.Date(2026, 3, 3, 0, 30, 0, 0, cst)},
		{"daily late, given in UTC", Daily(23, 0), time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC), time.Date(2026, 3, 3, 23, 0, 0, 0, cst)},
		{"daily across month end", Daily(3, 0), time.Date(2026, 2, 28, 4, 0, 0, 0, cst), time.Date(2026, 3, 1, 3, 0, 0, 0, cst)},
		{"daily across year end", Daily(1, 0), time.Date(2026, 12, 31, 20, 0, 0, 0, cst), time.Date(2027, 1, 1, 1, 0, 0, 0, cst)},
		// Summer: Shanghai has no daylight saving, so 02:30 stays 18:30 UTC.
		{"daily in summer", Daily(2, 30), time.Date(2026, 7, 15, 12, 0, 0, 0, cst), time.Date(2026, 7, 16, 2, 30, 0, 0, cst)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Next(tt.after)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("%s after %v: got %v, want %v (in UTC)", tt.s, tt.after, got, tt.want.UTC())
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	for _, tt := range []struct {
		s    Schedule
		want string
	}{
		{Every(time.Minute), "every 1m"},
		{Every(time.Hour), "every 1h"},
		{Every(90 * time.Second), "every 1m30s"},
		{Every(15 * time.Minute), "every 15m"},
		{Daily(2, 5), "daily 02:05"},
	} {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		back, err := ParseSchedule(tt.want)
		if err != nil || back != tt.s {
			t.Errorf("parse %q: got %+v, %v; want %+v", tt.want, back, err, tt.s)
		}
	}
	for _, bad := range []string{"", "every", "every 0s", "every -1m", "daily 24:00", "daily 2:30", "daily 02:60", "weekly 02:00", "every 500ms"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("ParseSchedule(%q) accepted", bad)
		}
	}
}

func TestScheduleFirst(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
	if got := Every(time.Hour).first(now); !got.Equal(now) {
		t.Errorf("interval: first due %v, want at once %v", got, now)
	}
	if got, want := Daily(2, 0).first(now), time.Date(2026, 3, 3, 2, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("daily: first due %v, want %v", got, want)
	}
}
