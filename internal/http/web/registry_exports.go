package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/http/httpx"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

func init() { pages = append(pages, "registry_exports") }

// exportRoutes registers the people export and its approval pages.
func (s *server) exportRoutes(mux *http.ServeMux) {
	mux.Handle("GET /registry/export", s.page(s.exportPage))
	mux.Handle("POST /registry/export", s.page(s.runExport))
	mux.Handle("GET /registry/exports", s.page(s.exportsPage))
	mux.Handle("POST /registry/exports/{id}/approve", s.page(s.decideExport(true)))
	mux.Handle("POST /registry/exports/{id}/reject", s.page(s.decideExport(false)))
	mux.Handle("GET /registry/exports/{id}/download", s.page(s.downloadExport))
}

// exportsData is the export form or the list of export requests.
type exportsData struct {
	Form        bool
	Filter      url.Values
	PersonTypes []string
	Pending     *transfer.ExportRequest
	Mine        []transfer.ExportRequest
	ToApprove   []transfer.ExportRequest
	CanApprove  bool
}

// exportPage handles GET /registry/export: without format it shows the
// filters and the reason; with format=csv|xlsx (a link) it downloads the
// people the filters select, masked, when no approval is needed — above
// the threshold the form asks for a reason, posted to POST /registry/export.
func (s *server) exportPage(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermExport); err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Get("format") == "" {
		s.render(w, r, http.StatusOK, "registry_exports", s.exportForm(r, q))
		return nil
	}
	s.export(w, r, q, "")
	return nil
}

// runExport handles POST /registry/export: the export, or, above the
// approval threshold, an export request (202, a page saying it awaits
// approval).
func (s *server) runExport(w http.ResponseWriter, r *http.Request) error {
	s.export(w, r, formWithout(r.PostForm, "csrf", "reason"), r.PostFormValue("reason"))
	return nil
}

// exportForm is the view of the export form with the filters q.
func (s *server) exportForm(r *http.Request, q url.Values) *view {
	return s.newView(r, "registry.export", "registry", &exportsData{Form: true, Filter: q, PersonTypes: personTypes})
}

// export runs the export of the filters q. The file is built in memory
// first so that a refused or failed export is a page, not half a file.
func (s *server) export(w http.ResponseWriter, r *http.Request, q url.Values, reason string) {
	format, ok := downloadFormat(r)
	if r.Method == http.MethodPost {
		format, ok = q.Get("format"), q.Get("format") == "csv" || q.Get("format") == "xlsx"
	}
	if !ok {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	res, err := s.Transfer.Export(r.Context(), transfer.ExportInput{Filter: peopleFilter(q), Format: format, Reason: reason}, &buf)
	if err != nil {
		v := s.exportForm(r, q)
		v.Form = url.Values{"reason": {reason}}
		status, ok := s.formError(v, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "registry_exports", v)
		return
	}
	if res.Request != nil {
		v := s.exportsView(r)
		if v == nil {
			s.fail(w, r, apperr.New(apperr.Internal, "export requests"))
			return
		}
		d := v.Data.(*exportsData)
		d.Pending = res.Request
		v.Flash = s.cat.T(v.Lang)("registry.export_pending", res.Request.ID, res.Request.Rows)
		v.FlashKind = "ok"
		s.render(w, r, http.StatusAccepted, "registry_exports", v)
		return
	}
	sendExport(w, res.Mark, format, buf.Bytes())
}

// sendExport answers an export file named with its watermark.
func sendExport(w http.ResponseWriter, m transfer.Watermark, format string, body []byte) {
	setDownload(w, "people", format)
	w.Header().Set("Content-Disposition", httpx.ContentDisposition("attachment", m.FileName(format)))
	_, _ = w.Write(body)
}

// exportsView is the list of my export requests and those awaiting my
// approval; nil after a failure that the caller reports.
func (s *server) exportsView(r *http.Request) *view {
	ctx := r.Context()
	a := actor.From(ctx)
	d := &exportsData{CanApprove: rbac.HasAnywhere(a, transfer.PermExportApprove)}
	if rbac.HasAnywhere(a, registry.PermExport) {
		mine, _, err := s.Transfer.ExportRequests(ctx, transfer.ExportListFilter{Mine: true, Limit: 50})
		if err != nil {
			return nil
		}
		d.Mine = mine
	}
	if d.CanApprove {
		to, _, err := s.Transfer.ExportRequests(ctx, transfer.ExportListFilter{ToApprove: true, Limit: 50})
		if err != nil {
			return nil
		}
		d.ToApprove = to
	}
	return s.newView(r, "registry.exports", "registry", d)
}

// exportsPage handles GET /registry/exports.
func (s *server) exportsPage(w http.ResponseWriter, r *http.Request) error {
	a := actor.From(r.Context())
	if !rbac.HasAnywhere(a, registry.PermExport) && !rbac.HasAnywhere(a, transfer.PermExportApprove) {
		return apperr.Newf(apperr.Forbidden, "permission %s required", registry.PermExport)
	}
	v := s.exportsView(r)
	if v == nil {
		return apperr.New(apperr.Internal, "export requests")
	}
	s.render(w, r, http.StatusOK, "registry_exports", v)
	return nil
}

// decideExport handles POST /registry/exports/{id}/approve and /reject,
// with the note of the form.
func (s *server) decideExport(approve bool) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return errNotFound()
		}
		note := r.PostFormValue("note")
		flash := "flash.export_approved"
		if approve {
			_, err = s.Transfer.ApproveExport(r.Context(), id, note)
		} else {
			_, err = s.Transfer.RejectExport(r.Context(), id, note)
			flash = "flash.export_rejected"
		}
		if err != nil {
			s.exportsError(w, r, err)
			return nil
		}
		seeOther(w, r, "/registry/exports", flash)
		return nil
	}
}

// downloadExport handles GET /registry/exports/{id}/download: the
// approved export, once, for its requester.
func (s *server) downloadExport(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound()
	}
	ctx := r.Context()
	req, err := s.Transfer.ExportRequestByID(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := s.Transfer.DownloadExport(ctx, id, &buf, nil)
	if err != nil {
		s.exportsError(w, r, err)
		return nil
	}
	sendExport(w, res.Mark, req.Format, buf.Bytes())
	return nil
}

// exportsError shows a refused decision or download on the list page.
func (s *server) exportsError(w http.ResponseWriter, r *http.Request, err error) {
	v := s.exportsView(r)
	if v == nil {
		s.fail(w, r, err)
		return
	}
	status, ok := s.formError(v, err)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "registry_exports", v)
}
