package web

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"gridgov/internal/blob"
	"gridgov/internal/cases"
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
func (s *server) inboxPage(w http.ResponseWriter, r *http.Request) {
	items, err := s.Cases.Inbox(r.Context(), 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_inbox", s.newView(r, "inbox.title", "inbox", groupInbox(items)))
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
func (s *server) supervisionPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Cases.SupervisionBoard(r.Context(), 500, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "cases_supervision", s.newView(r, "supervision.title", "cases", list))
}

// attachmentFile handles GET /attachments/{id}: the file as a download.
func (s *server) attachmentFile(w http.ResponseWriter, r *http.Request) { s.serveFile(w, r, false) }

// attachmentThumb handles GET /attachments/{id}/thumb: the JPEG thumbnail.
func (s *server) attachmentThumb(w http.ResponseWriter, r *http.Request) { s.serveFile(w, r, true) }

// serveFile sends an attachment the actor may read, never letting the
// browser sniff or run it; out of scope is 404 like a missing one.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, thumb bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, r)
		return
	}
	open := s.Blobs.Open
	if thumb {
		open = s.Blobs.OpenThumb
	}
	att, rc, err := open(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	name, disp, ctype := att.Filename, "attachment", att.ContentType
	if thumb {
		name = strings.TrimSuffix(name, path.Ext(name)) + "-thumb.jpg"
		disp, ctype = "inline", "image/jpeg"
	} else if att.Kind == blob.Image {
		disp = "inline"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Content-Disposition", fileDisposition(disp, name))
	h.Set("Cache-Control", "private, max-age=3600")
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", att.CreatedAt, rs)
		return
	}
	_, _ = io.Copy(w, rc)
}

// fileDisposition writes an RFC 6266 header: an ASCII fallback name and
// the UTF-8 name in filename*.
func fileDisposition(disp, name string) string {
	var ascii, enc strings.Builder
	for _, c := range name {
		if c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(c)
		}
	}
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, ascii.String(), enc.String())
}
