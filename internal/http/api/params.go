package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/org"
)

// pathID parses a numeric path id; anything else names no object, so it is
// not_found rather than invalid.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, apperr.New(apperr.NotFound, "not found")
	}
	return id, nil
}

// query reads query parameters, collecting every problem so the client
// learns of all bad parameters at once.
type query struct {
	r        *http.Request
	problems apperr.FieldErrors
}

func newQuery(r *http.Request) *query { return &query{r: r, problems: apperr.FieldErrors{}} }

func (q *query) str(name string) string { return strings.TrimSpace(q.r.URL.Query().Get(name)) }

func (q *query) intIn(name string, min, max int) int {
	s := q.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		q.problems.Add(name, apperr.IntRange, "min", min, "max", max)
		return 0
	}
	return n
}

// page reads limit and offset under the one paging rule (db.Paging): an
// absent limit is 0, so the service applies its default; a limit above the
// list's maximum is clamped by the service; a limit below 1, a negative
// offset or a non-number is a problem here.
func (q *query) page() (limit, offset int) {
	return q.limit(), q.count("offset", db.ParseOffset)
}

// limit reads the limit of a list without an offset.
func (q *query) limit() int { return q.count("limit", db.ParseLimit) }

func (q *query) count(name string, parse func(string) (int, apperr.PCode)) int {
	n, problem := parse(q.str(name))
	if problem != "" {
		q.problems.Add(name, problem)
	}
	return n
}

func (q *query) level() org.Level {
	s := q.str("level")
	if s == "" {
		return ""
	}
	for _, l := range org.Levels {
		if string(l) == s {
			return l
		}
	}
	q.problems.Add("level", apperr.OneOf, "values", "city, district, street, community")
	return ""
}

func (q *query) kind() org.Kind {
	switch k := org.Kind(q.str("kind")); k {
	case "", org.Territory, org.Department, org.Office:
		return k
	}
	q.problems.Add("kind", apperr.OneOf, "values", "territory, department, office")
	return ""
}

func (q *query) team() org.Team {
	switch t := org.Team(q.str("team")); t {
	case org.NoTeam, org.Deployed, org.MassWork, org.GridLeader:
		return t
	}
	q.problems.Add("team", apperr.OneOf, "values", "deployed, masswork, grid_leader")
	return ""
}

// shanghai is China Standard Time; China has no daylight saving, so a
// fixed zone needs no tz database on the server.
var shanghai = time.FixedZone("CST", 8*3600)

// time reads an RFC 3339 time or a date (YYYY-MM-DD, in Asia/Shanghai).
// With endOfDay a date means the start of the next day, so "to=2026-11-26"
// includes all of that day.
func (q *query) time(name string, endOfDay bool) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	d, err := time.ParseInLocation("2006-01-02", s, shanghai)
	if err != nil {
		q.problems.Add(name, apperr.DateOrTime)
		return time.Time{}
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC()
}

// optBool reads an optional true/false (or 1/0) parameter: nil when absent.
func (q *query) optBool(name string) *bool {
	switch q.str(name) {
	case "":
		return nil
	case "true", "1":
		v := true
		return &v
	case "false", "0":
		v := false
		return &v
	}
	q.problems.Add(name, apperr.OneOf, "values", "true, false")
	return nil
}

// flag reads an optional true/false parameter that defaults to false.
func (q *query) flag(name string) bool {
	v := q.optBool(name)
	return v != nil && *v
}

func (q *query) err() error {
	if len(q.problems) == 0 {
		return nil
	}
	return q.problems.Err()
}
