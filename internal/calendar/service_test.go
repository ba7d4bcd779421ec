package calendar_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/calendar"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/rbac"
)

func newService(t *testing.T, d *db.DB) *calendar.Service {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
	s, err := calendar.NewService(d, audit.New(d, clk), clk)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func asGrant(scopePath string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	a := &actor.Actor{UserID: 7, Username: "u", Grants: []actor.Grant{{Role: "r", ScopePath: scopePath, Perms: m}}}
	return actor.With(context.Background(), a)
}

var system = actor.With(context.Background(), actor.SystemActor("test"))

// madeUp declares Monday 2026-11-30 a holiday.
const madeUp = `{"holidays":{"2026-11-30":"Test Day,测试假日,1"},"workdays":{}}`

func TestImportICSChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		from := at(2026, 9, 30, 10, 0)
		before := s.Calendar().Deadline(from, calendar.Limit{N: 3, Unit: calendar.WorkingDays})
		f, err := os.Open("data/2026.ics")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := s.Import(system, "ics", f)
		if err != nil {
			t.Fatal(err)
		}
		if res.Holidays != 33 || res.Workdays != 6 || res.Changed != 0 || res.Inserted != 39 || len(res.Years) != 1 {
			t.Errorf("import 2026.ics = %+v, want 33 holidays, 6 workdays, 39 inserted, 0 changed, years [2026]", res)
		}
		if got := s.Calendar().Deadline(from, calendar.Limit{N: 3, Unit: calendar.WorkingDays}); !got.Equal(before) {
			t.Errorf("deadline after ics import = %s, want unchanged %s", got, before)
		}
		days, err := s.Days(context.Background(), 2026)
		if err != nil || len(days) != 39 || days[0].Source != "import:ics" || days[0].Name != "元旦" {
			t.Errorf("Days(2026) = %d days, first %+v, err %v", len(days), days, err)
		}
	})
}

func TestImportJSONChangesDeadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		from := at(2026, 11, 27, 17, 30) // Friday
		if got := s.Calendar().Deadline(from, calendar.Limit{N: 1, Unit: calendar.WorkingHours}); !got.Equal(at(2026, 11, 30, 9, 30)) {
			t.Fatalf("before import: %s", got)
		}
		res, err := s.Import(asGrant("/410100/", calendar.PermWrite), "JSON", strings.NewReader(madeUp))
		if err != nil {
			t.Fatal(err)
		}
		if res.Inserted != 1 || res.Changed != 1 || res.Holidays != 1 {
			t.Errorf("import = %+v, want 1 inserted holiday, 1 changed", res)
		}
		want := at(2026, 12, 1, 9, 30)
		if got, _ := s.DeadlineFor(from, "1wh"); !got.Equal(want) {
			t.Errorf("after import: 1wh from Friday 17:30 = %s, want %s", got, want)
		}
		// Idempotent: the same file again changes nothing.
		res, err = s.Import(system, "json", strings.NewReader(madeUp))
		if err != nil || res.Inserted+res.Updated+res.Changed != 0 || res.Unchanged != 1 {
			t.Errorf("second import = %+v, %v; want 1 unchanged", res, err)
		}
		// A new service over the same database sees the import.
		if got, _ := newService(t, d).DeadlineFor(from, "1wh"); !got.Equal(want) {
			t.Errorf("reloaded service: %s, want %s", got, want)
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'calendar.import'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("calendar.import audit entries = %d, %v; want 2", n, err)
		}
	})
}

func TestImportRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		tests := []struct {
			name   string
			ctx    context.Context
			format string
			body   string
			code   apperr.Code
		}{
			{"district actor with calendar.write", asGrant("/410100/410105/", calendar.PermWrite), "json", madeUp, apperr.Forbidden},
			{"city actor without calendar.write", asGrant("/410100/", rbac.OrgWrite), "json", madeUp, apperr.Forbidden},
			{"no actor", context.Background(), "json", madeUp, apperr.Unauthenticated},
			{"unknown format", system, "csv", madeUp, apperr.Invalid},
			{"bad JSON", system, "json", `{"holidays":`, apperr.Invalid},
			{"bad date", system, "json", `{"holidays":{"2026-13-01":"x"}}`, apperr.Invalid},
			{"both kinds", system, "json", `{"holidays":{"2026-11-30":"x"},"workdays":{"2026-11-30":"y"}}`, apperr.Invalid},
			{"not iCalendar", system, "ics", "hello", apperr.Invalid},
			{"iCalendar without events", system, "ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", apperr.Invalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.Import(tt.ctx, tt.format, strings.NewReader(tt.body))
				if got := apperr.CodeOf(err); got != tt.code {
					t.Errorf("Import = %v, want code %s", err, tt.code)
				}
			})
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM calendar_days`).Scan(&n); err != nil || n != 0 {
			t.Errorf("calendar_days rows after refused imports = %d, %v; want 0", n, err)
		}
		if _, err := s.Days(context.Background(), 0); apperr.As(err).Fields["year"] == "" {
			t.Errorf("Days(0) = %v, want invalid naming year", err)
		}
	})
}

func TestParseICSFolded(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\n" +
		"SUMMARY:元旦\r\nX-APPLE-SPECIAL-DAY:WORK-\r\n HOLIDAY\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\n" +
		"DTSTART;VALUE=DATE:20270207\r\nSUMMARY:春节(班)\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270301\r\nSUMMARY:meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	days, err := calendar.ParseICS(strings.NewReader(ics), "t")
	if err != nil {
		t.Fatal(err)
	}
	want := []calendar.Day{{Date: "2027-01-01", Kind: "holiday", Name: "元旦", Source: "t"},
		{Date: "2027-02-07", Kind: "workday", Name: "春节", Source: "t"}}
	if len(days) != len(want) || days[0] != want[0] || days[1] != want[1] {
		t.Errorf("ParseICS = %+v, want %+v", days, want)
	}
}
