// Package open311 serves the Open311 GeoReport v2 API at /open311/v2/ over
// the citizen intake: discovery, services (the active case categories),
// service definitions, requests (GET and POST), one request, tokens, and
// mySociety's servicerequestupdates extension, each in XML and JSON by
// file suffix. Reading is public; POST needs an api_key issued by the
// platform. Answers never hold the reporter's contact details.
package open311

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"gridgov/internal/app"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/http/httpx"
)

// Prefix is where the API is mounted.
const Prefix = "/open311/v2/"

// Specification is the discovery token of GeoReport v2.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// Content types of the two formats.
const (
	ContentXML  = "text/xml; charset=utf-8"
	ContentJSON = "application/json; charset=utf-8"
)

// cst is Asia/Shanghai: dates are written with +08:00.
var cst = time.FixedZone("CST", 8*3600)

// maxBody bounds a POST body (form fields only; media are links).
const maxBody = 64 << 10

// Options are the discovery settings of the API.
type Options struct {
	// Jurisdiction, when set, is the only jurisdiction_id accepted (others
	// answer 404); empty accepts any, as a single-jurisdiction server may.
	Jurisdiction string
	// Contact is the discovery contact text.
	Contact string
	// Changeset is the discovery changeset time (default: the start).
	Changeset time.Time
}

type handler struct {
	*app.App
	Options
}

// New returns the handler of /open311/v2/ over the app's citizen intake.
func New(services *app.App, d Options) http.Handler {
	if d.Changeset.IsZero() {
		d.Changeset = time.Now()
	}
	if d.Contact == "" {
		d.Contact = "请联系平台管理员 / Contact the platform administrator"
	}
	return &handler{App: services, Options: d}
}

// ServeHTTP routes /open311/v2/{resource}[/{id}].{xml|json}.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	dot := strings.LastIndexByte(rest, '.')
	f := format("xml")
	if dot < 0 || (rest[dot+1:] != "xml" && rest[dot+1:] != "json") {
		h.fail(w, r, f, apperr.New(apperr.NotFound, "unknown resource; use the .xml or .json suffix"))
		return
	}
	f, rest = format(rest[dot+1:]), rest[:dot]
	name, id, _ := strings.Cut(rest, "/")
	if strings.Contains(id, "/") {
		h.fail(w, r, f, apperr.New(apperr.NotFound, "unknown resource"))
		return
	}
	if j := strings.TrimSpace(r.URL.Query().Get("jurisdiction_id")); j != "" && h.Jurisdiction != "" && j != h.Jurisdiction {
		h.fail(w, r, f, apperr.NotFoundf("unknown jurisdiction_id %s", j))
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	if get {
		// Reading is public: browser apps of other origins may read too.
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	switch {
	case name == "discovery" && id == "" && get:
		h.discovery(w, r, f)
	case name == "services" && id == "" && get:
		h.services(w, r, f)
	case name == "services" && id != "" && get:
		h.serviceDefinition(w, r, f, id)
	case name == "requests" && id == "" && get:
		h.requests(w, r, f)
	case name == "requests" && id == "" && r.Method == http.MethodPost:
		h.post(w, r, f)
	case name == "requests" && id != "" && get:
		h.request(w, r, f, id)
	case name == "tokens" && id != "" && get:
		h.token(w, r, f, id)
	case name == "servicerequestupdates" && id == "" && get:
		h.updates(w, r, f)
	case name == "discovery" || name == "services" || name == "requests" || name == "tokens" ||
		name == "servicerequestupdates":
		w.Header().Set("Allow", "GET, HEAD, POST")
		h.write(w, f, http.StatusMethodNotAllowed, errorsBody(http.StatusMethodNotAllowed, "method not allowed"))
	default:
		h.fail(w, r, f, apperr.New(apperr.NotFound, "unknown resource"))
	}
}

// format is the answer's format: xml or json.
type format string

// date writes a time per the spec: ISO 8601 with the +08:00 offset.
func date(t time.Time) string { return t.In(cst).Format(time.RFC3339) }

// write encodes body in format f with the HTTP status.
func (h *handler) write(w http.ResponseWriter, f format, status int, body any) {
	w.Header().Set("Cache-Control", "no-store")
	if f == "json" {
		w.Header().Set("Content-Type", ContentJSON)
		w.WriteHeader(status)
		if j, ok := body.(interface{ JSON() any }); ok {
			body = j.JSON()
		}
		_ = json.NewEncoder(w).Encode(body)
		return
	}
	w.Header().Set("Content-Type", ContentXML)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(body)
}

// errorXML is <errors><error><code/><description/></error></errors>.
type errorXML struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []errorItem `xml:"error"`
}

