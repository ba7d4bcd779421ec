package public

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
)

// MaxPhoto is the largest photo the portal takes (the attachments
// service's own image limit may be lower).
const MaxPhoto = 10 << 20

// maxReportBody bounds a report request: one photo and the text fields.
const maxReportBody = MaxPhoto + 256<<10

// reportData is the report page.
type reportData struct {
	Groups        []catGroup
	Form          reportForm
	Errors        map[string]string
	Captcha       string
	Duplicates    []citizen.Nearby
	NoticeVersion string
	TileURL       string
	TileAttr      string
	Center        [2]float64
	Zoom          int
}

// catGroup is one major category (大类) with its categories.
type catGroup struct {
	Name  string
	Items []cases.Category
}

// reportForm is what the citizen typed, echoed back on errors.
type reportForm struct {
	Category, Description, Address, Phone string
	Lat, Lng, Accuracy                    string
	CaptchaAnswer                         string
	PhotoIDs                              string // photos already uploaded in a first round
	Notice, ConfirmNew                    bool
}

func (h *handler) reportForm(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "report.title")
	d, err := h.reportData(r, reportForm{Category: r.URL.Query().Get("category")})
	if err != nil {
		h.failPage(w, r, err)
		return
	}
	v.Data = d
	h.render(w, r, http.StatusOK, "report", v)
}

// reportData prepares the form with the catalogue and a fresh CAPTCHA.
func (h *handler) reportData(r *http.Request, f reportForm) (*reportData, error) {
	cats, err := h.Citizen.Services(r.Context())
	if err != nil {
		return nil, err
	}
	var groups []catGroup
	for _, c := range cats {
		if !c.Active {
			continue
		}
		if n := len(groups); n == 0 || groups[n-1].Name != c.MajorName {
			groups = append(groups, catGroup{Name: c.MajorName})
		}
		groups[len(groups)-1].Items = append(groups[len(groups)-1].Items, c)
	}
	return &reportData{Groups: groups, Form: f, Errors: map[string]string{}, Captcha: h.Captcha.New(),
		NoticeVersion: NoticeVersion, TileURL: h.Config.MapTileURL, TileAttr: h.Config.MapTileAttribution,
		Center: h.opts.MapCenter, Zoom: h.opts.MapZoom}, nil
}

// report handles POST /public/report. In order: the CAPTCHA answer is
// checked (not yet used up); a photo is checked and stored; when open
// reports of the same category lie within NearbyRadius and the citizen
// has not confirmed that this one is different, the form comes back
// listing them (with the photo kept); then the CAPTCHA is used up and the
// report filed, and the citizen lands on its tracking page.
func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r, "report.title")
	r.Body = http.MaxBytesReader(w, r.Body, maxReportBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.reportAgain(w, r, v, reportForm{}, apperr.Field("photo", apperr.TooLarge), http.StatusRequestEntityTooLarge)
			return
		}
		h.failPage(w, r, apperr.New(apperr.Invalid, "malformed form"))
		return
	}
	f := reportForm{Category: r.FormValue("category"), Description: r.FormValue("description"),
		Address: r.FormValue("address"), Phone: r.FormValue("phone"), Lat: r.FormValue("lat"),
		Lng: r.FormValue("lng"), Accuracy: r.FormValue("accuracy"), CaptchaAnswer: r.FormValue("captcha_answer"),
		PhotoIDs: r.FormValue("photo_ids"), Notice: r.FormValue("notice") != "",
		ConfirmNew: r.FormValue("confirm_new") != ""}
	token := r.FormValue("captcha")
	if !f.Notice {
		h.reportAgain(w, r, v, f, apperr.Field("notice", apperr.Required), http.StatusUnprocessableEntity)
		return
	}
	in, err := reportInput(r, f)
	if err != nil {
		h.reportAgain(w, r, v, f, err, http.StatusUnprocessableEntity)
		return
	}
	if err := h.Captcha.Peek(r.Context(), token, f.CaptchaAnswer); err != nil {
		f.CaptchaAnswer = ""
		h.reportAgain(w, r, v, f, err, http.StatusUnprocessableEntity)
		return
	}
	if err := h.takePhoto(r, &f); err != nil {
		h.reportAgain(w, r, v, f, err, statusOf(err))
		return
	}
	if !f.ConfirmNew && in.Lat != nil {
		near, err := h.Citizen.Nearby(r.Context(), in.CategoryCode, *in.Lat, *in.Lng, citizen.NearbyRadius, 5)
		if err != nil {
			h.failPage(w, r, err)
			return
		}
		if len(near) > 0 {
			d, err := h.reportData(r, f)
			if err != nil {
				h.failPage(w, r, err)
				return
			}
			d.Captcha, d.Duplicates = token, near // the answer stays good for the second round
			v.Data = d
			h.render(w, r, http.StatusOK, "report", v)
			return
		}
	}
	if err := h.Captcha.Check(r.Context(), token, f.CaptchaAnswer); err != nil {
		f.CaptchaAnswer = ""
		h.reportAgain(w, r, v, f, err, http.StatusUnprocessableEntity)
		return
	}
	rc, err := h.Portal.Submit(r.Context(), in, NoticeVersion, photoIDs(f.PhotoIDs))
	if err != nil {
		f.CaptchaAnswer = ""
		h.reportAgain(w, r, v, f, err, statusOf(err))
		return
	}
	http.Redirect(w, r, "/public/t/"+rc.Token+"?new=1", http.StatusSeeOther)
}

