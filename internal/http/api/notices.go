package api

import (
	"net/http"
)

// noticeRoutes are the logged-in user's in-app notices (the outbox's
// in-app messages addressed to the user or to a unit of the user's
// grants), read by the field app's notice list and badge.
func (a *api) noticeRoutes() []route {
	return []route{
		{Method: "GET", Path: "/notices", Handler: a.listNoticesHandler},
		{Method: "POST", Path: "/notices/{id}/read", Handler: a.readNoticeHandler},
	}
}

// listNoticesHandler answers the user's notices, unread first, with the
// unread count.
func (a *api) listNoticesHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	l, err := a.Cases.Notices(r.Context(), limit)
	if err != nil {
		return err
	}
	return ok(w, l)
}

// readNoticeHandler marks one of the user's notices read (204; again: 204).
func (a *api) readNoticeHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.Cases.MarkNoticeRead(r.Context(), id); err != nil {
		return err
	}
	return noContent(w)
}