type errorItem struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// JSON is the mechanical mapping: [{"code":…,"description":…}].
func (e errorXML) JSON() any { return e.Errors }

func errorsBody(code int, desc string) errorXML {
	return errorXML{Errors: []errorItem{{Code: code, Description: desc}}}
}

// fail writes err in the spec's error format: 400 for invalid input, 403
// for a missing or bad api_key, 404 for unknown ids, 429 past the rate
// limits.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, f format, err error) {
	e := apperr.As(err)
	status := httpx.Status(e.Code)
	desc := e.Message
	switch e.Code {
	case apperr.Invalid, apperr.BadRequest:
		status = http.StatusBadRequest
		desc = fieldText(e)
	case apperr.Internal, "":
		status = http.StatusInternalServerError
		desc = "internal error"
		h.Log.Error("open311", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "3600")
	}
	h.write(w, f, status, errorsBody(status, desc))
}

// fieldText names invalid fields after the spec's parameters.
func fieldText(e *apperr.Error) string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	names := map[string]string{citizen.FieldCategory: "service_code", citizen.FieldLocation: "location (lat/long, address_string or address_id)",
		"media_url": "media_url", "description": "description", "email": "email", "phone": "phone",
		"name": "first_name/last_name", "end_date": "end_date", "start_date": "start_date", "status": "status"}
	var parts []string
	for _, k := range sortedKeys(e.Fields) {
		n := names[k]
		if n == "" {
			n = k
		}
		parts = append(parts, n+": "+e.Fields[k])
	}
	return strings.Join(parts, "; ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ---- discovery ----

type discoveryXML struct {
	XMLName    xml.Name      `xml:"discovery" json:"-"`
	Changeset  string        `xml:"changeset" json:"changeset"`
	Contact    string        `xml:"contact" json:"contact"`
	KeyService string        `xml:"key_service" json:"key_service"`
	Endpoints  []endpointXML `xml:"endpoints>endpoint" json:"endpoints"`
}

type endpointXML struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

func (h *handler) discovery(w http.ResponseWriter, r *http.Request, f format) {
	scheme := "https"
	if r.TLS == nil && r.Header.Get("X-Forwarded-Proto") != "https" {
		scheme = "http"
	}
	cs := date(h.Changeset)
	h.write(w, f, http.StatusOK, discoveryXML{Changeset: cs, Contact: h.Contact,
		KeyService: "API 密钥由平台管理员在控制台“API 密钥”页签发 / API keys are issued by the platform administrator",
		Endpoints: []endpointXML{{Specification: Specification, URL: scheme + "://" + r.Host + strings.TrimSuffix(Prefix, "/"),
			Changeset: cs, Type: "production", Formats: []string{"text/xml", "application/json"}}}})
}

// ---- services ----

type servicesXML struct {
	XMLName  xml.Name     `xml:"services"`
	Services []serviceXML `xml:"service"`
}

// JSON is the list of services.
func (s servicesXML) JSON() any { return s.Services }

type serviceXML struct {
	Code        string `xml:"service_code" json:"service_code"`
	Name        string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"`
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

var kindNames = map[cases.CategoryKind]string{cases.KindComponent: "部件", cases.KindEvent: "事件",
	cases.KindGovernance: "社会治理"}

func serviceOf(c cases.Category) serviceXML {
	desc := c.FilingCondition
	if desc == "" {
		desc = c.Name
	}
	return serviceXML{Code: c.Code, Name: c.Name, Description: desc, Metadata: false, Type: "realtime",
		Keywords: strings.Join([]string{c.MajorName, kindNames[c.Kind], c.Name}, ","), Group: c.MajorName}
}

func (h *handler) services(w http.ResponseWriter, r *http.Request, f format) {
	cats, err := h.Citizen.Services(r.Context())
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	out := servicesXML{Services: make([]serviceXML, 0, len(cats))}
	for _, c := range cats {
		out.Services = append(out.Services, serviceOf(c))
	}
	h.write(w, f, http.StatusOK, out)
}

// serviceDefinitionXML has no attributes: every service has metadata false.
type serviceDefinitionXML struct {
	XMLName    xml.Name   `xml:"service_definition" json:"-"`
	Code       string     `xml:"service_code" json:"service_code"`
	Attributes []struct{} `xml:"attributes" json:"attributes"`
}

func (h *handler) serviceDefinition(w http.ResponseWriter, r *http.Request, f format, code string) {
	c, err := h.Citizen.ServiceByCode(r.Context(), code)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	h.write(w, f, http.StatusOK, serviceDefinitionXML{Code: c.Code, Attributes: []struct{}{}})
}

// ---- requests ----

type requestsXML struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []requestXML `xml:"request"`
}

// JSON is the list of requests.
func (s requestsXML) JSON() any { return s.Requests }

// requestXML is a request object, fields in the spec's order; the last
// two are gridgov extensions.
type requestXML struct {
	ID                string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       string   `xml:"status_notes" json:"status_notes"`
	ServiceName       string   `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       string   `xml:"description" json:"description"`
	AgencyResponsible string   `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string   `xml:"service_notice" json:"service_notice"`
	Requested         string   `xml:"requested_datetime" json:"requested_datetime"`
	Updated           string   `xml:"updated_datetime" json:"updated_datetime"`
	Expected          string   `xml:"expected_datetime" json:"expected_datetime"`
	Address           string   `xml:"address" json:"address"`
	AddressID         string   `xml:"address_id" json:"address_id"`
	Zipcode           string   `xml:"zipcode" json:"zipcode"`
	Lat               *float64 `xml:"lat,omitempty" json:"lat,omitempty"`
	Long              *float64 `xml:"long,omitempty" json:"long,omitempty"`
	MediaURL          string   `xml:"media_url" json:"media_url"`
	DetailedStatus    string   `xml:"detailed_status" json:"detailed_status"`
	Channel           string   `xml:"channel" json:"channel"`
}

func requestOf(q citizen.Request) requestXML {
	out := requestXML{ID: q.RequestID, Status: q.Status, StatusNotes: q.StatusNotes, ServiceName: q.ServiceName,
		ServiceCode: q.ServiceCode, Description: q.Description, AgencyResponsible: q.AgencyResponsible,
		ServiceNotice: q.ServiceNotice, Requested: date(q.Requested), Updated: date(q.Updated),
		Address: q.Address, Lat: q.Lat, Long: q.Lng, MediaURL: q.MediaURL, DetailedStatus: q.DetailedStatus,
		Channel: q.Channel}
	if q.Expected != nil {
		out.Expected = date(*q.Expected)
	}
	return out
}

// parseDate reads an optional ISO 8601 date (an empty value is absent).
func parseDate(v, field string) (*time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		loc := cst
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return &t, nil
		}
	}
	return nil, apperr.Field(field, apperr.Time)
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (h *handler) requests(w http.ResponseWriter, r *http.Request, f format) {
	q := r.URL.Query()
	fl := citizen.Filter{RequestIDs: splitList(q.Get("service_request_id")),
		ServiceCodes: splitList(q.Get("service_code")), Status: strings.ToLower(strings.TrimSpace(q.Get("status")))}
	var err error
	if fl.Start, err = parseDate(q.Get("start_date"), "start_date"); err != nil {
		h.fail(w, r, f, err)
		return
	}
	if fl.End, err = parseDate(q.Get("end_date"), "end_date"); err != nil {
		h.fail(w, r, f, err)
		return
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &fl.Page}, {"page_size", &fl.PageSize}} {
		if v := strings.TrimSpace(q.Get(p.name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				h.fail(w, r, f, apperr.Field(p.name, apperr.PositiveInt))
				return
			}
			*p.dst = n
		}
	}
	list, err := h.Citizen.List(r.Context(), fl)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	out := requestsXML{Requests: make([]requestXML, 0, len(list))}
	for _, q := range list {
		out.Requests = append(out.Requests, requestOf(q))
	}
	h.write(w, f, http.StatusOK, out)
}