// takePhoto stores the photo of the form, if any, and adds its id to f.
func (h *handler) takePhoto(r *http.Request, f *reportForm) error {
	file, hdr, err := r.FormFile("photo")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil
	}
	if err != nil {
		return apperr.Field("photo", apperr.Unreadable)
	}
	defer file.Close()
	if hdr.Size == 0 {
		return nil
	}
	if hdr.Size > MaxPhoto {
		return apperr.Field("photo", apperr.TooLarge)
	}
	if len(photoIDs(f.PhotoIDs)) >= citizen.MaxPhotosPerReport {
		return apperr.Field("photo", apperr.TooMany)
	}
	id, err := h.Portal.UploadPhoto(r.Context(), clientKey(r), hdr.Filename, file)
	if err != nil {
		return err
	}
	if f.PhotoIDs != "" {
		f.PhotoIDs += ","
	}
	f.PhotoIDs += strconv.FormatInt(id, 10)
	return nil
}

// photoIDs parses the carried photo ids, ignoring junk (Submit checks
// that each was uploaded by this client and not yet linked).
func photoIDs(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil && id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// reportInput turns the form into the intake's input.
func reportInput(r *http.Request, f reportForm) (citizen.ReportInput, error) {
	in := citizen.ReportInput{Channel: "portal", CategoryCode: f.Category, Description: f.Description,
		Address: f.Address, Phone: f.Phone, ClientKey: clientKey(r)}
	// Every problem of the form at once, each beside its input.
	errs := apperr.FieldErrors{}
	if f.Lat != "" || f.Lng != "" {
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(f.Lat), 64)
		lng, err2 := strconv.ParseFloat(strings.TrimSpace(f.Lng), 64)
		if err1 != nil || err2 != nil {
			errs.Add(citizen.FieldLocation, apperr.Unreadable)
		} else {
			in.Lat, in.Lng = &lat, &lng
		}
	}
	if strings.TrimSpace(in.CategoryCode) == "" {
		errs.Add(citizen.FieldCategory, apperr.Required)
	}
	if strings.TrimSpace(in.Description) == "" {
		errs.Add("description", apperr.Required)
	}
	if in.Lat == nil && strings.TrimSpace(in.Address) == "" {
		errs.Add(citizen.FieldLocation, apperr.Required)
	}
	return in, errs.Err()
}

// statusOf is the HTTP status of a form error.
func statusOf(err error) int {
	switch apperr.CodeOf(err) {
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Conflict:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// reportAgain shows the form again with the error of the last round and
// a fresh CAPTCHA.
func (h *handler) reportAgain(w http.ResponseWriter, r *http.Request, v *view, f reportForm, err error, status int) {
	e := apperr.As(err)
	if e.Code == apperr.Internal {
		h.failPage(w, r, err)
		return
	}
	d, derr := h.reportData(r, f)
	if derr != nil {
		h.failPage(w, r, derr)
		return
	}
	for k, m := range e.FieldText(v.Lang) {
		d.Errors[k] = m
	}
	switch {
	case e.Code == apperr.TooManyRequests:
		v.Message = "error.too_many"
	case len(e.Fields) == 0:
		v.Error = e.Message
	default:
		v.Message = "report.fix_errors"
	}
	v.Data = d
	h.render(w, r, status, "report", v)
}
