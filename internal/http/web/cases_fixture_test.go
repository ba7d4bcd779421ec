package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/blob"
	"gridgov/internal/cases"
	"gridgov/internal/db"
	"gridgov/internal/org"
)

// caseFixture is the console fixture with the case loop and attachments:
// a 金水区 城管局, a grid in 红专路社区, and administrators of the community
// ("sq"), the street ("jd"), the 城管局 ("cgj") and 中原区 ("zy"), beside
// the fixture's "admin" (city) and "admin-410105" (district).
type caseFixture struct {
	*fixture
	cases *cases.Service
	blobs *blob.Service
}

// newCaseFixture builds the case console on d. The services' clock stands
// on Monday 2 March 2026, 09:00 in Zhengzhou, a working day.
func newCaseFixture(t testing.TB, d *db.DB) *caseFixture {
	t.Helper()
	f := newFixture(t, d)
	f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	for _, u := range []org.UnitInput{
		{Code: "410105-cgj", Name: "金水区城市管理局", Kind: org.Department, ParentCode: "410105"},
	} {
		if _, err := f.org.CreateUnit(sys, u); err != nil {
			t.Fatalf("unit %s: %v", u.Code, err)
		}
	}
	if _, err := f.org.CreateGrid(sys, org.GridInput{Code: "G410105001001", Name: "红专路一网格", Level: 3,
		UnitCode: "410105001001"}); err != nil {
		t.Fatalf("grid: %v", err)
	}
	for name, unit := range map[string]string{"sq": "410105001001", "jd": "410105001", "cgj": "410105-cgj", "zy": "410102"} {
		f.createUser(t, name, unit)
	}
	return &caseFixture{fixture: f, cases: f.app.Cases, blobs: f.app.Blobs}
}

// postMultipart sends a multipart form with one JPEG photo in field photos.
func (c *client) postMultipart(path string, form url.Values, photo []byte) page {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, err := mw.CreateFormFile("photos", "现场.jpg")
		if err != nil {
			c.t.Fatal(err)
		}
		_, _ = fw.Write(photo)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.base+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// testPhoto is a small JPEG.
func testPhoto(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var caseIDRe = regexp.MustCompile(`^/cases/(\d+)$`)

// createCase files a case through the form as the logged-in user and
// returns its id, failing unless the case page follows.
func (c *client) createCase(desc string, photo []byte) int64 {
	c.t.Helper()
	form := c.get("/cases/new")
	wantStatus(c.t, form, http.StatusOK)
	p := c.postMultipart("/cases", url.Values{"csrf": {c.csrf(form)}, "category_code": {"E010101"},
		"description": {desc}, "source": {"patrol"}, "address": {"红专路 12 号"}, "grid_code": {"G410105001001"}}, photo)
	m := caseIDRe.FindStringSubmatch(p.url.Path)
	if p.status != http.StatusOK || m == nil {
		c.t.Fatalf("create case: got %d at %s, want the case page\n%s", p.status, p.url, excerpt(p.body))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// act posts an action form of a case page with the page's CSRF token and
// version, and returns the page it lands on.
func (c *client) act(id int64, action string, form url.Values) page {
	c.t.Helper()
	cp := c.get("/cases/" + fmtInt(id))
	wantStatus(c.t, cp, http.StatusOK)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf(cp))
	if m := versionRe.FindStringSubmatch(cp.body); m != nil && form.Get("version") == "" {
		form.Set("version", m[1])
	}
	return c.post("/cases/"+fmtInt(id)+"/"+action, form)
}

var versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
