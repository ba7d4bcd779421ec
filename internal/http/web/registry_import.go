package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
	"gridgov/internal/registry"
	"gridgov/internal/registry/transfer"
)

// importJobsShown is the number of recent jobs the import page lists.
const importJobsShown = 20

// importData is the import page: the upload form, one job's result when
// it was just run or opened, and the recent jobs.
type importData struct {
	Units   []org.Unit
	Sources []registry.Source
	Job     *transfer.ImportJob
	Jobs    []transfer.ImportJob
	Total   int
}

// importPage handles GET /registry/import.
func (s *server) importPage(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), registry.PermImport); err != nil {
		return err
	}
	v := s.newView(r, "registry.import", "registry", nil)
	v.Form = url.Values{"source": {string(registry.SourceBase)}}
	s.showImport(w, r, http.StatusOK, v, nil)
	return nil
}

func (s *server) showImport(w http.ResponseWriter, r *http.Request, status int, v *view, job *transfer.ImportJob) {
	if job != nil {
		// The report shows each failed row's problems in the reader's
		// language; the job itself keeps them as codes.
		shown := *job
		shown.Failures = make([]transfer.RowFailure, len(job.Failures))
		for i, f := range job.Failures {
			f.Problem = f.Text(v.Lang)
			shown.Failures[i] = f
		}
		job = &shown
	}
	d := &importData{Units: s.permUnits(r, registry.PermImport), Sources: registrySources, Job: job}
	jobs, total, err := s.Transfer.ImportJobs(r.Context(), importJobsShown, 0)
	if err != nil && !hidden(err) {
		s.Log.Warn("console: import jobs", "err", err)
	}
	d.Jobs, d.Total = jobs, total
	v.Data = d
	s.render(w, r, status, "registry_import", v)
}

// runImport handles POST /registry/import: the uploaded .xlsx or .csv is
// kept in a temporary file while ImportPeople reads it, then the page of
// the job shows the counts and the first failures.
func (s *server) runImport(w http.ResponseWriter, r *http.Request) error {
	job, err := s.importUpload(r)
	if err != nil {
		v := s.newView(r, "registry.import", "registry", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		v.Form = formWithout(r.PostForm, "csrf")
		s.showImport(w, r, status, v, nil)
		return nil
	}
	seeOther(w, r, "/registry/import/"+strconv.FormatInt(job.ID, 10), "flash.registry_imported")
	return nil
}

func (s *server) importUpload(r *http.Request) (transfer.ImportJob, error) {
	if err := rbac.RequireAny(r.Context(), registry.PermImport); err != nil {
		return transfer.ImportJob{}, err
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return transfer.ImportJob{}, apperr.Field("file", apperr.Unreadable)
	}
	fh := r.MultipartForm.File["file"]
	if len(fh) != 1 {
		return transfer.ImportJob{}, apperr.Field("file", apperr.UploadFile)
	}
	src, err := fh[0].Open()
	if err != nil {
		return transfer.ImportJob{}, apperr.Field("file", apperr.Unreadable)
	}
	defer src.Close()
	ext := strings.ToLower(filepath.Ext(fh[0].Filename))
	if ext != ".xlsx" && ext != ".csv" {
		ext = ""
	}
	tmp, err := os.CreateTemp("", "gridgov-import-*"+ext)
	if err != nil {
		return transfer.ImportJob{}, apperr.Wrap(err, "import upload")
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return transfer.ImportJob{}, apperr.Wrap(err, "import upload")
	}
	return s.Transfer.ImportPeople(r.Context(), tmp.Name(), transfer.ImportOptions{
		UnitCode: r.PostFormValue("unit_code"), Source: registry.Source(r.PostFormValue("source")),
		Filename: filepath.Base(fh[0].Filename)})
}

// importJobPage handles GET /registry/import/{id}: one job's result.
func (s *server) importJobPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound()
	}
	job, err := s.Transfer.ImportJobByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.newView(r, "registry.import", "registry", nil)
	v.Form = url.Values{"source": {string(job.Source)}, "unit_code": {job.UnitCode}}
	s.showImport(w, r, http.StatusOK, v, &job)
	return nil
}

// downloadFormat reads ?format=csv|xlsx (csv by default).
func downloadFormat(r *http.Request) (string, bool) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "csv":
		return "csv", true
	case "xlsx":
		return "xlsx", true
	}
	return "", false
}

// setDownload sets the headers of a file download.
func setDownload(w http.ResponseWriter, name, format string) {
	h := w.Header()
	if format == "xlsx" {
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	}
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	h.Set("Cache-Control", "no-store")
}

// importFailures handles GET /registry/import/{id}/failures: the rows of
// the importer's file that failed, with the problems, as csv or xlsx.
func (s *server) importFailures(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	format, okf := downloadFormat(r)
	if err != nil || id <= 0 || !okf {
		return errNotFound()
	}
	if _, err := s.Transfer.ImportJobByID(r.Context(), id); err != nil {
		return err
	}
	setDownload(w, fmt.Sprintf("import-%d-failures", id), format)
	if err := s.Transfer.WriteImportFailures(r.Context(), id, w, format); err != nil {
		s.Log.Error("console: import failures", "job", id, "err", err)
	}
	return nil
}

// importTemplate handles GET /registry/import/template: the standard
// template, as csv or xlsx.
func (s *server) importTemplate(w http.ResponseWriter, r *http.Request) error {
	format, ok := downloadFormat(r)
	if !ok {
		return errNotFound()
	}
	if err := rbac.RequireAny(r.Context(), registry.PermImport); err != nil {
		return err
	}
	setDownload(w, "people-template", format)
	if err := transfer.WritePeopleTemplate(w, format); err != nil {
		s.Log.Error("console: template", "err", err)
	}
	return nil
}
