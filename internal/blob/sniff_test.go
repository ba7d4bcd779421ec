package blob

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	ftyp := func(major string, compat ...string) []byte {
		b := []byte{0, 0, 0, byte(16 + 4*len(compat))}
		b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
		for _, c := range compat {
			b = append(b, c...)
		}
		return append(b, "\x00\x00\x00\x08free"...)
	}
	tests := []struct {
		name string
		head []byte
		want string
		ok   bool
	}{
		{"jpeg", testJPEG(t, 8, 8), "image/jpeg", true},
		{"png", testPNG(t, 8, 8), "image/png", true},
		{"heic", ftyp("heic", "mif1", "heic"), "image/heic", true},
		{"heif mif1", ftyp("mif1", "heic"), "image/heic", true},
		{"avif", ftyp("mif1", "avif"), "image/avif", false},
		{"mp4", ftyp("isom", "isom", "avc1"), "video/mp4", true},
		{"mp42", ftyp("mp42", "mp41"), "video/mp4", true},
		{"m4a", ftyp("M4A ", "M4A ", "mp42"), "audio/mp4", true},
		{"quicktime", ftyp("qt  "), "video/quicktime", true},
		{"amr", []byte("#!AMR\n\x3c\x48"), "audio/amr", true},
		{"aac adts", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, "audio/aac", true},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3"), "application/pdf", true},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp", false},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", false},
		{"html", []byte("<!DOCTYPE html><html><script>alert(1)</script>"), "text/html", false},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), "application/octet-stream", false},
		{"text", []byte("just words"), "text/plain", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sniff(tc.head)
			if got.MIME != tc.want || got.Allowed != tc.ok {
				t.Errorf("got %s allowed=%v, want %s allowed=%v", got.MIME, got.Allowed, tc.want, tc.ok)
			}
		})
	}
}

func TestReconcile(t *testing.T) {
	tests := []struct {
		t        FileType
		filename string
		want     string
		ok       bool
	}{
		{TypeJPEG, "photo.JPG", "image/jpeg", true},
		{TypeJPEG, "photo.jpeg", "image/jpeg", true},
		{TypeJPEG, "photo", "image/jpeg", true},
		{TypePNG, "photo.jpg", "image/png", false},
		{TypeMP4, "voice.m4a", "audio/mp4", true},
		{TypeM4A, "voice.mp4", "audio/mp4", true},
		{TypeMP4, "clip.exe", "video/mp4", false},
		{TypePDF, "report.pdf.jpg", "application/pdf", false},
	}
	for _, tc := range tests {
		got, ok := reconcile(tc.t, tc.filename)
		if got.MIME != tc.want || ok != tc.ok {
			t.Errorf("reconcile(%s, %q): got %s %v, want %s %v", tc.t.Name, tc.filename, got.MIME, ok, tc.want, tc.ok)
		}
	}
}

func TestStripJPEG(t *testing.T) {
	plain := testJPEG(t, 64, 48)
	in := withExif(plain, 0)
	out, err := stripJPEG(in, jpegOrientation(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{gpsSecret, "XMP-SECRET", "IPTC-SECRET", "COMMENT-SECRET", "TRAILER-SECRET", "Exif"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("stripped JPEG still contains %q", secret)
		}
	}
	for _, m := range []byte{markerAPP1, markerAPPD, markerCOM} {
		if hasMarker(out, m) {
			t.Errorf("stripped JPEG still has marker %#x", m)
		}
	}
	// Without re-encoding the result is the original encoder output.
	if !bytes.Equal(out, plain) {
		t.Errorf("stripped JPEG differs from the original encoding (%d vs %d bytes)", len(out), len(plain))
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("stripped JPEG does not decode: %v", err)
	}
	if _, err := stripJPEG(in[:len(in)/2], 1); err == nil {
		t.Error("truncated JPEG: got nil error")
	}
}

func TestStripJPEGKeepsOrientation(t *testing.T) {
	in := withExif(testJPEG(t, 64, 48), 6)
	if got := jpegOrientation(in); got != 6 {
		t.Fatalf("orientation: got %d, want 6", got)
	}
	out, err := stripJPEG(in, 6)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(gpsSecret)) || bytes.Contains(out, []byte("XMP-SECRET")) {
		t.Error("orientation-only Exif still carries other metadata")
	}
	if got := jpegOrientation(out); got != 6 {
		t.Errorf("orientation after strip: got %d, want 6", got)
	}
	p, err := processImage(TypeJPEG, in, 1e6)
	if err != nil {
		t.Fatal(err)
	}
	thumb, err := jpeg.Decode(bytes.NewReader(p.thumb))
	if err != nil {
		t.Fatal(err)
	}
	if b := thumb.Bounds(); b.Dx() != 48 || b.Dy() != 64 || p.width != 48 || p.height != 64 {
		t.Errorf("rotated: thumbnail %v, size %d×%d, want 48×64", b, p.width, p.height)
	}
}

func TestStripPNG(t *testing.T) {
	in := withPNGText(testPNG(t, 40, 30))
	if _, err := png.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("test PNG does not decode: %v", err)
	}
	out, err := stripPNG(append(in, "TRAILER-SECRET"...))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"PNG-TEXT-SECRET", "PNG-ITXT-SECRET", gpsSecret, "eXIf", "TRAILER-SECRET"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("stripped PNG still contains %q", secret)
		}
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds() != image.Rect(0, 0, 40, 30) {
		t.Errorf("stripped PNG: got %v %v, want a 40×30 image", img.Bounds(), err)
	}
}

func TestProcessImageRefusesHugeCanvas(t *testing.T) {
	_, err := processImage(TypePNG, testPNG(t, 200, 100), 10_000)
	if err == nil || !strings.Contains(err.Error(), "megapixels") {
		t.Errorf("got %v, want a megapixel limit error", err)
	}
}

func TestSanitizeFilename(t *testing.T) {
	tests := map[string]string{
		"../../etc/passwd.jpg":            "passwd.jpg",
		`..\..\windows\x.png`:             "x.png",
		"现场照片 1.jpg":                      "现场照片 1.jpg",
		"a\x00b\"c\u202egpj.exe":          "abcgpj.exe",
		"..":                              "attachment",
		"":                                "attachment",
		".jpg":                            "jpg",
		strings.Repeat("长", 150) + ".jpg": strings.Repeat("长", 96) + ".jpg",
	}
	for in, want := range tests {
		if got := sanitizeFilename(in); got != want {
			t.Errorf("sanitizeFilename(%q): got %q, want %q", in, got, want)
		}
	}
}
