package open311_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apptest"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/http/open311"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/rbac"
)

var cst = time.FixedZone("CST", 8*3600)

// dateRE is ISO 8601 with the mandatory zone, as gridgov writes it.
var dateRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)

// Point inside grid G410105001001 of the orgtest fixture.
const lat, long = "34.77", "113.68"

const (
	phone = "13912345678"
	email = "zhang.san@example.cn"
)

type fixture struct {
	d   *db.DB
	cit *citizen.Service
	cs  *cases.Service
	srv *httptest.Server
	key string
	clk *clock.Fake
	sys context.Context
}

// cell is the boundary of grid G410105001001 in the fixture: a square of
// 0.01° around (lat, long).
var cell = json.RawMessage(`{"type":"Polygon","coordinates":[[[113.675,34.765],[113.685,34.765],[113.685,34.775],[113.675,34.775],[113.675,34.765]]]}`)

// newFixture builds Open311 over the whole app on d, on the orgtest
// territory, with one API key; configure changes the configuration first
// (citizen limits). The clock stands on Monday 2 March 2026, 09:00 CST.
func newFixture(t *testing.T, d *db.DB, configure ...func(*config.Config)) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, cst))
	a := apptest.New(t, d, apptest.Options{Clock: clk, Config: func(c *config.Config) {
		for _, fn := range configure {
			fn(c)
		}
	}})
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, a.Org)
	if _, err := a.Org.UpdateGrid(sys, orgtest.GridJBL, org.GridUpdate{Boundary: &cell}); err != nil {
		t.Fatalf("grid boundary: %v", err)
	}
	_, key, err := a.Citizen.CreateKey(sys, "test client")
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle(open311.Prefix, open311.New(a, open311.Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{d: d, cit: a.Citizen, cs: a.Cases, srv: srv, key: key, clk: clk, sys: sys}
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (f *fixture) do(t *testing.T, method, path string, form url.Values, hdr map[string]string) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+open311.Prefix+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), body: b}
	// No public answer ever holds the reporter's contact details.
	for _, secret := range []string{phone, email, "张三"} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("%s %s leaks %q: %s", method, path, secret, b)
		}
	}
	return a
}

func (f *fixture) get(t *testing.T, path string) answer {
	t.Helper()
	return f.do(t, "GET", path, nil, nil)
}

// report is a valid POST form with contact details.
func (f *fixture) report(desc string) url.Values {
	return url.Values{"api_key": {f.key}, "jurisdiction_id": {"zhengzhou.gov.cn"}, "service_code": {"E010101"},
		"lat": {lat}, "long": {long}, "description": {desc}, "phone": {phone}, "email": {email},
		"first_name": {"张三"}, "last_name": {""}, "media_url": {"https://img.example.cn/a.jpg"}}
}

func want(t *testing.T, a answer, status int, ctype string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	if a.ctype != ctype {
		t.Fatalf("content type %q, want %q", a.ctype, ctype)
	}
}

func decodeXML(t *testing.T, a answer, v any) {
	t.Helper()
	reflect.ValueOf(v).Elem().SetZero() // xml.Unmarshal appends to slices
	if err := xml.Unmarshal(a.body, v); err != nil {
		t.Fatalf("xml: %v: %s", err, a.body)
	}
}

func decodeJSON(t *testing.T, a answer, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("json: %v: %s", err, a.body)
	}
}

// Shapes with the spec's element names.

type xmlErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `xml:"code"`
		Description string `xml:"description"`
	} `xml:"error"`
}

type jsonError struct {
	Code        *int   `json:"code"`
	Description string `json:"description"`
}

