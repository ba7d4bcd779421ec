package api

import (
	"net/http"

	"gridgov/internal/http/httpx"
	"gridgov/internal/registry"
)

// securityRoutes are the anomalous-access alerts and the affected-people
// list (PRIV-11), for holders of audit.read within their scope.
func (a *api) securityRoutes() []route {
	return []route{
		{Method: "GET", Path: "/security/alerts", Handler: a.listAlertsHandler},
		{Method: "POST", Path: "/security/alerts/{id}/ack", Handler: a.ackAlertHandler},
		{Method: "GET", Path: "/security/access", Handler: a.accessLogHandler},
	}
}

func (a *api) listAlertsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	open := q.flag("open")
	limit, _ := q.page()
	if err := q.err(); err != nil {
		return err
	}
	alerts, err := a.Registry.SecurityAlerts(r.Context(), open, limit)
	if err != nil {
		return err
	}
	return ok(w, newList(alerts, len(alerts)))
}

func (a *api) ackAlertHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b struct {
		Note string `json:"note"`
	}
	if err := httpx.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	al, err := a.Registry.AckSecurityAlert(r.Context(), id, b.Note)
	if err != nil {
		return err
	}
	return ok(w, al)
}

// accessLogHandler lists the people disclosed to a user or in a window:
// ?user=NAME&from=…&to=… (RFC 3339 times or dates).
func (a *api) accessLogHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	f := registry.AccessFilter{Username: q.str("user"), From: q.time("from", false), To: q.time("to", true)}
	f.Limit, _ = q.page()
	if err := q.err(); err != nil {
		return err
	}
	rows, err := a.Registry.AccessLog(r.Context(), f)
	if err != nil {
		return err
	}
	return ok(w, newList(rows, len(rows)))
}
