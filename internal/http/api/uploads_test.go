package api

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestResumableUploadAPI opens an upload, sends half, learns the offset
// with HEAD after the "cut", refuses a wrong offset (409, with the server's
// offset) and a damaged chunk (422), and finishes: the answer carries the
// attachment, whose content is the photo sent.
func TestResumableUploadAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newAttachFixture(t, d)
		tok := f.login("worker-410105001001")
		photo := photoWithGPS(t) // its Exif goes on completion, as for POST /attachments
		start := f.doHeader("POST", "/api/v1/uploads", tok, map[string]any{"filename": "site.jpg",
			"size": len(photo), "content_type": "image/jpeg", "purpose": "case"}, map[string]string{"Idempotency-Key": "u-1"})
		if start.status != http.StatusCreated {
			t.Fatalf("start: got %d %s", start.status, start.body)
		}
		var u struct {
			ID         string `json:"id"`
			Offset     int64  `json:"offset"`
			Attachment *struct {
				ID          int64  `json:"id"`
				ContentType string `json:"content_type"`
			} `json:"attachment"`
		}
		start.json(t, &u)
		replay := f.doHeader("POST", "/api/v1/uploads", tok, map[string]any{"filename": "site.jpg",
			"size": len(photo), "content_type": "image/jpeg", "purpose": "case"}, map[string]string{"Idempotency-Key": "u-1"})
		if replay.status != http.StatusOK || replay.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replayed start: got %d %s", replay.status, replay.body)
		}
		path := "/api/v1/uploads/" + u.ID
		half := len(photo) / 2
		chunk := func(off int, b []byte, extra map[string]string) response {
			h := map[string]string{"Upload-Offset": strconv.Itoa(off)}
			for k, v := range extra {
				h[k] = v
			}
			return f.doRaw("PATCH", path, tok, "application/offset+octet-stream", b, h)
		}
		if r := f.doRaw("PATCH", path, tok, "application/octet-stream", photo[:half], map[string]string{"Upload-Offset": "0"}); r.status != http.StatusUnsupportedMediaType {
			t.Errorf("wrong content type: got %d, want 415", r.status)
		}
		if r := chunk(0, photo[:half], nil); r.status != http.StatusOK {
			t.Fatalf("first half: got %d %s", r.status, r.body)
		}
		head := f.doRaw("HEAD", path, tok, "", nil, nil)
		if head.status != http.StatusOK || head.header.Get("Upload-Offset") != strconv.Itoa(half) ||
			head.header.Get("Upload-Length") != strconv.Itoa(len(photo)) {
			t.Fatalf("HEAD: got %d offset %q length %q", head.status, head.header.Get("Upload-Offset"), head.header.Get("Upload-Length"))
		}
		if r := chunk(0, photo[:half], nil); r.status != http.StatusConflict || r.header.Get("Upload-Offset") != strconv.Itoa(half) {
			t.Errorf("wrong offset: got %d offset %q, want 409 naming %d", r.status, r.header.Get("Upload-Offset"), half)
		}
		sum := sha256.Sum256(photo[half:])
		checksum := "sha256 " + base64.StdEncoding.EncodeToString(sum[:])
		bad := append([]byte(nil), photo[half:]...)
		bad[len(bad)/2] ^= 0x55
		if r := chunk(half, bad, map[string]string{"Upload-Checksum": checksum}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("damaged chunk: got %d %s, want 422", r.status, r.body)
		}
		done := chunk(half, photo[half:], map[string]string{"Upload-Checksum": checksum})
		if done.status != http.StatusOK {
			t.Fatalf("last half: got %d %s", done.status, done.body)
		}
		done.json(t, &u)
		if u.Attachment == nil || u.Attachment.ContentType != "image/jpeg" {
			t.Fatalf("completed upload: got %s, want an image/jpeg attachment", done.body)
		}
		got := f.do("GET", "/api/v1/attachments/"+strconv.FormatInt(u.Attachment.ID, 10)+"/content", tok, nil)
		if got.status != http.StatusOK || len(got.body) == 0 {
			t.Errorf("attachment content: got %d, %d bytes", got.status, len(got.body))
		}
		other := f.login("field-410105")
		if r := f.do("GET", path, other, nil); r.status != http.StatusNotFound {
			t.Errorf("another user's upload: got %d, want 404", r.status)
		}
	})
}
