package web

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// casesPageSize is the number of cases per page of the list.
const casesPageSize = 30

// caseRoutes registers the pages of the case loop (待办, 案件, 督办) and the
// attachments they show.
func (s *server) caseRoutes(mux *http.ServeMux) {
	mux.Handle("GET /inbox", s.page(s.needCases(s.inboxPage)))
	mux.Handle("GET /cases", s.page(s.needCases(s.casesPage)))
	mux.Handle("GET /cases/new", s.page(s.needCases(s.newCaseForm)))
	mux.Handle("POST /cases", s.page(s.needCases(s.createCase)))
	mux.Handle("GET /cases/{id}", s.page(s.needCases(s.casePage)))
	mux.Handle("POST /cases/{id}/{action}", s.page(s.needCases(s.caseAction)))
	mux.Handle("GET /supervision", s.page(s.needCases(s.supervisionPage)))
	mux.Handle("GET /attachments/{id}", s.page(s.needBlobs(s.attachmentFile)))
	mux.Handle("GET /attachments/{id}/thumb", s.page(s.needBlobs(s.attachmentThumb)))
}

// needCases answers 404 when the console runs without the case service.
func (s *server) needCases(h pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Cases == nil {
			return errNotFound()
		}
		return h(w, r)
	}
}

// needBlobs answers 404 when the console runs without attachments.
func (s *server) needBlobs(h pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Blobs == nil {
			return errNotFound()
		}
		return h(w, r)
	}
}

// casesData is the filtered list of cases.
type casesData struct {
	Cases      []cases.Case
	Filter     url.Values
	Statuses   []cases.Status
	Sources    []cases.Source
	Categories []catGroup
	Pager      pager
	CanCreate  bool
}

// caseFilter reads the list filters from the query; a bad value is invalid
// naming its parameter.
func caseFilter(q url.Values) (cases.Filter, error) {
	f := cases.Filter{Category: strings.TrimSpace(q.Get("category")), Unit: strings.TrimSpace(q.Get("unit")),
		Q: strings.TrimSpace(q.Get("q")), Source: cases.Source(q.Get("source")), Overdue: cases.Overdue(q.Get("overdue"))}
	if st := q.Get("status"); st != "" {
		f.Status = []cases.Status{cases.Status(st)}
	}
	switch q.Get("supervised") {
	case "":
	case "1", "true":
		t := true
		f.Supervised = &t
	case "0", "false":
		fl := false
		f.Supervised = &fl
	default:
		return f, apperr.Field("supervised", apperr.OneOf, "values", "1, 0")
	}
	return f, nil
}

// casesPage handles GET /cases: the cases in the actor's scope, filtered
// and paged.
func (s *server) casesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f, err := caseFilter(q)
	p := pageParam(r)
	f.Limit, f.Offset = casesPageSize, (p-1)*casesPageSize
	var list []cases.Case
	total := 0
	if err == nil {
		list, total, err = s.Cases.Cases(ctx, f)
	}
	v := s.newView(r, "cases.title", "cases", nil)
	status := http.StatusOK
	if err != nil {
		st, ok := s.formError(v, err)
		if !ok {
			return err
		}
		status = st
	}
	d := &casesData{Cases: list, Filter: q, Statuses: cases.Statuses, Sources: cases.Sources,
		Pager: newPager(r, p, casesPageSize, total), Categories: s.categoryGroups(r),
		CanCreate: rbac.HasAnywhere(actor.From(ctx), cases.PermCaseCreate)}
	v.Data = d
	s.render(w, r, status, "cases_list", v)
	return nil
}

// catGroup is one 大类 of the catalogue with its 小类, for grouped selects.
type catGroup struct {
	Name       string
	Categories []cases.Category
}

// categoryGroups lists the active categories grouped by 大类; on error the
// select is empty and the service names the problem when the form is sent.
func (s *server) categoryGroups(r *http.Request) []catGroup {
	cats, err := s.Cases.Categories(r.Context(), cases.CategoryFilter{UnitCode: actor.From(r.Context()).UnitCode})
	if err != nil {
		s.Log.Warn("console: categories", "err", err)
		return nil
	}
	var out []catGroup
	idx := map[string]int{}
	for _, c := range cats {
		key := c.MajorCode + " " + c.MajorName
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, catGroup{Name: strings.TrimSpace(c.MajorName + " " + c.MajorCode)})
		}
		out[i].Categories = append(out[i].Categories, c)
	}
	return out
}

