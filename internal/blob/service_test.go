package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/jpeg"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/org"
	"gridgov/internal/rbac"
)

// svcFixture is the attachments service on a test database holding 郑州市
// with two districts and a community in each, over a local store.
type svcFixture struct {
	d     *db.DB
	svc   *Service
	dir   string
	local *Local
	clk   *clock.Fake
}

func newSvcFixture(t *testing.T, d *db.DB, opts Options) *svcFixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	log := audit.New(d, clk)
	sys := actor.With(context.Background(), actor.SystemActor("test"))
	orgs := org.NewService(d, log, clk)
	for _, u := range []org.UnitInput{
		{Code: "410100", Name: "郑州市", Level: org.City},
		{Code: "410105", Name: "金水区", Level: org.District, ParentCode: "410100"},
		{Code: "410102", Name: "中原区", Level: org.District, ParentCode: "410100"},
		{Code: "410105001", Name: "经八路街道", Level: org.Street, ParentCode: "410105"},
		{Code: "410105001001", Name: "经八路社区", Level: org.Community, ParentCode: "410105001"},
	} {
		if _, err := orgs.CreateUnit(sys, u); err != nil {
			t.Fatalf("create unit %s: %v", u.Code, err)
		}
	}
	dir := t.TempDir()
	local, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.TempDir = t.TempDir()
	return &svcFixture{d: d, svc: NewService(d, local, log, clk, opts), dir: dir, local: local, clk: clk}
}

// user acts as user id of unit, holding perms over the subtree at path.
func user(id int64, unit, path string, perms ...rbac.Permission) context.Context {
	m := map[string]bool{}
	for _, p := range perms {
		m[p] = true
	}
	return actor.With(context.Background(), &actor.Actor{UserID: id, Username: "u" + unit, UnitCode: unit,
		Grants: []actor.Grant{{Role: "r", ScopeCode: unit, ScopePath: path, Perms: m}}})
}

// worker is a grid worker of 经八路社区 who may upload but not read others' files.
func worker() context.Context {
	return user(10, "410105001001", "/410100/410105/410105001/410105001001/", PermUpload)
}

func (f *svcFixture) files(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(f.dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *svcFixture) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := f.d.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Fatalf("got error %q (%v), want %q", got, err, code)
	}
}

func readOpen(t *testing.T, rc io.ReadCloser, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUploadPhotoStripsExif(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		photo := withExif(testJPEG(t, 1200, 900), 0)
		att, err := f.svc.Upload(worker(), UploadInput{Filename: "现场.jpg", Content: bytes.NewReader(photo),
			Declared: "application/octet-stream", Purpose: "case_step"})
		if err != nil {
			t.Fatal(err)
		}
		if att.ID == 0 || att.ContentType != "image/jpeg" || att.Kind != Image || att.Width != 1200 ||
			att.Height != 900 || !att.Thumbnail || att.UploadedBy != 10 || att.UnitCode != "410105001001" ||
			att.Filename != "现场.jpg" || att.Purpose != "case_step" {
			t.Errorf("attachment: got %+v", att)
		}
		_, rc, err := f.svc.Open(worker(), att.ID)
		stored := readOpen(t, rc, err)
		if hasMarker(stored, markerAPP1) || bytes.Contains(stored, []byte(gpsSecret)) || bytes.Contains(stored, []byte("Exif")) {
			t.Error("stored photo still carries APP1 / Exif GPS")
		}
		sum := sha256.Sum256(stored)
		if att.Size != int64(len(stored)) || att.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("size/sha256: got %d %s, want those of the %d stored bytes", att.Size, att.SHA256, len(stored))
		}
		_, rc, err = f.svc.OpenThumb(worker(), att.ID)
		thumb, err := jpeg.Decode(bytes.NewReader(readOpen(t, rc, err)))
		if err != nil {
			t.Fatalf("thumbnail does not decode: %v", err)
		}
		if b := thumb.Bounds(); b.Dx() != 320 || b.Dy() != 240 {
			t.Errorf("thumbnail: got %v, want 320×240", b)
		}
		if got := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'`); got != 1 {
			t.Errorf("audit entries: got %d, want 1", got)
		}
		again, err := f.svc.Attachment(worker(), att.ID)
		if err != nil || again.SHA256 != att.SHA256 || !again.CreatedAt.Equal(att.CreatedAt) {
			t.Errorf("reload: got %+v %v, want %+v", again, err, att)
		}
	})
}

