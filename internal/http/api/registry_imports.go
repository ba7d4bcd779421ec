package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/http/httpx"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// maxPeopleImport bounds an uploaded people file (a district's population
// library as .csv is about 150 MB per million people).
const maxPeopleImport = 200 << 20

// maxImportField bounds the small form fields of an import.
const maxImportField = 4 << 10

// importRoutes are the registry's import and export routes.
func (a *api) importRoutes() []route {
	return []route{
		{Method: "POST", Path: "/people/import", Handler: a.importPeopleHandler},
		{Method: "GET", Path: "/people/export", Handler: a.exportPeopleHandler},
		{Method: "GET", Path: "/people/template", Handler: a.peopleTemplateHandler},
		{Method: "GET", Path: "/imports", Handler: a.importJobsHandler},
		{Method: "GET", Path: "/imports/{id}", Handler: a.importJobHandler},
		{Method: "GET", Path: "/imports/{id}/failures", Handler: a.importFailuresHandler},
	}
}

// importPeopleHandler takes multipart/form-data with unit_code and source
// fields and a "file" part, spools the file to a temporary file and runs
// the import; it answers the job (201), whose failures list the rows not
// imported.
func (a *api) importPeopleHandler(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apperr.New(httpx.UnsupportedMediaType, "Content-Type must be multipart/form-data with a file field")
	}
	limit := int64(maxPeopleImport + multipartSlack)
	body := &bodyErr{r: http.MaxBytesReader(w, r.Body, limit)}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.New(apperr.BadRequest, "malformed multipart body: "+err.Error())
	}
	opts := transfer.ImportOptions{UnitCode: r.URL.Query().Get("unit_code"), Source: registry.Source(r.URL.Query().Get("source"))}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.Field("file", apperr.Required)
		}
		if err != nil {
			return body.or(apperr.New(apperr.BadRequest, "malformed multipart body"), limit)
		}
		switch part.FormName() {
		case "unit_code", "source":
			b, err := io.ReadAll(io.LimitReader(part, maxImportField+1))
			if err != nil || len(b) > maxImportField {
				return body.or(apperr.Field(part.FormName(), apperr.TooLong), limit)
			}
			if part.FormName() == "unit_code" {
				opts.UnitCode = strings.TrimSpace(string(b))
			} else {
				opts.Source = registry.Source(strings.TrimSpace(string(b)))
			}
		case "file":
			opts.Filename = part.FileName()
			return a.runPeopleImport(w, r, part, opts, body, limit)
		}
	}
}

// runPeopleImport spools the file part and imports it.
func (a *api) runPeopleImport(w http.ResponseWriter, r *http.Request, part io.Reader, opts transfer.ImportOptions, body *bodyErr, limit int64) error {
	tmp, err := os.CreateTemp("", "gridgov-import-*")
	if err != nil {
		return apperr.Wrap(err, "spool import")
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, part)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return body.or(apperr.Wrap(err, "spool import"), limit)
	}
	job, err := a.Transfer.ImportPeople(r.Context(), tmp.Name(), opts)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, job)
	return nil
}

// exportFormat reads ?format=csv|xlsx (csv by default).
func exportFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "csv":
		return "csv", nil
	case "xlsx":
		return "xlsx", nil
	}
	return "", apperr.Field("format", apperr.OneOf, "values", "csv, xlsx")
}

// download sets the headers of a file answer.
func download(w http.ResponseWriter, name, format string) {
	ct := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", httpx.ContentDisposition("attachment", name+"."+format))
	w.Header().Set("Cache-Control", "no-store")
}

// exportPeopleHandler streams the people matching the filters of GET
// /people, masked; above the approval threshold it needs ?reason= and
// answers 202 with the pending request (registry_exports.go).
func (a *api) exportPeopleHandler(w http.ResponseWriter, r *http.Request) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := peopleFilter(r)
	if err != nil {
		return err
	}
	return a.runExport(w, r, transfer.ExportInput{Filter: f, Format: format, Reason: r.URL.Query().Get("reason")})
}

// lazyWriter sets the download headers on the first write, so an error
// before it still answers as JSON.
type lazyWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

// peopleTemplateHandler answers the empty import template.
func (a *api) peopleTemplateHandler(w http.ResponseWriter, r *http.Request) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	lw := &lazyWriter{w: w, start: func() { download(w, "people-template", format) }}
	return transfer.WritePeopleTemplate(lw, format)
}

// importJobsHandler lists the import jobs in scope, newest first.
func (a *api) importJobsHandler(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	limit, offset := q.page()
	if err := q.err(); err != nil {
		return err
	}
	jobs, total, err := a.Transfer.ImportJobs(r.Context(), limit, offset)
	if err != nil {
		return err
	}
	return ok(w, map[string]any{"items": jobs, "total": total})
}

func (a *api) importJobHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := a.Transfer.ImportJobByID(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, job)
}

// importFailuresHandler answers a job's failed rows as a file, with the
// extra 错误原因 column.
func (a *api) importFailuresHandler(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	lw := &lazyWriter{w: w, start: func() { download(w, "import-failures", format) }}
	if err := a.Transfer.WriteImportFailures(r.Context(), id, lw, format); err != nil && !lw.started {
		return err
	}
	return nil
}