func (h *handler) request(w http.ResponseWriter, r *http.Request, f format, id string) {
	q, err := h.Citizen.ByRequestID(r.Context(), id)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	h.write(w, f, http.StatusOK, requestsXML{Requests: []requestXML{requestOf(q)}})
}

// ---- POST requests ----

type postedXML struct {
	XMLName  xml.Name    `xml:"service_requests"`
	Requests []postedOne `xml:"request"`
}

// JSON is the one-element list.
func (s postedXML) JSON() any { return s.Requests }

type postedOne struct {
	ID        string `xml:"service_request_id" json:"service_request_id"`
	Notice    string `xml:"service_notice" json:"service_notice"`
	AccountID string `xml:"account_id" json:"account_id"`
}

func (h *handler) post(w http.ResponseWriter, r *http.Request, f format) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		h.fail(w, r, f, apperr.New(apperr.BadRequest, "the body must be application/x-www-form-urlencoded"))
		return
	}
	if j := strings.TrimSpace(r.PostForm.Get("jurisdiction_id")); j != "" && h.Jurisdiction != "" && j != h.Jurisdiction {
		h.fail(w, r, f, apperr.NotFoundf("unknown jurisdiction_id %s", j))
		return
	}
	keyID, ok, err := h.Citizen.CheckKey(r.Context(), r.Form.Get("api_key"))
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	if !ok {
		h.fail(w, r, f, apperr.New(apperr.Forbidden, "a valid api_key is required"))
		return
	}
	in, err := reportFrom(r)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	in.APIKeyID, in.ClientKey = keyID, "key:"+strconv.FormatInt(keyID, 10)
	rc, err := h.Citizen.Submit(r.Context(), in)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	h.write(w, f, http.StatusOK, postedXML{Requests: []postedOne{{ID: rc.RequestID, Notice: rc.Notice,
		AccountID: rc.AccountID}}})
}