func TestUploadNonImages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		for _, tc := range []struct {
			name, mime string
			body       []byte
		}{
			{"report.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")},
			{"voice.amr", "audio/amr", append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x3c, 0x48, 0xf5}, 300)...)},
			{"clip.mp4", "video/mp4", append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{1}, 5000)...)},
		} {
			att, err := f.svc.Upload(worker(), UploadInput{Filename: tc.name, Content: bytes.NewReader(tc.body)})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if att.ContentType != tc.mime || att.Thumbnail || att.Size != int64(len(tc.body)) {
				t.Errorf("%s: got %+v", tc.name, att)
			}
			_, rc, err := f.svc.Open(worker(), att.ID)
			if got := readOpen(t, rc, err); !bytes.Equal(got, tc.body) {
				t.Errorf("%s: stored content differs", tc.name)
			}
			_, _, err = f.svc.OpenThumb(worker(), att.ID)
			wantCode(t, err, apperr.NotFound)
		}
	})
}

func TestUploadRefusals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{MaxImage: 4 << 10, MaxVideo: 2 << 10})
		big := testJPEG(t, 400, 400)
		tests := []struct {
			name, filename string
			body           []byte
			want           string
		}{
			{"html as jpg", "photo.jpg", []byte("<html><body><script>alert(1)</script></body></html>"), "HTML document"},
			{"png as jpg", "photo.jpg", testPNG(t, 8, 8), "file content is PNG image, not .jpg"},
			{"jpg as exe", "photo.exe", testJPEG(t, 8, 8), "file content is JPEG image, not .exe"},
			{"webp", "photo.webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x00\x00"), "WebP image"},
			{"empty", "photo.jpg", nil, "file is empty"},
			{"oversize image", "photo.jpg", big, "larger than 4 KiB"},
			{"oversize video", "clip.mp4", append([]byte("\x00\x00\x00\x10ftypisom\x00\x00\x00\x00"), make([]byte, 3000)...), "larger than 2 KiB"},
			{"broken jpeg", "photo.jpg", testJPEG(t, 40, 40)[:300], "JPEG"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Upload(worker(), UploadInput{Filename: tc.filename, Content: bytes.NewReader(tc.body)})
				e := apperr.As(err)
				if e.Code != apperr.Invalid || !strings.Contains(e.Fields["file"], tc.want) {
					t.Fatalf("got %v (fields %v), want invalid file mentioning %q", err, e.Fields, tc.want)
				}
			})
		}
		if n := f.count(t, `SELECT count(*) FROM attachments`); n != 0 {
			t.Errorf("rows after refusals: got %d, want 0", n)
		}
		if files := f.files(t); len(files) != 0 {
			t.Errorf("blobs after refusals: got %v, want none", files)
		}
		_, err := f.svc.Upload(worker(), UploadInput{Filename: "x.jpg", Content: bytes.NewReader(big), Purpose: "Bad Purpose"})
		if e := apperr.As(err); e.Fields["purpose"] == "" {
			t.Errorf("bad purpose: got %v, want invalid naming purpose", err)
		}
		_, err = f.svc.Upload(user(11, "410105", "/410100/410105/", PermRead), UploadInput{Filename: "x.pdf",
			Content: strings.NewReader("%PDF-1.4")})
		wantCode(t, err, apperr.Forbidden)
	})
}

func TestUploadTraversalFilename(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		for _, name := range []string{"../../../../tmp/evil.pdf", `..\..\evil.pdf`, "/etc/cron.d/evil.pdf"} {
			att, err := f.svc.Upload(worker(), UploadInput{Filename: name, Content: strings.NewReader("%PDF-1.4 x")})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if att.Filename != "evil.pdf" {
				t.Errorf("%s: filename got %q, want evil.pdf", name, att.Filename)
			}
		}
		files := f.files(t)
		if len(files) != 3 {
			t.Fatalf("files: got %v, want 3 under the store", files)
		}
		for _, p := range files {
			if strings.Contains(p, "evil") || !strings.HasPrefix(p, f.dir+"/") {
				t.Errorf("stored at %s: the client name reached the path", p)
			}
		}
	})
}

