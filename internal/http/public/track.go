package public

import (
	"net/http"
	"strconv"

	"gridgov/internal/apperr"
	"gridgov/internal/citizen"
	"gridgov/internal/http/httpx"
)

// trackData is a report's tracking page.
type trackData struct {
	Code    string // the tracking code; empty on the public page by number
	Base    string // the page's path, for photo links
	Req     citizen.Request
	Trail   []citizen.Update
	Photos  []int64
	Status  string // i18n key of the status in plain words
	New     bool   // just filed: show the code prominently
	CanRate bool
	Rated   bool
	Errors  map[string]string
	Rating  string
	Note    string
}

// plainStatus names a loop status in plain words for the public.
func plainStatus(detailed string) string {
	switch detailed {
	case "reported":
		return "status.received"
	case "closed":
		return "status.closed"
	case "rejected":
		return "status.rejected"
	case "merged":
		return "status.merged"
	case "suspended":
		return "status.suspended"
	case "feedback":
		return "status.checking"
	}
	return "status.handling"
}

// trackForm handles GET /public/track: a form for the code, or with
// ?code= a redirect to its page.
func (h *handler) trackForm(w http.ResponseWriter, r *http.Request) {
	if code := citizen.NormalizeToken(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, "/public/t/"+code, http.StatusSeeOther)
		return
	}
	v := h.newView(w, r, "track.title")
	h.render(w, r, http.StatusOK, "track_form", v)
}

// track handles GET /public/t/{code}.
func (h *handler) track(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "track.title")
	d, err := h.trackData(r, r.PathValue("code"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d.New = r.URL.Query().Get("new") != ""
	v.Data = d
	h.render(w, r, http.StatusOK, "track", v)
}

// publicReport handles GET /public/r/{number}: the public page of a
// report by its case number, as linked from the duplicate suggestion, so
// a citizen can follow someone else's report; it shows no tracking code
// and takes no rating.
func (h *handler) publicReport(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "track.title")
	q, err := h.Citizen.ByRequestID(r.Context(), r.PathValue("number"))
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d, err := h.viewOf(r, q, "")
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	d.CanRate = false
	v.Data = d
	h.render(w, r, http.StatusOK, "track", v)
}

func (h *handler) trackData(r *http.Request, code string) (*trackData, error) {
	code = citizen.NormalizeToken(code)
	q, err := h.Citizen.ByToken(r.Context(), code)
	if err != nil {
		return nil, err
	}
	return h.viewOf(r, q, code)
}

func (h *handler) viewOf(r *http.Request, q citizen.Request, code string) (*trackData, error) {
	base := "/public/r/" + q.RequestID
	if code != "" {
		base = "/public/t/" + code
	}
	trail, err := h.Citizen.Trail(r.Context(), q.CaseID)
	if err != nil {
		return nil, err
	}
	photos, err := h.Citizen.Photos(r.Context(), q.CaseID)
	if err != nil {
		return nil, err
	}
	return &trackData{Code: code, Base: base, Req: q, Trail: trail, Photos: photos, Status: plainStatus(q.DetailedStatus),
		CanRate: q.Status == "closed" && q.Rating == nil, Rated: q.Rating != nil, Errors: map[string]string{}}, nil
}

// rate handles POST /public/t/{code}/rate (评价, once the case is closed).
func (h *handler) rate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	v := h.newView(w, r, "track.title")
	code := r.PathValue("code")
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	_, err := h.Citizen.Rate(r.Context(), code, score, r.PostFormValue("note"))
	if err == nil {
		http.Redirect(w, r, "/public/t/"+citizen.NormalizeToken(code)+"#rating", http.StatusSeeOther)
		return
	}
	c := apperr.CodeOf(err)
	if c != apperr.Invalid && c != apperr.Conflict {
		h.failPage(w, r, err)
		return
	}
	d, derr := h.trackData(r, code)
	if derr != nil {
		h.failPage(w, r, derr)
		return
	}
	e := apperr.As(err)
	for k, m := range e.FieldText(v.Lang) {
		d.Errors[k] = m
	}
	if len(e.Fields) == 0 {
		v.Error = e.Message
	}
	d.Rating, d.Note = r.PostFormValue("score"), r.PostFormValue("note")
	v.Data = d
	h.render(w, r, statusOf(err), "track", v)
}

// photo handles GET /public/t/{code}/photo/{id}[?thumb=1] and
// /public/r/{number}/photo/{id}: a public photo of that report (never one
// a moderator hid).
func (h *handler) photo(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.failPage(w, r, apperr.NotFoundf("photo not found"))
		return
	}
	var q citizen.Request
	if code := r.PathValue("code"); code != "" {
		q, err = h.Citizen.ByToken(r.Context(), code)
	} else {
		q, err = h.Citizen.ByRequestID(r.Context(), r.PathValue("number"))
	}
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	thumb := r.URL.Query().Get("thumb") != ""
	att, rc, err := h.Portal.OpenPhoto(r.Context(), q.CaseID, id, thumb)
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	defer rc.Close()
	httpx.ServeAttachment(w, r, att, rc, thumb, true)
}

// captchaImage handles GET /public/captcha?t=token: the challenge's image.
func (h *handler) captchaImage(w http.ResponseWriter, r *http.Request) {
	b, err := h.Captcha.Image(r.URL.Query().Get("t"))
	if err != nil {
		http.Error(w, "expired", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
