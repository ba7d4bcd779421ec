package groups_test

import (
	"bytes"
	"context"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/blob"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
	"gridgov/internal/registry/groups"
)

// TestVisitAttachmentsReadable: a visit's photo opens for whoever may read
// the visited person, not only for its uploader; a key-group person's
// visit photos need registry.keygroup; other communities get nothing.
func TestVisitAttachmentsReadable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		local, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		bs := blob.NewService(d, local, audit.New(d, f.clk), f.clk, blob.Options{},
			blob.ReaderFunc(func(ctx context.Context, id int64) (bool, error) { return f.svc.CanReadAttachment(ctx, id) }))
		f.svc = groups.NewService(f.reg, f.places, d, audit.New(d, f.clk), f.clk, bs)
		upload := func(ctx context.Context) int64 {
			t.Helper()
			a, err := bs.Upload(ctx, blob.UploadInput{Filename: "visit.pdf", Content: bytes.NewReader([]byte("%PDF-1.4 走访记录"))})
			if err != nil {
				t.Fatalf("upload: %v", err)
			}
			return a.ID
		}
		p := f.person(t, "赵六", "410105001001")
		k := f.person(t, "钱七", "410105001001")
		keyCtx := as("410105001001", append(keyed, blob.PermUpload)...)
		if _, err := f.svc.AddMember(keyCtx, k, groups.MemberInput{Kind: "key_petitioner", StartedOn: "2026-01-01",
			Attrs: map[string]string{"petition_matter": "征地补偿"}}); err != nil {
			t.Fatal(err)
		}
		worker := as("410105001001", append(writer, blob.PermUpload)...)
		photo := upload(worker)
		if _, err := f.svc.RecordVisit(worker, groups.VisitInput{ObjectType: "person", ObjectID: p, Kind: "visit",
			Attachments: []int64{photo, photo}}); err != nil {
			t.Fatalf("visit with a repeated photo: %v", err)
		}
		keyPhoto := upload(keyCtx)
		if _, err := f.svc.RecordVisit(keyCtx, groups.VisitInput{ObjectType: "person", ObjectID: k, Kind: "visit",
			Attachments: []int64{keyPhoto}}); err != nil {
			t.Fatal(err)
		}
		open := func(ctx context.Context, id int64) apperr.Code {
			t.Helper()
			_, rc, err := bs.Open(ctx, id)
			if err == nil {
				rc.Close()
			}
			return apperr.CodeOf(err)
		}
		colleague := as("410105001", groups.PermRead)
		if got := open(colleague, photo); got != "" {
			t.Errorf("a reader of the community opening a visit photo: %q, want allowed", got)
		}
		if got := open(colleague, keyPhoto); got == "" {
			t.Error("a reader without registry.keygroup opened a key-group visit photo")
		}
		if got := open(as("410105001", keyed...), keyPhoto); got != "" {
			t.Errorf("a key-group reader opening the key-group visit photo: %q", got)
		}
		if got := open(as("410105001002", keyed...), photo); got == "" {
			t.Error("another community opened the visit photo")
		}
		var n int
		if err := d.QueryRow(context.Background(), `SELECT count(*) FROM visit_attachments WHERE attachment_id = ?`, photo).Scan(&n); err != nil || n != 1 {
			t.Fatalf("visit_attachments rows for the repeated photo: %d %v", n, err)
		}
	})
}