// caseReader vouches for one attachment, as the cases module does for
// the files of a case its actor may see.
type caseReader struct{ id int64 }

func (c caseReader) CanReadAttachment(ctx context.Context, id int64) (bool, error) {
	return id == c.id, nil
}

func TestReadScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		att, err := f.svc.Upload(worker(), UploadInput{Filename: "a.png", Content: bytes.NewReader(testPNG(t, 20, 20))})
		if err != nil {
			t.Fatal(err)
		}
		jinshui := user(20, "410105", "/410100/410105/", PermRead)
		city := user(21, "410100", "/410100/", PermRead)
		zhongyuan := user(30, "410102", "/410100/410102/", PermRead)
		neighbour := user(31, "410105001001", "/410100/410105/410105001/410105001001/", PermUpload)
		for name, ctx := range map[string]context.Context{"uploader": worker(), "district": jinshui, "city": city} {
			if _, rc, err := f.svc.Open(ctx, att.ID); err != nil {
				t.Errorf("%s: got %v, want access", name, err)
			} else {
				rc.Close()
			}
		}
		for name, ctx := range map[string]context.Context{"other district": zhongyuan, "colleague without read": neighbour} {
			_, err := f.svc.Attachment(ctx, att.ID)
			wantCode(t, err, apperr.NotFound)
			_, _, err = f.svc.OpenThumb(ctx, att.ID)
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s thumbnail: got %v, want not_found", name, err)
			}
		}
		_, err = f.svc.Attachment(jinshui, att.ID+1000)
		wantCode(t, err, apperr.NotFound)
		_, err = f.svc.Attachment(context.Background(), att.ID)
		wantCode(t, err, apperr.Unauthenticated)
		f.svc.readers = append(f.svc.readers, caseReader{id: att.ID})
		if _, err := f.svc.Attachment(zhongyuan, att.ID); err != nil {
			t.Errorf("through a case reader: got %v, want access", err)
		}
	})
}

func TestLinkCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		mine, err := f.svc.Upload(worker(), UploadInput{Filename: "a.pdf", Content: strings.NewReader("%PDF-1.4 a")})
		if err != nil {
			t.Fatal(err)
		}
		other := user(31, "410105001001", "/410100/410105/410105001/410105001001/", PermUpload)
		theirs, err := f.svc.Upload(other, UploadInput{Filename: "b.pdf", Content: strings.NewReader("%PDF-1.4 b")})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.LinkCheck(worker(), []int64{mine.ID, mine.ID}); err != nil {
			t.Errorf("own attachment: got %v", err)
		}
		if err := f.svc.LinkCheck(worker(), nil); err != nil {
			t.Errorf("no attachments: got %v", err)
		}
		for _, ids := range [][]int64{{mine.ID, theirs.ID}, {mine.ID + theirs.ID + 99}} {
			if e := apperr.As(f.svc.LinkCheck(worker(), ids)); e.Code != apperr.Invalid || e.Fields["attachments"] == "" {
				t.Errorf("ids %v: got %v, want invalid naming attachments", ids, e)
			}
		}
		sys := actor.With(context.Background(), actor.SystemActor("test"))
		if err := f.svc.LinkCheck(sys, []int64{mine.ID, theirs.ID}); err != nil {
			t.Errorf("system: got %v", err)
		}
	})
}

func TestFailedRecordDeletesBlobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		// The insert must fail: the table is moved away (other tables
		// refer to it, so it cannot be dropped).
		if _, err := d.Exec(context.Background(), `ALTER TABLE attachments RENAME TO attachments_gone`); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.Upload(worker(), UploadInput{Filename: "a.jpg", Content: bytes.NewReader(testJPEG(t, 50, 50))})
		wantCode(t, err, apperr.Internal)
		if files := f.files(t); len(files) != 0 {
			t.Errorf("blobs after a failed insert: got %v, want none", files)
		}
		if got := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'attachment.upload'`); got != 0 {
			t.Errorf("audit entries: got %d, want 0", got)
		}
	})
}
