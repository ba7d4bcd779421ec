package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/jobs"
)

func TestPurgeOrphans(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		ctx := context.Background()
		upload := func(name string, body []byte) Attachment {
			t.Helper()
			a, err := f.svc.Upload(worker(), UploadInput{Filename: name, Content: bytes.NewReader(body)})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		orphan := upload("photo.jpg", testJPEG(t, 60, 40)) // with a thumbnail
		linked := upload("report.pdf", []byte("%PDF-1.4 linked"))
		rolledBack := upload("draft.pdf", []byte("%PDF-1.4 draft"))
		noBlob := upload("gone.pdf", []byte("%PDF-1.4 gone"))
		err := d.WithTx(worker(), func(ctx context.Context) error {
			return f.svc.LinkCheck(ctx, []int64{linked.ID})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = d.WithTx(worker(), func(ctx context.Context) error {
			if err := f.svc.LinkCheck(ctx, []int64{rolledBack.ID}); err != nil {
				return err
			}
			return errors.New("the case was not sent")
		})
		if err == nil {
			t.Fatal("the rolled back link committed")
		}
		if err := f.local.Delete(ctx, noBlob.blobKey); err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(23 * time.Hour)
		young := upload("young.pdf", []byte("%PDF-1.4 young"))
		if res, err := f.svc.PurgeOrphans(ctx, 0); err != nil || res.Purged != 0 {
			t.Fatalf("after 23 hours: got %+v, %v; want nothing purged", res, err)
		}
		f.clk.Advance(2 * time.Hour)
		files := len(f.files(t))
		res, err := f.svc.PurgeOrphans(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{orphan.ID, rolledBack.ID, noBlob.ID}
		if res.Purged != 3 || fmt.Sprint(res.IDs) != fmt.Sprint(want) ||
			res.Bytes != orphan.Size+rolledBack.Size+noBlob.Size {
			t.Errorf("purge: got %+v, want ids %v", res, want)
		}
		// The photo and its thumbnail and the draft went; noBlob had none.
		if got := len(f.files(t)); got != files-3 {
			t.Errorf("files: got %d, want %d", got, files-3)
		}
		for _, k := range []string{orphan.blobKey, orphan.thumbKey, rolledBack.blobKey} {
			if ok, err := f.local.Exists(ctx, k); err != nil || ok {
				t.Errorf("blob %s: exists %v, %v; want gone", k, ok, err)
			}
		}
		for _, a := range []Attachment{linked, young} {
			if _, rc, err := f.svc.Open(worker(), a.ID); err != nil {
				t.Errorf("%s: %v, want kept", a.Filename, err)
			} else {
				rc.Close()
			}
		}
		_, err = f.svc.Attachment(worker(), orphan.ID)
		wantCode(t, err, apperr.NotFound)
		if e := apperr.As(f.svc.LinkCheck(worker(), []int64{orphan.ID})); e.Fields["attachments"] == "" {
			t.Errorf("linking a purged attachment: got %v, want invalid", e)
		}
		var who, detail string
		err = d.QueryRow(ctx, `SELECT username, detail FROM audit_log WHERE action = 'attachment.purge'`).Scan(&who, &detail)
		if err != nil {
			t.Fatal(err)
		}
		if who != "attachment-purge" || !strings.Contains(detail, `"count":3`) ||
			!strings.Contains(detail, fmt.Sprintf(`"ids":[%d,%d,%d]`, want[0], want[1], want[2])) {
			t.Errorf("audit entry by %q: %s", who, detail)
		}
		// Nothing left to purge: nothing written.
		if res, err := f.svc.PurgeOrphans(ctx, 0); err != nil || res.Purged != 0 {
			t.Errorf("second run: got %+v, %v", res, err)
		}
		if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'attachment.purge'`); n != 1 {
			t.Errorf("purge audit entries: got %d, want 1", n)
		}
		// A young upload goes with a shorter age given explicitly, audited as
		// the system actor of the context.
		res, err = f.svc.PurgeOrphans(actor.With(ctx, actor.SystemActor("cli")), time.Hour)
		if err != nil || fmt.Sprint(res.IDs) != fmt.Sprint([]int64{young.ID}) {
			t.Errorf("purge older than 1h: got %+v, %v; want %d", res, err, young.ID)
		}
		if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'attachment.purge' AND username = 'cli'`); n != 1 {
			t.Errorf("cli purge audit entries: got %d, want 1", n)
		}
	})
}

func TestPurgeOrphansBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{OrphanAge: time.Minute})
		ctx := context.Background()
		const n = 2*purgeBatch + 7
		err := d.WithTx(ctx, func(ctx context.Context) error {
			for i := 0; i < n; i++ {
				a := Attachment{Filename: "x.pdf", ContentType: TypePDF.MIME, Kind: Document, Size: 1,
					SHA256: "00", CreatedAt: f.clk.Now(), blobKey: fmt.Sprintf("k%d", i)}
				if _, err := f.svc.rec.insert(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(2 * time.Minute)
		res, err := f.svc.PurgeOrphans(ctx, 0)
		if err != nil || res.Purged != n || len(res.IDs) != n {
			t.Fatalf("got %d purged, %v; want %d", res.Purged, err, n)
		}
		if got := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'attachment.purge'`); got != 3 {
			t.Errorf("audit entries: got %d, want one per batch, 3", got)
		}
		if got := f.count(t, `SELECT count(*) FROM attachments`); got != 0 {
			t.Errorf("rows left: %d", got)
		}
	})
}

func TestPurgerRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		a, err := f.svc.Upload(worker(), UploadInput{Filename: "a.pdf", Content: strings.NewReader("%PDF-1.4 a")})
		if err != nil {
			t.Fatal(err)
		}
		f.clk.Advance(25 * time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		// The purge is a job of the background runner, due at start.
		runner := jobs.New(d, audit.New(d, f.clk), f.clk, jobs.Options{Node: "test"})
		runner.Register(f.svc.PurgeJob())
		go func() { runner.Start(ctx); close(done) }()
		deadline := time.Now().Add(10 * time.Second)
		for f.count(t, fmt.Sprintf(`SELECT count(*) FROM attachments WHERE id = %d`, a.ID)) != 0 {
			if time.Now().After(deadline) {
				t.Fatal("the purger did not purge at start")
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
	})
}
