package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/registry"
)

func init() { pages = append(pages, "security_alerts", "security_access") }

// securityRoutes mounts the anomalous-access pages (PRIV-11): the open
// alerts with their acknowledgement, and the people disclosed to a user
// or in a time window. The registry service answers who may see them
// (audit.read, by scope).
func (s *server) securityRoutes(mux *http.ServeMux) {
	mux.Handle("GET /security/alerts", s.page(s.alertsPage))
	mux.Handle("POST /security/alerts/{id}/ack", s.page(s.ackAlert))
	mux.Handle("GET /security/access", s.page(s.accessPage))
}

// alertLine is an alert on the page, with the link to the people affected.
type alertLine struct {
	registry.SecurityAlert
	AccessURL string
}

// alertsData is the alerts page.
type alertsData struct {
	Alerts []alertLine
	All    bool
}

// alertsPage handles GET /security/alerts (?all=1 shows acknowledged ones too).
func (s *server) alertsPage(w http.ResponseWriter, r *http.Request) error {
	v := s.newView(r, "security.alerts", "security", nil)
	s.showAlerts(w, r, http.StatusOK, v)
	return nil
}

func (s *server) showAlerts(w http.ResponseWriter, r *http.Request, status int, v *view) {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.Registry.SecurityAlerts(r.Context(), !all, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &alertsData{All: all}
	for _, a := range list {
		q := url.Values{"user": {a.Username}, "from": {a.RaisedAt.Add(-time.Hour).Format(time.RFC3339)},
			"to": {a.RaisedAt.Add(time.Hour).Format(time.RFC3339)}}
		d.Alerts = append(d.Alerts, alertLine{SecurityAlert: a, AccessURL: "/security/access?" + q.Encode()})
	}
	v.Data = d
	s.render(w, r, status, "security_alerts", v)
}

// ackAlert handles POST /security/alerts/{id}/ack with a note.
func (s *server) ackAlert(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	if _, err := s.Registry.AckSecurityAlert(r.Context(), id, r.PostFormValue("note")); err != nil {
		v := s.newView(r, "security.alerts", "security", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.keyErrors(func(k string) string { return k + "." + strconv.FormatInt(id, 10) })
		s.showAlerts(w, r, status, v)
		return nil
	}
	seeOther(w, r, "/security/alerts", "flash.security_acked")
	return nil
}

// accessData is the page of the people affected.
type accessData struct {
	Rows    []registry.AccessRecord
	Queried bool
}

// accessPage handles GET /security/access?user=&from=&to=: the people
// disclosed to a user or in a window (RFC 3339 times or dates).
func (s *server) accessPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := s.newView(r, "security.access", "security", nil)
	v.Form = q
	d := &accessData{}
	v.Data = d
	f := registry.AccessFilter{Username: strings.TrimSpace(q.Get("user")), Limit: 2000}
	bad := apperr.FieldErrors{}
	f.From = s.formTime(q.Get("from"), false, "from", bad)
	f.To = s.formTime(q.Get("to"), true, "to", bad)
	if len(bad) > 0 {
		status, _ := s.formError(v, bad.Err())
		s.render(w, r, status, "security_access", v)
		return nil
	}
	if f.Username == "" && f.From.IsZero() && f.To.IsZero() {
		// The empty form: nothing asked yet.
		if _, err := s.Registry.SecurityAlerts(r.Context(), true, 1); err != nil {
			return err
		}
		s.render(w, r, http.StatusOK, "security_access", v)
		return nil
	}
	rows, err := s.Registry.AccessLog(r.Context(), f)
	if err != nil {
		if status, ok := s.formError(v, err); ok {
			s.render(w, r, status, "security_access", v)
			return nil
		}
		return err
	}
	d.Rows, d.Queried = rows, true
	s.render(w, r, http.StatusOK, "security_access", v)
	return nil
}

// formTime reads an RFC 3339 time or a date in the console's zone; with
// endOfDay a date means the start of the next day.
func (s *server) formTime(v string, endOfDay bool, name string, bad apperr.FieldErrors) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC()
	}
	d, err := time.ParseInLocation("2006-01-02", v, s.loc)
	if err != nil {
		bad.Add(name, apperr.DateOrTime)
		return time.Time{}
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC()
}