// caseFormData is the new-case form.
type caseFormData struct {
	Categories []catGroup
	Sources    []cases.Source
	Grids      []org.Grid
	Uploads    bool
}

// newCaseForm handles GET /cases/new (采集).
func (s *server) newCaseForm(w http.ResponseWriter, r *http.Request) error {
	if err := rbac.RequireAny(r.Context(), cases.PermCaseCreate); err != nil {
		return err
	}
	v := s.newView(r, "cases.new", "cases", nil)
	v.Form = url.Values{"source": {string(cases.SourcePatrol)}, "idempotency_key": {randomToken(16)}}
	s.showCaseForm(w, r, http.StatusOK, v)
	return nil
}

func (s *server) showCaseForm(w http.ResponseWriter, r *http.Request, status int, v *view) {
	d := &caseFormData{Categories: s.categoryGroups(r), Sources: cases.Sources, Uploads: s.Blobs != nil}
	if grids, _, err := s.Org.Grids(r.Context(), org.GridFilter{Limit: 500}); err == nil {
		d.Grids = grids
	}
	v.Data = d
	s.render(w, r, status, "cases_new", v)
}

// createCase handles POST /cases: uploads the photos, creates the case
// and shows its page.
func (s *server) createCase(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in := cases.CaseCreate{CategoryCode: r.PostFormValue("category_code"), Description: r.PostFormValue("description"),
		Address: r.PostFormValue("address"), Source: cases.Source(r.PostFormValue("source")),
		GridCode: r.PostFormValue("grid_code"), IdempotencyKey: r.PostFormValue("idempotency_key")}
	var err error
	if in.Lat, err = optFloat(r.PostFormValue("lat"), "lat", -90, 90); err == nil {
		in.Lng, err = optFloat(r.PostFormValue("lng"), "lng", -180, 180)
	}
	if err == nil {
		in.Attachments, err = s.uploadPhotos(r, "photos")
	}
	var c cases.Case
	if err == nil {
		c, _, err = s.Cases.CreateCase(ctx, in)
	}
	if err != nil {
		v := s.newView(r, "cases.new", "cases", nil)
		status, ok := s.formError(v, err)
		if !ok {
			return err
		}
		if msg, has := v.Errors["attachments"]; has {
			v.Errors["photos"] = msg
		}
		v.Form = formWithout(r.PostForm, "csrf")
		// The input changes before the next try, so it needs a new key.
		v.Form.Set("idempotency_key", randomToken(16))
		s.showCaseForm(w, r, status, v)
		return nil
	}
	seeOther(w, r, caseURL(c.ID), "flash.case_created")
	return nil
}

// caseURL is the console page of a case.
func caseURL(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// optFloat parses an optional coordinate within [lo, hi].
func optFloat(s, field string, lo, hi float64) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < lo || f > hi {
		return nil, apperr.Field(field, apperr.OutOfRange, "min", lo, "max", hi)
	}
	return &f, nil
}

// maxPhotos bounds the files of one step sent through the console.
const maxPhotos = 9

// uploadPhotos stores the files of a multipart field through the blob
// service and returns their attachment ids; a plain form has none.
func (s *server) uploadPhotos(r *http.Request, field string) ([]int64, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, nil
	}
	files := r.MultipartForm.File[field]
	if s.Blobs == nil {
		return nil, apperr.Field(field, apperr.AttachmentsOff)
	}
	if len(files) > maxPhotos {
		return nil, apperr.Field(field, apperr.MaxCount, "n", maxPhotos)
	}
	ids := make([]int64, 0, len(files))
	for _, fh := range files {
		id, err := s.uploadOne(r, fh, field)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *server) uploadOne(r *http.Request, fh *multipart.FileHeader, field string) (int64, error) {
	f, err := fh.Open()
	if err != nil {
		return 0, apperr.Field(field, apperr.Unreadable)
	}
	defer f.Close()
	att, err := s.Blobs.Upload(r.Context(), blob.UploadInput{Filename: fh.Filename, Content: f,
		Declared: fh.Header.Get("Content-Type"), Purpose: "case_step"})
	if err != nil {
		if e := apperr.As(err); e.Code == apperr.Invalid && len(e.Problems) > 0 {
			return 0, apperr.Field(field, apperr.FileProblem, "file", fh.Filename, "problem", apperr.ProblemOf(e))
		}
		return 0, err
	}
	return att.ID, nil
}
