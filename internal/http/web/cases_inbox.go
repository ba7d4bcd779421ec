package web

import (
	"net/http"
	"strconv"

	"gridgov/internal/cases"
	"gridgov/internal/http/httpx"
)

// inboxTasks is the order of the groups of the to-do inbox.
var inboxTasks = []string{"report", "accept", "sign", "handle", "verify"}

// inboxGroup is the to-do items of one task.
type inboxGroup struct {
	Task  string
	Items []cases.InboxItem
}

// inboxPage handles GET /inbox (待办): what waits for the actor's units,
// grouped by task.
func (s *server) inboxPage(w http.ResponseWriter, r *http.Request) error {
	items, err := s.Cases.Inbox(r.Context(), 500)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "cases_inbox", s.newView(r, "inbox.title", "inbox", groupInbox(items)))
	return nil
}

// groupInbox groups items by task in inboxTasks order; unknown tasks
// follow at the end.
func groupInbox(items []cases.InboxItem) []inboxGroup {
	idx := map[string]int{}
	var out []inboxGroup
	for _, t := range inboxTasks {
		idx[t] = len(out)
		out = append(out, inboxGroup{Task: t})
	}
	for _, it := range items {
		i, ok := idx[it.Task]
		if !ok {
			i = len(out)
			idx[it.Task] = i
			out = append(out, inboxGroup{Task: it.Task})
		}
		out[i].Items = append(out[i].Items, it)
	}
	kept := out[:0]
	for _, g := range out {
		if len(g.Items) > 0 {
			kept = append(kept, g)
		}
	}
	return kept
}

// supervisionPage handles GET /supervision: the open supervision orders
// of cases in scope, earliest deadline first.
func (s *server) supervisionPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Cases.SupervisionBoard(r.Context(), 500, 0)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "cases_supervision", s.newView(r, "supervision.title", "cases", list))
	return nil
}

// attachmentFile handles GET /attachments/{id}: the file as a download.
func (s *server) attachmentFile(w http.ResponseWriter, r *http.Request) error {
	return s.serveFile(w, r, false)
}

// attachmentThumb handles GET /attachments/{id}/thumb: the JPEG thumbnail.
func (s *server) attachmentThumb(w http.ResponseWriter, r *http.Request) error {
	return s.serveFile(w, r, true)
}

// serveFile sends an attachment the actor may read, never letting the
// browser sniff or run it; out of scope is 404 like a missing one.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, thumb bool) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return nil
	}
	open := s.Blobs.Open
	if thumb {
		open = s.Blobs.OpenThumb
	}
	att, rc, err := open(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	httpx.ServeAttachment(w, r, att, rc, thumb, true)
	return nil
}
