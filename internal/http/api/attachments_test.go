package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gridgov/internal/apptest"
	"gridgov/internal/blob"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// attachFixture is the API fixture with images limited to 256 KiB, a role
// "field" holding the attachment permissions, and field users in a
// community of 金水区, in 金水区 and in 中原区.
type attachFixture struct {
	*fixture
	blobs *blob.Service
}

func newAttachFixture(t *testing.T, d *db.DB) *attachFixture {
	t.Helper()
	f := newFixture(t, d, func(o *apptest.Options) {
		o.BlobLimits = &blob.Options{MaxImage: 256 << 10, TempDir: t.TempDir()}
	})
	now := f.clock.Now()
	if _, err := d.Exec(context.Background(), `INSERT INTO roles (name, title, builtin, permissions, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, "field", "网格员", false, blob.PermUpload+" "+blob.PermRead, now, now); err != nil {
		t.Fatal(err)
	}
	f.createUser("worker-410105001001", "410105001001", "field")
	f.createUser("field-410105", "410105", "field")
	f.createUser("field-410102", "410102", "field")
	return &attachFixture{fixture: f, blobs: f.app.Blobs}
}

// upload posts one file as multipart/form-data.
func (f *fixture) upload(token, field, filename string, content []byte, purpose string) response {
	f.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if purpose != "" {
		_ = mw.WriteField("purpose", purpose)
	}
	part, err := mw.CreateFormFile(field, filename)
	if err != nil {
		f.t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = mw.Close()
	return f.doRaw("POST", "/api/v1/attachments", token, mw.FormDataContentType(), body.Bytes(), nil)
}

// doRaw sends a request with a raw body of contentType.
func (f *fixture) doRaw(method, path, token, contentType string, body []byte, header map[string]string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// photoWithGPS is a 640×480 JPEG with an Exif APP1 naming a GPS position.
func photoWithGPS(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := 0; y < 480; y++ {
		for x := 0; x < 640; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	payload := "Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00GPS 34.7466N 113.6253E"
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(payload)+2))
	out := append([]byte{0xFF, 0xD8}, append(seg, payload...)...)
	return append(out, buf.Bytes()[2:]...)
}

func TestAttachmentRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAttachFixture(t, d)
		worker := f.login("worker-410105001001")
		res := f.upload(worker, "file", "现场 照片.jpg", photoWithGPS(t), "case_step")
		if res.status != http.StatusCreated {
			t.Fatalf("upload: got %d %s, want 201", res.status, res.body)
		}
		var att blob.Attachment
		res.json(t, &att)
		loc := "/api/v1/attachments/" + strconv.FormatInt(att.ID, 10)
		if res.header.Get("Location") != loc || att.ContentType != "image/jpeg" || att.Width != 640 ||
			!att.Thumbnail || att.Filename != "现场 照片.jpg" || att.Purpose != "case_step" || att.UnitCode != "410105001001" {
			t.Errorf("upload: got %s (Location %s)", res.body, res.header.Get("Location"))
		}
		if meta := f.do("GET", loc, worker, nil); meta.status != http.StatusOK || !strings.Contains(string(meta.body), att.SHA256) {
			t.Errorf("metadata: got %d %s", meta.status, meta.body)
		}
		dl := f.do("GET", loc+"/content", worker, nil)
		if dl.status != http.StatusOK || int64(len(dl.body)) != att.Size {
			t.Fatalf("download: got %d with %d bytes, want 200 with %d", dl.status, len(dl.body), att.Size)
		}
		if bytes.Contains(dl.body, []byte("GPS")) || bytes.Contains(dl.body, []byte("Exif")) {
			t.Error("download still carries the Exif GPS block")
		}
		wantHeaders := map[string]string{
			"Content-Type":           "image/jpeg",
			"X-Content-Type-Options": "nosniff",
			"Content-Disposition":    `attachment; filename="__ __.jpg"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%20%E7%85%A7%E7%89%87.jpg`,
			"ETag":                   `"` + att.SHA256 + `"`,
		}
		for k, v := range wantHeaders {
			if got := dl.header.Get(k); got != v {
				t.Errorf("download header %s: got %q, want %q", k, got, v)
			}
		}
		part := f.doRaw("GET", loc+"/content", worker, "", nil, map[string]string{"Range": "bytes=0-9"})
		if part.status != http.StatusPartialContent || !bytes.Equal(part.body, dl.body[:10]) {
			t.Errorf("range: got %d with %d bytes, want 206 with the first 10", part.status, len(part.body))
		}
		th := f.do("GET", loc+"/thumbnail", worker, nil)
		img, err := jpeg.Decode(bytes.NewReader(th.body))
		if th.status != http.StatusOK || err != nil || img.Bounds().Dx() != 320 || th.header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("thumbnail: got %d %s (%v)", th.status, th.header.Get("Content-Type"), err)
		}
	})
}

func TestAttachmentScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAttachFixture(t, d)
		res := f.upload(f.login("worker-410105001001"), "file", "a.jpg", photoWithGPS(t), "")
		var att blob.Attachment
		res.json(t, &att)
		loc := "/api/v1/attachments/" + strconv.FormatInt(att.ID, 10)
		if got := f.do("GET", loc+"/content", f.login("field-410105"), nil).status; got != http.StatusOK {
			t.Errorf("district of the uploader: got %d, want 200", got)
		}
		other := f.login("field-410102")
		for _, p := range []string{loc, loc + "/content", loc + "/thumbnail"} {
			if got := f.do("GET", p, other, nil).status; got != http.StatusNotFound {
				t.Errorf("other district %s: got %d, want 404", p, got)
			}
		}
		if got := f.do("GET", loc, "", nil).status; got != http.StatusUnauthorized {
			t.Errorf("no token: got %d, want 401", got)
		}
		if got := f.do("GET", "/api/v1/attachments/x1", other, nil).status; got != http.StatusNotFound {
			t.Errorf("bad id: got %d, want 404", got)
		}
	})
}

func TestAttachmentUploadErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAttachFixture(t, d)
		worker := f.login("worker-410105001001")
		html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
		if res := f.upload(worker, "file", "a.jpg", html, ""); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.errorBody(t).Fields["file"], "HTML") {
			t.Errorf("html as jpg: got %d %s, want 422 naming file", res.status, res.body)
		}
		if res := f.upload(worker, "photo", "a.jpg", photoWithGPS(t), ""); res.status != http.StatusUnprocessableEntity ||
			res.errorBody(t).Fields["photo"] == "" {
			t.Errorf("wrong field: got %d %s, want 422 naming photo", res.status, res.body)
		}
		big := append(photoWithGPS(t), make([]byte, 300<<10)...)
		if res := f.upload(worker, "file", "a.jpg", big, ""); res.status != http.StatusUnprocessableEntity ||
			!strings.Contains(res.errorBody(t).Fields["file"], "larger than 256 KiB") {
			t.Errorf("oversize: got %d %s, want 422", res.status, res.body)
		}
		if res := f.do("POST", "/api/v1/attachments", worker, map[string]string{"file": "x"}); res.status != http.StatusUnsupportedMediaType {
			t.Errorf("JSON body: got %d, want 415", res.status)
		}
		f.createUser("viewer-410102", "410102", "viewer")
		viewer := f.login("viewer-410102")
		if res := f.upload(viewer, "file", "a.jpg", photoWithGPS(t), ""); res.status != http.StatusForbidden ||
			!strings.Contains(string(res.body), blob.PermUpload) {
			t.Errorf("without attachment.upload: got %d %s", res.status, res.body)
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM attachments`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows after refusals: got %d (%v), want 0", n, err)
		}
	})
}
