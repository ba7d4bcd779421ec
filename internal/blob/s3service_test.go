package blob

import (
	"bytes"
	"context"
	"image/jpeg"
	"testing"
	"time"

	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// TestUploadOnS3 runs the whole upload and download path on the
// S3-compatible store.
func TestUploadOnS3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		s3 := newFakeS3(t)
		svc := NewService(d, s3, audit.New(d, clk), clk, Options{TempDir: t.TempDir()})
		photo := withExif(testJPEG(t, 500, 1000), 0)
		att, err := svc.Upload(worker(), UploadInput{Filename: "p.jpeg", Content: bytes.NewReader(photo)})
		if err != nil {
			t.Fatal(err)
		}
		_, rc, err := svc.Open(worker(), att.ID)
		stored := readOpen(t, rc, err)
		if int64(len(stored)) != att.Size || bytes.Contains(stored, []byte(gpsSecret)) {
			t.Errorf("stored: got %d bytes (want %d) or GPS left in", len(stored), att.Size)
		}
		_, rc, err = svc.OpenThumb(worker(), att.ID)
		img, err := jpeg.Decode(bytes.NewReader(readOpen(t, rc, err)))
		if err != nil || img.Bounds().Dx() != 160 || img.Bounds().Dy() != 320 {
			t.Errorf("thumbnail: got %v (%v), want 160×320", img.Bounds(), err)
		}
		pdf, err := svc.Upload(worker(), UploadInput{Filename: "r.pdf", Content: bytes.NewReader([]byte("%PDF-1.4 s3"))})
		if err != nil {
			t.Fatal(err)
		}
		_, rc, err = svc.Open(worker(), pdf.ID)
		if got := readOpen(t, rc, err); string(got) != "%PDF-1.4 s3" {
			t.Errorf("pdf: got %q", got)
		}
		if ok, err := s3.Exists(context.Background(), att.blobKey+"-thumb"); !ok || err != nil {
			t.Errorf("thumbnail blob: got %v %v, want stored", ok, err)
		}
	})
}
