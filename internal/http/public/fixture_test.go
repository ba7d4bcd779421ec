package public_test

import (
	"bytes"
	"context"
	"crypto/rand"
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
	"gridgov/internal/audit"
	"gridgov/internal/blob"
	"gridgov/internal/calendar"
	"gridgov/internal/cases"
	"gridgov/internal/citizen"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/http/httpx"
	"gridgov/internal/http/public"
	"gridgov/internal/org"
	"gridgov/internal/orgtest"
	"gridgov/internal/registry"
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

// boxLocator places every point within 0.05° of (lat, lng) in grid
// G410105001001, so map clicks and nearby points land in it.
type boxLocator struct{}

func (boxLocator) Locate(_ context.Context, la, ln float64) (string, bool, error) {
	if la > lat-0.05 && la < lat+0.05 && ln > lng-0.05 && ln < lng+0.05 {
		return "G410105001001", true, nil
	}
	return "", false, nil
}

type fixture struct {
	d    *db.DB
	cit  *citizen.Service
	cs   *cases.Service
	cap  *citizen.Captcha
	srv  *httptest.Server
	clk  *clock.Fake
	sys  context.Context
	log  *audit.Log
	seal *registry.Sealer
}

func newFixture(t *testing.T, d *db.DB, opts citizen.Options) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgtest.Build(t, sys, org.NewService(d, log, clk))
	cs := cases.NewService(d, log, clk, calendar.Default(), boxLocator{})
	if err := cs.EnsureCatalogue(sys); err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	sealer, err := registry.NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	store, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobs := blob.NewService(d, store, log, clk, blob.Options{TempDir: t.TempDir()})
	cit := citizen.NewService(d, log, clk, cs, sealer, opts)
	capt := citizen.NewCaptcha(d, clk, nil)
	capt.SetAnswerSource(func(string) string { return answer })
	h := public.New(public.Deps{Citizen: cit, Blobs: blobs, Captcha: capt, DB: d, Clock: clk,
		MapCenter: [2]float64{lat, lng}, MapZoom: 16})
	mux := http.NewServeMux()
	mux.Handle(public.Prefix, h)
	srv := httptest.NewServer(httpx.SecurityHeaders(httpx.Meta(httpx.Options{}, mux)))
	t.Cleanup(srv.Close)
	return &fixture{d: d, cit: cit, cs: cs, cap: capt, srv: srv, clk: clk, sys: sys, log: log, seal: sealer}
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
