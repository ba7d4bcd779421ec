package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/calendar"
	"gridgov/internal/http/httpx"
)

// maxCalendarImport bounds an import body; a year's calendar is a few KB.
const maxCalendarImport = 4 << 20

func (a *api) calendarRoutes() []route {
	return []route{
		{Method: "GET", Path: "/calendar/deadline", Handler: a.calendarDeadlineHandler},
		{Method: "GET", Path: "/calendar/days", Handler: a.calendarDaysHandler},
		{Method: "POST", Path: "/calendar/import", Handler: a.calendarImportHandler},
	}
}

func (a *api) calendarService() (*calendar.Service, error) {
	if a.Calendar == nil {
		return nil, apperr.New(apperr.Internal, "calendar service not configured")
	}
	return a.Calendar, nil
}

// calendarDeadline is the answer of GET /calendar/deadline.
type calendarDeadline struct {
	From     string `json:"from"`
	Limit    string `json:"limit"`
	Deadline string `json:"deadline"`
}

func (a *api) calendarDeadlineHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.calendarService()
	if err != nil {
		return err
	}
	q := newQuery(r)
	limit, err := calendar.ParseLimit(q.str("limit"))
	if err != nil {
		return err
	}
	from := svc.Now()
	if s := q.str("from"); s != "" {
		if from, err = time.Parse(time.RFC3339, s); err != nil {
			return apperr.Field("from", apperr.Time)
		}
	}
	cal := svc.Calendar()
	return ok(w, calendarDeadline{
		From:     from.In(cal.Location()).Format(time.RFC3339),
		Limit:    limit.String(),
		Deadline: cal.Deadline(from, limit).Format(time.RFC3339),
	})
}

// calendarDays is the answer of GET /calendar/days.
type calendarDays struct {
	Year    int            `json:"year"`
	Covered bool           `json:"covered"`
	Items   []calendar.Day `json:"items"`
	Total   int            `json:"total"`
}

func (a *api) calendarDaysHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.calendarService()
	if err != nil {
		return err
	}
	year := svc.Now().Year()
	if s := newQuery(r).str("year"); s != "" {
		if year, err = strconv.Atoi(s); err != nil {
			return apperr.Field("year", apperr.Year)
		}
	}
	days, err := svc.Days(r.Context(), year)
	if err != nil {
		return err
	}
	return ok(w, calendarDays{Year: year, Covered: svc.Calendar().Covers(year), Items: days, Total: len(days)})
}

func (a *api) calendarImportHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.calendarService()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCalendarImport))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Newf(httpx.TooLarge, "request body is larger than %d bytes", maxCalendarImport)
		}
		return apperr.New(apperr.BadRequest, "could not read the request body")
	}
	res, err := svc.Import(r.Context(), newQuery(r).str("format"), bytes.NewReader(body))
	if err != nil {
		return err
	}
	return ok(w, res)
}
