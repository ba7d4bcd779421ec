package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"testing"
	"time"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256 " + base64.StdEncoding.EncodeToString(s[:])
}

// TestResumableUpload sends a video in chunks, is cut off half way, asks
// the offset and resumes: the attachment is byte-identical to the file.
// A wrong offset is a 409, a damaged chunk a 422 that keeps the offset,
// and another user cannot see the upload.
func TestResumableUpload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		video := append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{7, 1, 9}, 20000)...)
		u, replayed, err := f.svc.StartUpload(worker(), UploadStart{Filename: "clip.mp4", Size: int64(len(video)),
			Purpose: "case", IdempotencyKey: "k-1"})
		if err != nil || replayed || u.Offset != 0 || len(u.ID) != 32 {
			t.Fatalf("start: got %+v replayed=%v err=%v", u, replayed, err)
		}
		again, replayed, err := f.svc.StartUpload(worker(), UploadStart{Filename: "clip.mp4", Size: int64(len(video)),
			Purpose: "case", IdempotencyKey: "k-1"})
		if err != nil || !replayed || again.ID != u.ID {
			t.Fatalf("retried start: got %+v replayed=%v err=%v, want upload %s", again, replayed, err, u.ID)
		}
		half := len(video) / 2
		// The connection drops after a third of the first half: the
		// server keeps what arrived up to the cut.
		if _, err := f.svc.AppendUpload(worker(), u.ID, 0, bytes.NewReader(video[:10000]), sumOf(video[:10000])); err != nil {
			t.Fatalf("first chunk: %v", err)
		}
		st, err := f.svc.UploadStatus(worker(), u.ID)
		if err != nil || st.Offset != 10000 {
			t.Fatalf("status: got %+v %v, want offset 10000", st, err)
		}
		_, err = f.svc.AppendUpload(worker(), u.ID, 0, bytes.NewReader(video[:half]), "")
		wantCode(t, err, apperr.Conflict)
		bad := append([]byte(nil), video[10000:half]...)
		bad[5] ^= 0xff
		_, err = f.svc.AppendUpload(worker(), u.ID, 10000, bytes.NewReader(bad), sumOf(video[10000:half]))
		wantCode(t, err, apperr.Invalid)
		if st, _ := f.svc.UploadStatus(worker(), u.ID); st.Offset != 10000 {
			t.Fatalf("offset after a damaged chunk: got %d, want 10000", st.Offset)
		}
		other := user(11, "410105001001", "/410100/410105/410105001/410105001001/", PermUpload)
		_, err = f.svc.UploadStatus(other, u.ID)
		wantCode(t, err, apperr.NotFound)
		if _, err := f.svc.AppendUpload(worker(), u.ID, 10000, bytes.NewReader(video[10000:half]), sumOf(video[10000:half])); err != nil {
			t.Fatalf("resumed chunk: %v", err)
		}
		done, err := f.svc.AppendUpload(worker(), u.ID, int64(half), bytes.NewReader(video[half:]), "")
		if err != nil || done.AttachmentID == nil {
			t.Fatalf("last chunk: got %+v %v, want an attachment", done, err)
		}
		_, rc, err := f.svc.Open(worker(), *done.AttachmentID)
		if got := readOpen(t, rc, err); !bytes.Equal(got, video) {
			t.Errorf("stored video: got %d bytes, want the %d bytes sent, identical", len(got), len(video))
		}
		// Sending the last chunk again (its answer was lost) answers the
		// finished upload, not a second attachment.
		again, err = f.svc.AppendUpload(worker(), u.ID, int64(half), bytes.NewReader(video[half:]), "")
		if err != nil || again.AttachmentID == nil || *again.AttachmentID != *done.AttachmentID {
			t.Errorf("repeated last chunk: got %+v %v", again, err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM attachments`); n != 1 {
			t.Errorf("attachments: got %d, want 1", n)
		}
		if _, err := os.Stat(f.svc.partPath(u.ID)); !os.IsNotExist(err) {
			t.Errorf("partial file left after completion: %v", err)
		}
	})
}

// TestResumableUploadChecks: the completed file goes through the same
// checks as a direct upload, a chunk may not run past the declared size,
// and unfinished uploads are purged after 24 hours with their bytes.
func TestResumableUploadChecks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		_, _, err := f.svc.StartUpload(worker(), UploadStart{Filename: "x.jpg", Size: 0})
		wantCode(t, err, apperr.Invalid)
		_, _, err = f.svc.StartUpload(worker(), UploadStart{Filename: "x.mp4", Size: 1 << 40})
		wantCode(t, err, apperr.Invalid)
		_, _, err = f.svc.StartUpload(user(12, "410105001001", "/410100/410105/410105001/410105001001/"),
			UploadStart{Filename: "x.jpg", Size: 10})
		wantCode(t, err, apperr.Forbidden)

		fake := []byte("MZ this is not a photo at all, whatever the name says")
		u, _, err := f.svc.StartUpload(worker(), UploadStart{Filename: "photo.jpg", Size: int64(len(fake))})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AppendUpload(worker(), u.ID, 0, bytes.NewReader(append(fake, 'x')), "")
		wantCode(t, err, apperr.Invalid)
		_, err = f.svc.AppendUpload(worker(), u.ID, 0, bytes.NewReader(fake), "")
		if err == nil {
			t.Fatal("a file that is not what its name says was accepted")
		}
		_, err = f.svc.UploadStatus(worker(), u.ID)
		wantCode(t, err, apperr.NotFound)

		left, _, err := f.svc.StartUpload(worker(), UploadStart{Filename: "clip.mp4", Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AppendUpload(worker(), left.ID, 0, bytes.NewReader(make([]byte, 40)), ""); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(UploadTTL + time.Minute)
		n, err := f.svc.PurgeUploads(worker())
		if err != nil || n != 1 {
			t.Fatalf("purge: got %d %v, want 1", n, err)
		}
		if _, err := os.Stat(f.svc.partPath(left.ID)); !os.IsNotExist(err) {
			t.Errorf("partial file left after purge: %v", err)
		}
		if c := f.count(t, `SELECT COUNT(*) FROM uploads`); c != 0 {
			t.Errorf("uploads after purge: got %d, want 0", c)
		}
	})
}
