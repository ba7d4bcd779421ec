package calendar

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"time"

	"gridgov/internal/apperr"
)

//go:embed data/chinese-days.json data/2026.ics data/LICENSE
var dataFS embed.FS

// maxImportBytes bounds an import file; a year's calendar is a few KB.
const maxImportBytes = 4 << 20

// embeddedDays parses the compiled-in chinese-days.json.
func embeddedDays() ([]Day, error) {
	b, err := dataFS.ReadFile("data/chinese-days.json")
	if err != nil {
		return nil, apperr.Wrap(err, "read embedded calendar")
	}
	days, err := ParseJSON(bytes.NewReader(b), SourceEmbedded)
	if err != nil {
		return nil, apperr.Wrap(err, "parse embedded calendar")
	}
	return days, nil
}

// chineseDays is the layout of chinese-days.json: date → "English,中文,N".
type chineseDays struct {
	Holidays map[string]string `json:"holidays"`
	Workdays map[string]string `json:"workdays"`
}

// ParseJSON reads the chinese-days layout {"holidays":{date:name},
// "workdays":{date:name}} into days tagged with source, in date order.
// A date in both lists is refused.
func ParseJSON(r io.Reader, source string) ([]Day, error) {
	var cd chineseDays
	dec := json.NewDecoder(io.LimitReader(r, maxImportBytes))
	if err := dec.Decode(&cd); err != nil {
		return nil, apperr.Field("file", apperr.CalendarJSON, "detail", err.Error())
	}
	if len(cd.Holidays)+len(cd.Workdays) == 0 {
		return nil, apperr.Field("file", apperr.CalendarJSONEmpty)
	}
	var days []Day
	for kind, m := range map[string]map[string]string{KindHoliday: cd.Holidays, KindWorkday: cd.Workdays} {
		for ds, label := range m {
			if _, err := parseDate(ds); err != nil {
				return nil, apperr.FieldProblem("file", apperr.ProblemOf(err))
			}
			days = append(days, Day{Date: ds, Kind: kind, Name: labelName(label), Source: source})
		}
	}
	return sortedUnique(days)
}

// labelName picks the Chinese name out of "National Day,国庆节,3"; any other
// label is kept as it is.
func labelName(label string) string {
	if parts := strings.Split(label, ","); len(parts) == 3 {
		return strings.TrimSpace(parts[1])
	}
	return strings.TrimSpace(label)
}

// sortedUnique sorts days by date and refuses a date given twice with
// different kinds.
func sortedUnique(days []Day) ([]Day, error) {
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	out := days[:0]
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].Date == d.Date {
			if out[n-1].Kind != d.Kind {
				return nil, apperr.Field("file", apperr.CalendarBoth, "date", d.Date)
			}
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// ParseICS reads all-day VEVENTs (DTSTART/DTEND;VALUE=DATE, DTEND exclusive)
// whose SUMMARY ends in (休) — holidays — or (班) — make-up working days —
// or that carry X-APPLE-SPECIAL-DAY WORK-HOLIDAY / ALTERNATE-WORKDAY, into
// days tagged with source. Other events are ignored.
func ParseICS(r io.Reader, source string) ([]Day, error) {
	lines, err := unfoldICS(io.LimitReader(r, maxImportBytes))
	if err != nil {
		return nil, err
	}
	var days []Day
	var ev map[string]string
	for _, ln := range lines {
		switch {
		case ln == "BEGIN:VEVENT":
			ev = map[string]string{}
		case ln == "END:VEVENT" && ev != nil:
			d, err := eventDays(ev, source)
			if err != nil {
				return nil, err
			}
			days = append(days, d...)
			ev = nil
		case ev != nil:
			if name, val, ok := strings.Cut(ln, ":"); ok {
				key, _, _ := strings.Cut(name, ";")
				ev[strings.ToUpper(key)] = val
			}
		}
	}
	if len(days) == 0 {
		return nil, apperr.Field("file", apperr.ICSNone)
	}
	return sortedUnique(days)
}

// unfoldICS splits an iCalendar stream into logical lines (RFC 5545 §3.1:
// a line starting with a space or tab continues the previous one).
func unfoldICS(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportBytes)
	var lines []string
	for sc.Scan() {
		ln := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(ln, " ") || strings.HasPrefix(ln, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += ln[1:]
			continue
		}
		lines = append(lines, ln)
	}
	if err := sc.Err(); err != nil {
		return nil, apperr.Field("file", apperr.ICSUnreadable, "detail", err.Error())
	}
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "BEGIN:VCALENDAR" {
		return nil, apperr.Field("file", apperr.ICSNot)
	}
	return lines, nil
}

// eventDays expands one VEVENT into its days, or none when it is neither a
// holiday nor a make-up workday.
func eventDays(ev map[string]string, source string) ([]Day, error) {
	summary := strings.TrimSpace(ev["SUMMARY"])
	kind := ""
	switch special := strings.ToUpper(ev["X-APPLE-SPECIAL-DAY"]); {
	case strings.HasSuffix(summary, "(休)") || strings.HasSuffix(summary, "（休）") || special == "WORK-HOLIDAY":
		kind = KindHoliday
	case strings.HasSuffix(summary, "(班)") || strings.HasSuffix(summary, "（班）") || special == "ALTERNATE-WORKDAY":
		kind = KindWorkday
	default:
		return nil, nil
	}
	name := strings.TrimSpace(strings.NewReplacer("(休)", "", "(班)", "", "（休）", "", "（班）", "").Replace(summary))
	start, err := icsDate(ev["DTSTART"])
	if err != nil {
		return nil, err
	}
	end := start.AddDate(0, 0, 1)
	if v, ok := ev["DTEND"]; ok {
		if end, err = icsDate(v); err != nil {
			return nil, err
		}
	}
	if !end.After(start) || end.Sub(start) > 60*24*time.Hour {
		return nil, apperr.Field("file", apperr.ICSEvent, "name", summary)
	}
	var out []Day
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		out = append(out, Day{Date: d.Format("2006-01-02"), Kind: kind, Name: name, Source: source})
	}
	return out, nil
}

// icsDate parses a DATE value (20260101); a DATE-TIME keeps its date.
func icsDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if len(v) >= 8 {
		if t, err := time.Parse("20060102", v[:8]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, apperr.Field("file", apperr.ICSDate, "value", v)
}