// reportFrom reads the spec's POST fields.
func reportFrom(r *http.Request) (citizen.ReportInput, error) {
	v := func(k string) string { return strings.TrimSpace(r.Form.Get(k)) }
	in := citizen.ReportInput{Channel: cases.ChannelOpen311, CategoryCode: v("service_code"),
		Description: v("description"), Address: v("address_string"), MediaURL: v("media_url"),
		Name: strings.TrimSpace(v("first_name") + " " + v("last_name")), Phone: v("phone"), Email: v("email"),
		DeviceID: v("device_id"), AccountID: v("account_id"),
		IdempotencyKey: strings.TrimSpace(r.Header.Get("Idempotency-Key"))}
	if in.CategoryCode == "" {
		return in, apperr.Field(citizen.FieldCategory, apperr.Required)
	}
	if in.Address == "" {
		// address_id names a place in the city's address base; gridgov
		// geocodes it like an address text.
		in.Address = v("address_id")
	}
	lat, lng := v("lat"), v("long")
	if lat != "" || lng != "" {
		a, err1 := strconv.ParseFloat(lat, 64)
		b, err2 := strconv.ParseFloat(lng, 64)
		if err := errors.Join(err1, err2); err != nil {
			return in, apperr.Field(citizen.FieldLocation, apperr.Coordinates)
		}
		in.Lat, in.Lng = &a, &b
	}
	if in.Description == "" {
		// The spec makes description optional; a case needs one.
		in.Description = "（未填写描述）[no description]"
	}
	return in, nil
}

// ---- tokens ----

type tokenOne struct {
	ID    string `xml:"service_request_id" json:"service_request_id"`
	Token string `xml:"token" json:"token"`
}

type tokensXML struct {
	XMLName  xml.Name   `xml:"service_requests"`
	Requests []tokenOne `xml:"request"`
}

// JSON is the one-element list.
func (s tokensXML) JSON() any { return s.Requests }

func (h *handler) token(w http.ResponseWriter, r *http.Request, f format, token string) {
	id, err := h.Citizen.RequestIDOfToken(r.Context(), token)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	h.write(w, f, http.StatusOK, tokensXML{Requests: []tokenOne{{ID: id, Token: citizen.NormalizeToken(token)}}})
}

// ---- servicerequestupdates (FMS extension) ----

type updatesXML struct {
	XMLName xml.Name    `xml:"service_requests_updates"`
	Updates []updateXML `xml:"request_update"`
}

// JSON is the list of updates.
func (s updatesXML) JSON() any { return s.Updates }

type updateXML struct {
	ID        string `xml:"update_id" json:"update_id"`
	RequestID string `xml:"service_request_id" json:"service_request_id"`
	Status    string `xml:"status" json:"status"`
	Updated   string `xml:"updated_datetime" json:"updated_datetime"`
	Text      string `xml:"description" json:"description"`
	MediaURL  string `xml:"media_url" json:"media_url"`
}

func (h *handler) updates(w http.ResponseWriter, r *http.Request, f format) {
	q := r.URL.Query()
	start, err := parseDate(q.Get("start_date"), "start_date")
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	end, err := parseDate(q.Get("end_date"), "end_date")
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	list, err := h.Citizen.Updates(r.Context(), start, end)
	if err != nil {
		h.fail(w, r, f, err)
		return
	}
	out := updatesXML{Updates: make([]updateXML, 0, len(list))}
	for _, u := range list {
		out.Updates = append(out.Updates, updateXML{ID: strconv.FormatInt(u.ID, 10), RequestID: u.RequestID,
			Status: u.Status, Updated: date(u.Updated), Text: u.Text, MediaURL: u.MediaURL})
	}
	h.write(w, f, http.StatusOK, out)
}