type xmlRequest struct {
	ID                string  `xml:"service_request_id" json:"service_request_id"`
	Token             string  `xml:"token" json:"token"`
	Status            string  `xml:"status" json:"status"`
	StatusNotes       string  `xml:"status_notes" json:"status_notes"`
	ServiceName       string  `xml:"service_name" json:"service_name"`
	ServiceCode       string  `xml:"service_code" json:"service_code"`
	Description       string  `xml:"description" json:"description"`
	AgencyResponsible string  `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     string  `xml:"service_notice" json:"service_notice"`
	AccountID         string  `xml:"account_id" json:"account_id"`
	Requested         string  `xml:"requested_datetime" json:"requested_datetime"`
	Updated           string  `xml:"updated_datetime" json:"updated_datetime"`
	Expected          string  `xml:"expected_datetime" json:"expected_datetime"`
	Address           string  `xml:"address" json:"address"`
	Lat               float64 `xml:"lat" json:"lat"`
	Long              float64 `xml:"long" json:"long"`
	MediaURL          string  `xml:"media_url" json:"media_url"`
	DetailedStatus    string  `xml:"detailed_status" json:"detailed_status"`
}

type xmlRequests struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []xmlRequest `xml:"request"`
}

func wantErrorXML(t *testing.T, a answer, status int) string {
	t.Helper()
	want(t, a, status, open311.ContentXML)
	var e xmlErrors
	decodeXML(t, a, &e)
	if len(e.Errors) != 1 || e.Errors[0].Code != status || e.Errors[0].Description == "" {
		t.Fatalf("errors %+v, want one with code %d", e, status)
	}
	return e.Errors[0].Description
}

func wantErrorJSON(t *testing.T, a answer, status int) {
	t.Helper()
	want(t, a, status, open311.ContentJSON)
	var e []jsonError
	decodeJSON(t, a, &e)
	if len(e) != 1 || e[0].Code == nil || *e[0].Code != status || e[0].Description == "" {
		t.Fatalf("errors %s, want one with code %d", a.body, status)
	}
}

// post submits a report and returns its service_request_id.
func (f *fixture) post(t *testing.T, form url.Values, hdr map[string]string) string {
	t.Helper()
	a := f.do(t, "POST", "requests.xml", form, hdr)
	want(t, a, http.StatusOK, open311.ContentXML)
	var r xmlRequests
	decodeXML(t, a, &r)
	if len(r.Requests) != 1 || r.Requests[0].ID == "" || r.Requests[0].ServiceNotice == "" {
		t.Fatalf("post answer %s", a.body)
	}
	return r.Requests[0].ID
}

func (f *fixture) countCases(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDiscoveryAndServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		var disc struct {
			XMLName    xml.Name `xml:"discovery"`
			Changeset  string   `xml:"changeset"`
			Contact    string   `xml:"contact"`
			KeyService string   `xml:"key_service"`
			Endpoints  []struct {
				Specification string   `xml:"specification" json:"specification"`
				URL           string   `xml:"url" json:"url"`
				Changeset     string   `xml:"changeset" json:"changeset"`
				Type          string   `xml:"type" json:"type"`
				Formats       []string `xml:"formats>format" json:"formats"`
			} `xml:"endpoints>endpoint"`
		}
		a := f.get(t, "discovery.xml")
		want(t, a, 200, open311.ContentXML)
		decodeXML(t, a, &disc)
		if len(disc.Endpoints) != 1 || disc.Endpoints[0].Specification != open311.Specification ||
			!strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") || len(disc.Endpoints[0].Formats) != 2 ||
			!dateRE.MatchString(disc.Changeset) || disc.Contact == "" || disc.KeyService == "" {
			t.Fatalf("discovery %s", a.body)
		}
		var discJ struct {
			Changeset string `json:"changeset"`
			Endpoints []struct {
				Specification string   `json:"specification"`
				Formats       []string `json:"formats"`
			} `json:"endpoints"`
		}
		a = f.get(t, "discovery.json")
		want(t, a, 200, open311.ContentJSON)
		decodeJSON(t, a, &discJ)
		if len(discJ.Endpoints) != 1 || discJ.Endpoints[0].Specification != open311.Specification {
			t.Fatalf("discovery json %s", a.body)
		}

		type service struct {
			Code        string `xml:"service_code" json:"service_code"`
			Name        string `xml:"service_name" json:"service_name"`
			Description string `xml:"description" json:"description"`
			Metadata    bool   `xml:"metadata" json:"metadata"`
			Type        string `xml:"type" json:"type"`
			Keywords    string `xml:"keywords" json:"keywords"`
			Group       string `xml:"group" json:"group"`
		}
		var sx struct {
			XMLName  xml.Name  `xml:"services"`
			Services []service `xml:"service"`
		}
		a = f.get(t, "services.xml?jurisdiction_id=")
		want(t, a, 200, open311.ContentXML)
		decodeXML(t, a, &sx)
		var sj []service
		a = f.get(t, "services.json")
		want(t, a, 200, open311.ContentJSON)
		decodeJSON(t, a, &sj)
		if len(sx.Services) < 10 || len(sj) != len(sx.Services) {
			t.Fatalf("services: %d xml, %d json", len(sx.Services), len(sj))
		}
		found := false
		for _, s := range sx.Services {
			if s.Code == "" || s.Name == "" || s.Type != "realtime" || s.Metadata {
				t.Fatalf("service %+v", s)
			}
			if s.Code == "E010101" {
				found = s.Name == "暴露垃圾" && s.Group == "市容环境" && strings.Contains(s.Keywords, "事件")
			}
		}
		if !found {
			t.Fatal("E010101 暴露垃圾 missing or wrong")
		}

		var def struct {
			XMLName xml.Name `xml:"service_definition"`
			Code    string   `xml:"service_code"`
		}
		a = f.get(t, "services/E010101.xml")
		want(t, a, 200, open311.ContentXML)
		decodeXML(t, a, &def)
		if def.Code != "E010101" {
			t.Fatalf("definition %s", a.body)
		}
		var defJ struct {
			Code       string `json:"service_code"`
			Attributes []any  `json:"attributes"`
		}
		a = f.get(t, "services/E010101.json")
		decodeJSON(t, a, &defJ)
		if defJ.Code != "E010101" || defJ.Attributes == nil {
			t.Fatalf("definition json %s", a.body)
		}
		wantErrorXML(t, f.get(t, "services/NOPE.xml"), 404)
		wantErrorJSON(t, f.get(t, "services/NOPE.json"), 404)
		wantErrorXML(t, f.get(t, "nothing.xml"), 404)
		wantErrorXML(t, f.get(t, "services"), 404)
	})
}

func TestPostAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// Keys: none, bad, revoked.
		form := f.report("路边有暴露垃圾")
		form.Del("api_key")
		wantErrorXML(t, f.do(t, "POST", "requests.xml", form, nil), 403)
		form.Set("api_key", "gg311_0000")
		wantErrorJSON(t, f.do(t, "POST", "requests.json", form, nil), 403)
		k, revoked, err := f.cit.CreateKey(f.sys, "old")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.cit.RevokeKey(f.sys, k.ID); err != nil {
			t.Fatal(err)
		}
		form.Set("api_key", revoked)
		wantErrorXML(t, f.do(t, "POST", "requests.xml", form, nil), 403)
		if n := f.countCases(t); n != 0 {
			t.Fatalf("%d cases after refused posts", n)
		}

		// Bad service code, bad and missing locations.
		bad := f.report("x")
		bad.Set("service_code", "NOPE")
		if d := wantErrorXML(t, f.do(t, "POST", "requests.xml", bad, nil), 400); !strings.Contains(d, "service_code") {
			t.Fatalf("description %q does not name service_code", d)
		}
		bad = f.report("x")
		bad.Set("lat", "95")
		if d := wantErrorXML(t, f.do(t, "POST", "requests.xml", bad, nil), 400); !strings.Contains(d, "location") {
			t.Fatalf("description %q does not name the location", d)
		}
		bad.Set("lat", "north")
		wantErrorJSON(t, f.do(t, "POST", "requests.json", bad, nil), 400)
		bad.Del("lat")
		bad.Del("long")
		wantErrorXML(t, f.do(t, "POST", "requests.xml", bad, nil), 400)
		bad.Set("lat", "10")
		bad.Set("long", "10") // outside every grid
		wantErrorXML(t, f.do(t, "POST", "requests.xml", bad, nil), 400)
		bad = f.report("x")
		bad.Set("media_url", "javascript:alert(1)")
		wantErrorXML(t, f.do(t, "POST", "requests.xml", bad, nil), 400)

		// A good report, readable at once.
		id := f.post(t, f.report("路边有暴露垃圾"), nil)
		a := f.get(t, "requests/"+id+".xml")
		want(t, a, 200, open311.ContentXML)
		var rx xmlRequests
		decodeXML(t, a, &rx)
		if len(rx.Requests) != 1 {
			t.Fatalf("request %s", a.body)
		}
		r := rx.Requests[0]
		if r.ID != id || r.Status != "open" || r.DetailedStatus != "reported" || r.ServiceCode != "E010101" ||
			r.ServiceName != "暴露垃圾" || r.Description != "路边有暴露垃圾" || r.AgencyResponsible == "" ||
			r.Lat != 34.77 || r.Long != 113.68 || r.MediaURL != "https://img.example.cn/a.jpg" ||
			r.ServiceNotice == "" {
			t.Fatalf("request %+v", r)
		}
		for _, dt := range []string{r.Requested, r.Updated, r.Expected} {
			if !dateRE.MatchString(dt) {
				t.Fatalf("date %q of %s", dt, a.body)
			}
		}
		if r.Requested != "2026-03-02T09:00:00+08:00" {
			t.Fatalf("requested_datetime %s", r.Requested)
		}
		var rj []xmlRequest
		a = f.get(t, "requests/"+id+".json")
		want(t, a, 200, open311.ContentJSON)
		decodeJSON(t, a, &rj)
		if len(rj) != 1 || rj[0].ID != id || rj[0].Status != "open" || rj[0].Lat != 34.77 || !dateRE.MatchString(rj[0].Requested) {
			t.Fatalf("request json %s", a.body)
		}
		wantErrorXML(t, f.get(t, "requests/2026-000000-999999.xml"), 404)

		// The case is a citizen report on the open311 channel, waiting at its
		// community platform's intake (核实).
		c, err := f.cs.CaseByID(f.sys, caseID(t, f, id))
		if err != nil {
			t.Fatal(err)
		}
		if c.Source != cases.SourceCitizen || c.Channel != cases.ChannelOpen311 || c.Status != cases.StatusReported ||
			c.Stage != cases.StageAccept || c.CurrentUnitCode != "410105001001" {
			t.Fatalf("case %+v", c)
		}
		// The contact is sealed, not stored in clear.
		var enc []byte
		if err := d.QueryRow(context.Background(), `SELECT contact_enc FROM citizen_reports WHERE case_id = ?`, c.ID).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if len(enc) == 0 || strings.Contains(string(enc), phone) || strings.Contains(string(enc), email) {
			t.Fatalf("contact not sealed: %q", enc)
		}

		// Lists: all, by id, by status, dates; and paging.
		id2 := f.post(t, f.report("井盖缺失"), nil)
		var list xmlRequests
		decodeXML(t, f.get(t, "requests.xml"), &list)
		if len(list.Requests) != 2 || list.Requests[0].ID != id2 {
			t.Fatalf("list %+v", list)
		}
		decodeXML(t, f.get(t, "requests.xml?service_request_id="+id+"&status=closed"), &list)
		if len(list.Requests) != 1 || list.Requests[0].ID != id {
			t.Fatalf("by id %+v", list)
		}
		decodeXML(t, f.get(t, "requests.xml?status=closed"), &list)
		if len(list.Requests) != 0 {
			t.Fatalf("closed %+v", list)
		}
		decodeXML(t, f.get(t, "requests.xml?page=2&page_size=1"), &list)
		if len(list.Requests) != 1 || list.Requests[0].ID != id {
			t.Fatalf("page 2 %+v", list)
		}
		decodeXML(t, f.get(t, "requests.xml?start_date=2026-03-03T00:00:00%2B08:00&end_date=2026-03-04T00:00:00Z"), &list)
		if len(list.Requests) != 0 {
			t.Fatalf("window %+v", list)
		}
		wantErrorXML(t, f.get(t, "requests.xml?start_date=yesterday"), 400)
		wantErrorXML(t, f.get(t, "requests.xml?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"), 400)
		var lj []xmlRequest
		a = f.get(t, "requests.json?service_code=E010101")
		want(t, a, 200, open311.ContentJSON)
		decodeJSON(t, a, &lj)
		if len(lj) != 2 {
			t.Fatalf("list json %s", a.body)
		}

		// Tokens: the tracking code maps to the request.
		q, err := f.cit.ByRequestID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Token) != 10 {
			t.Fatalf("token %q", q.Token)
		}
		var tx xmlRequests
		decodeXML(t, f.get(t, "tokens/"+q.Token+".xml"), &tx)
		if len(tx.Requests) != 1 || tx.Requests[0].ID != id || tx.Requests[0].Token != q.Token {
			t.Fatalf("token answer %+v", tx)
		}
		var tj []xmlRequest
		decodeJSON(t, f.get(t, "tokens/"+strings.ToLower(q.Token)+".json"), &tj)
		if len(tj) != 1 || tj[0].ID != id {
			t.Fatalf("token json %+v", tj)
		}
		wantErrorJSON(t, f.get(t, "tokens/AAAAAAAAAA.json"), 404)

		// A staff case is not public.
		staff, _, err := f.cs.CreateCase(orgtest.As("410105001001", cases.PermCaseCreate, cases.PermCaseRead),
			cases.CaseCreate{CategoryCode: "E010101", Description: "巡查发现", GridCode: "G410105001001"})
		if err != nil {
			t.Fatal(err)
		}
		wantErrorXML(t, f.get(t, "requests/"+staff.Number+".xml"), 404)
	})
}

func caseID(t *testing.T, f *fixture, number string) int64 {
	t.Helper()
	var id int64
	if err := f.d.QueryRow(context.Background(), `SELECT id FROM cases WHERE number = ?`, number).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestIdempotentRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		form := f.report("路灯不亮")
		form.Set("device_id", "phone-1")
		a := f.post(t, form, nil)
		b := f.post(t, form, nil)
		if a != b || f.countCases(t) != 1 {
			t.Fatalf("device retry: %s and %s, %d cases", a, b, f.countCases(t))
		}
		// Other content from the same device is a new report.
		form.Set("description", "路灯不亮，第二盏")
		if c := f.post(t, form, nil); c == a || f.countCases(t) != 2 {
			t.Fatalf("new content replayed")
		}
		// After 24 hours the same content is a new report.
		f.clk.Advance(25 * time.Hour)
		form.Set("description", "路灯不亮")
		if c := f.post(t, form, nil); c == a {
			t.Fatalf("device replay after 24 h")
		}

		hdr := map[string]string{"Idempotency-Key": "k-1"}
		form = f.report("树木倒伏")
		x := f.post(t, form, hdr)
		y := f.post(t, form, hdr)
		if x != y {
			t.Fatalf("idempotency key: %s and %s", x, y)
		}
		n := f.countCases(t)
		form.Set("description", "树木倒伏，另一棵")
		a2 := f.do(t, "POST", "requests.xml", form, hdr)
		wantErrorXML(t, a2, 400)
		if f.countCases(t) != n {
			t.Fatal("conflicting key created a case")
		}
	})
}

func TestRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, func(c *config.Config) { c.CitizenPerHour, c.CitizenPerPhoneDay = 3, 100 })
		for i := range 3 {
			form := f.report("第" + string(rune('一'+i)) + "次")
			f.post(t, form, nil)
		}
		wantErrorXML(t, f.do(t, "POST", "requests.xml", f.report("第四次"), nil), 429)
		f.clk.Advance(61 * time.Minute)
		f.post(t, f.report("一小时后"), nil)
	})
}

func TestRateLimitPerPhone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		g := newFixture(t, d, func(c *config.Config) { c.CitizenPerHour, c.CitizenPerPhoneDay = 100, 2 })
		g.post(t, g.report("甲"), nil)
		g.post(t, g.report("乙"), nil)
		wantErrorJSON(t, g.do(t, "POST", "requests.json", g.report("丙"), nil), 429)
		other := g.report("丙")
		other.Set("phone", "13800000000")
		g.post(t, other, nil)
	})
}

func TestModerationAndUpdates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := f.post(t, f.report("某某人乱扔垃圾，电话一三九"), nil)
		cid := caseID(t, f, id)
		worker := orgtest.As("410105001001", cases.PermCaseRead)
		if _, err := f.cit.Moderate(worker, cid, citizen.Moderation{HideText: true}); err == nil {
			t.Fatal("moderated without case.moderate")
		}
		outside := orgtest.As("410102", rbac.CaseModerate)
		if _, err := f.cit.Moderate(outside, cid, citizen.Moderation{HideText: true}); err == nil {
			t.Fatal("moderated out of scope")
		}
		mod := orgtest.As("410105001001", rbac.CaseModerate)
		if _, err := f.cit.Moderate(mod, cid, citizen.Moderation{Redacted: "有人乱扔垃圾", HideMedia: true, Note: "含个人信息"}); err != nil {
			t.Fatal(err)
		}
		var rx xmlRequests
		a := f.get(t, "requests/"+id+".xml")
		if strings.Contains(string(a.body), "电话一三九") || strings.Contains(string(a.body), "img.example.cn") {
			t.Fatalf("moderated text or media shown: %s", a.body)
		}
		decodeXML(t, a, &rx)
		if rx.Requests[0].Description != "有人乱扔垃圾" || rx.Requests[0].MediaURL != "" {
			t.Fatalf("redaction %+v", rx.Requests[0])
		}
		if _, err := f.cit.Moderate(mod, cid, citizen.Moderation{HideText: true}); err != nil {
			t.Fatal(err)
		}
		decodeXML(t, f.get(t, "requests/"+id+".xml"), &rx)
		if rx.Requests[0].Description != citizen.HiddenText || rx.Requests[0].MediaURL == "" {
			t.Fatalf("hidden %+v", rx.Requests[0])
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'citizen.moderate'`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("moderation audit entries %d (%v)", n, err)
		}

		// The platform rejects it (不予立案) with a public reason; the request
		// closes with the reason as status_notes and the trail shows it.
		f.clk.Advance(time.Hour)
		platform := orgtest.As("410105001001", cases.PermCaseRead, cases.PermCaseDispatch)
		if _, err := f.cs.Reject(platform, cid, cases.Transition{Note: "不属于本平台受理范围"}); err != nil {
			t.Fatal(err)
		}
		decodeXML(t, f.get(t, "requests/"+id+".xml"), &rx)
		r := rx.Requests[0]
		if r.Status != "closed" || r.DetailedStatus != "rejected" || r.StatusNotes != "不属于本平台受理范围" ||
			r.Expected != "" || r.Updated != "2026-03-02T10:00:00+08:00" {
			t.Fatalf("rejected %+v", r)
		}

		type update struct {
			UpdateID  string  `xml:"update_id" json:"update_id"`
			RequestID string  `xml:"service_request_id" json:"service_request_id"`
			Status    string  `xml:"status" json:"status"`
			Updated   string  `xml:"updated_datetime" json:"updated_datetime"`
			Text      string  `xml:"description" json:"description"`
			MediaURL  *string `xml:"media_url" json:"media_url"`
		}
		var ux struct {
			XMLName xml.Name `xml:"service_requests_updates"`
			Updates []update `xml:"request_update"`
		}
		a = f.get(t, "servicerequestupdates.xml?start_date=2026-03-02T00:00:00%2B08:00&end_date=2026-03-03T00:00:00%2B08:00")
		want(t, a, 200, open311.ContentXML)
		decodeXML(t, a, &ux)
		if len(ux.Updates) != 2 || ux.Updates[0].Status != "open" || ux.Updates[1].Status != "no_further_action" ||
			ux.Updates[1].Text != "不属于本平台受理范围" || ux.Updates[1].RequestID != id || ux.Updates[1].UpdateID == "" ||
			!dateRE.MatchString(ux.Updates[1].Updated) || ux.Updates[1].MediaURL == nil {
			t.Fatalf("updates %s", a.body)
		}
		// The create step's note is the original text: it never shows.
		if strings.Contains(string(a.body), "电话一三九") {
			t.Fatalf("updates leak the moderated text: %s", a.body)
		}
		var uj []update
		a = f.get(t, "servicerequestupdates.json?start_date=2026-03-02T09:30:00%2B08:00&end_date=2026-03-03T00:00:00%2B08:00")
		want(t, a, 200, open311.ContentJSON)
		decodeJSON(t, a, &uj)
		if len(uj) != 1 || uj[0].Status != "no_further_action" {
			t.Fatalf("updates json %s", a.body)
		}
	})
}
