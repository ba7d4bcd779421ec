package public_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apptest"
	"gridgov/internal/audit"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/config"
	"gridgov/internal/db"
	"gridgov/internal/http/httpx"
	"gridgov/internal/http/public"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
)

// The test CAPTCHA's answer (an injected answer source).
const answer = "4271"

// Point inside grid G410105001001 (boxLocator below), and a second one
// about 110 m north of it.
const (
	lat, lng   = 34.77, 113.68
	lat2, lng2 = 34.771, 113.68
	phone      = "13912345678"
)

// box is the boundary of grid G410105001001 in the fixture: every point
// within 0.05° of (lat, lng), so map clicks and nearby points land in it.
var box = json.RawMessage(fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}`,
	lng-0.05, lat-0.05, lng+0.05, lat-0.05, lng+0.05, lat+0.05, lng-0.05, lat+0.05, lng-0.05, lat-0.05))

type fixture struct {
	d   *db.DB
	cit *citizen.Service
	cs  *cases.Service
	cap *citizen.Captcha
	srv *httptest.Server
	clk *clock.Fake
	sys context.Context
	log *audit.Log
}

// newFixture builds the portal over the whole app on d, on the orgtest
// territory; configure changes the configuration first (citizen limits).
// The clock stands on Monday 2 March 2026, 09:00 in Zhengzhou, and the
// CAPTCHA's answer is always answer.
func newFixture(t *testing.T, d *db.DB, configure ...func(*config.Config)) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	a := apptest.New(t, d, apptest.Options{Clock: clk, Config: func(c *config.Config) {
		for _, fn := range configure {
			fn(c)
		}
	}})
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, a.Org)
	if _, err := a.Org.UpdateGrid(sys, orgtest.GridJBL, org.GridUpdate{Boundary: &box}); err != nil {
		t.Fatalf("grid boundary: %v", err)
	}
	a.Captcha.SetAnswerSource(func(string) string { return answer })
	h := public.New(a, public.Options{MapCenter: [2]float64{lat, lng}, MapZoom: 16})
	mux := http.NewServeMux()
	mux.Handle(public.Prefix, h)
	srv := httptest.NewServer(httpx.SecurityHeaders(httpx.Meta(httpx.Options{}, mux)))
	t.Cleanup(srv.Close)
	return &fixture{d: d, cit: a.Citizen, cs: a.Cases, cap: a.Captcha, srv: srv, clk: clk, sys: sys, log: a.Audit}
}

// page is an answer of the portal.
type page struct {
	status   int
	location string
	body     string
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

func (f *fixture) get(t *testing.T, path string) page {
	t.Helper()
	res, err := noRedirect.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

func read(t *testing.T, res *http.Response) page {
	t.Helper()
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b)}
	// No public page ever holds the reporter's phone.
	if strings.Contains(p.body, phone) && !strings.Contains(p.body, `name="phone"`) {
		t.Fatalf("%s leaks the phone: %s", res.Request.URL, p.body)
	}
	return p
}

var captchaRE = regexp.MustCompile(`name="captcha" value="([^"]+)"`)

// captcha fetches a fresh challenge from the form.
func (f *fixture) captcha(t *testing.T) string {
	t.Helper()
	p := f.get(t, "/public/report")
	m := captchaRE.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil {
		t.Fatalf("report form: %d %s", p.status, p.body)
	}
	return m[1]
}

// form is a valid report at (lat, lng) with a fresh CAPTCHA.
func (f *fixture) form(t *testing.T, desc string) url.Values {
	return url.Values{"category": {"E010101"}, "description": {desc}, "lat": {"34.77"}, "lng": {"113.68"},
		"accuracy": {"12"}, "notice": {public.NoticeVersion}, "captcha": {f.captcha(t)}, "captcha_answer": {answer}}
}

// post sends a report as multipart, with a photo when photo is not nil.
func (f *fixture) post(t *testing.T, v url.Values, photo []byte) page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, s := range vs {
			_ = mw.WriteField(k, s)
		}
	}
	if photo != nil {
		w, _ := mw.CreateFormFile("photo", "scene.png")
		_, _ = w.Write(photo)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/public/report", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, res)
}

// filed posts a report that must be filed and returns its tracking code.
func (f *fixture) filed(t *testing.T, v url.Values, photo []byte) string {
	t.Helper()
	p := f.post(t, v, photo)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/public/t/") {
		t.Fatalf("report: got %d %q, want 303 to the tracking page: %s", p.status, p.location, p.body)
	}
	return strings.TrimSuffix(strings.TrimPrefix(p.location, "/public/t/"), "?new=1")
}

// pngPhoto is a small PNG picture.
func pngPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func wantIn(t *testing.T, p page, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(p.body, s) {
			t.Errorf("page lacks %q:\n%s", s, p.body)
		}
	}
}

func regexpMust(re string) *regexp.Regexp { return regexp.MustCompile(re) }
