package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/audit"
	"gridgov/internal/clock"
	"gridgov/internal/db"
	"gridgov/internal/rbac"
)

// Service stores and serves attachments: it checks uploads by content,
// strips metadata, makes thumbnails, records each file with its audit
// entry and answers reads within the actor's scope.
type Service struct {
	db      *db.DB
	store   Store
	audit   *audit.Log
	clock   clock.Clock
	opts    Options
	rec     records
	readers []Reader
}

// NewService returns the attachments service over store; zero limits in
// opts take their defaults. readers are the modules that grant read access
// to the attachments they link (cases, visits, citizen reports).
func NewService(d *db.DB, store Store, log *audit.Log, clk clock.Clock, opts Options, readers ...Reader) *Service {
	return &Service{db: d, store: store, audit: log, clock: clk, opts: opts.withDefaults(), rec: records{db: d}, readers: readers}
}

// Options returns the limits in force.
func (s *Service) Options() Options { return s.opts }

// maxLink bounds the ids one LinkCheck accepts.
const maxLink = 100

var purposeRe = regexp.MustCompile(`^[a-z0-9_]{0,40}$`)

// Upload checks, cleans and stores one file (attachment.upload anywhere)
// and records it as uploaded by the actor in the actor's unit. The type
// comes from the content; the name's extension must agree with it. Blobs
// already stored are deleted again when the record cannot be written.
func (s *Service) Upload(ctx context.Context, in UploadInput) (Attachment, error) {
	if err := rbac.RequireAny(ctx, PermUpload); err != nil {
		return Attachment{}, err
	}
	a := actor.From(ctx)
	if !purposeRe.MatchString(in.Purpose) {
		return Attachment{}, apperr.Field("purpose", apperr.LowerIdent)
	}
	if in.Content == nil {
		return Attachment{}, apperr.Field("file", apperr.Required)
	}
	f, err := s.check(in)
	if err != nil {
		return Attachment{}, err
	}
	defer f.cleanup()
	att := Attachment{Filename: f.filename, ContentType: f.typ.MIME, Kind: f.typ.Kind, Size: f.size,
		SHA256: f.sha256, Width: f.width, Height: f.height, Thumbnail: f.thumb != nil,
		Purpose: in.Purpose, UploadedBy: a.UserID, UnitCode: a.UnitCode,
		CreatedAt: s.clock.Now().UTC().Truncate(time.Microsecond)}
	if err := s.putBlobs(ctx, &att, f); err != nil {
		return Attachment{}, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		id, err := s.rec.insert(ctx, att)
		if err != nil {
			return err
		}
		att.ID = id
		detail := map[string]any{"filename": att.Filename, "content_type": att.ContentType,
			"size": att.Size, "sha256": att.SHA256, "purpose": att.Purpose}
		if in.Declared != "" && in.Declared != att.ContentType {
			detail["declared"] = in.Declared
		}
		return s.audit.Record(ctx, audit.Entry{Action: "attachment.upload", ObjectType: "attachment",
			ObjectID: strconv.FormatInt(id, 10), Detail: detail})
	})
	if err != nil {
		s.deleteBlobs(ctx, att)
		return Attachment{}, dbErr(err, "record attachment")
	}
	return att, nil
}

// putBlobs stores the file and its thumbnail under fresh keys.
func (s *Service) putBlobs(ctx context.Context, att *Attachment, f checked) error {
	key, err := newKey()
	if err != nil {
		return err
	}
	r, err := f.reader()
	if err != nil {
		return err
	}
	if err := s.store.Put(ctx, key, r, f.size, f.typ.MIME); err != nil {
		return apperr.Wrap(err, "store attachment")
	}
	att.blobKey = key
	if f.thumb != nil {
		att.thumbKey = key + "-thumb"
		if err := s.store.Put(ctx, att.thumbKey, bytesReader(f.thumb), int64(len(f.thumb)), TypeJPEG.MIME); err != nil {
			s.deleteBlobs(ctx, *att)
			return apperr.Wrap(err, "store thumbnail")
		}
	}
	return nil
}

// deleteBlobs removes what putBlobs stored, even when ctx is cancelled.
func (s *Service) deleteBlobs(ctx context.Context, att Attachment) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range []string{att.blobKey, att.thumbKey} {
		if k != "" {
			_ = s.store.Delete(ctx, k)
		}
	}
}

// newKey returns a random storage key; client names never become keys.
func newKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", apperr.Wrap(err, "random key")
	}
	return hex.EncodeToString(b), nil
}

// Attachment returns the record of attachment id if the actor may read it.
func (s *Service) Attachment(ctx context.Context, id int64) (Attachment, error) {
	a, err := s.rec.byID(ctx, id)
	if err != nil {
		return Attachment{}, dbErr(err, "load attachment")
	}
	if err := s.authorizeRead(ctx, a); err != nil {
		return Attachment{}, err
	}
	return a, nil
}

// authorizeRead lets the system, the uploader, anyone with attachment.read
// over the uploader's unit and anyone a registered Reader vouches for see
// an attachment. Everyone else gets not_found, as for a missing one.
func (s *Service) authorizeRead(ctx context.Context, att Attachment) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if a.System || a.UserID != 0 && att.UploadedBy == a.UserID ||
		att.unitPath != "" && rbac.Can(a, PermRead, att.unitPath) {
		return nil
	}
	for _, r := range s.readers {
		ok, err := r.CanReadAttachment(ctx, att.ID)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	return apperr.NotFoundf("attachment not found")
}

// Open returns attachment id with a reader of its content; the caller
// closes it. The reader of the built-in stores also seeks.
func (s *Service) Open(ctx context.Context, id int64) (Attachment, io.ReadCloser, error) {
	a, err := s.Attachment(ctx, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	rc, err := s.store.Get(ctx, a.blobKey)
	if err != nil {
		return Attachment{}, nil, apperr.Wrap(err, "open attachment")
	}
	return a, rc, nil
}

// OpenThumb returns attachment id with a reader of its JPEG thumbnail;
// an attachment without one is not_found.
func (s *Service) OpenThumb(ctx context.Context, id int64) (Attachment, io.ReadCloser, error) {
	a, err := s.Attachment(ctx, id)
	if err != nil {
		return Attachment{}, nil, err
	}
	if a.thumbKey == "" {
		return Attachment{}, nil, apperr.NotFoundf("attachment %d has no thumbnail", id)
	}
	rc, err := s.store.Get(ctx, a.thumbKey)
	if err != nil {
		return Attachment{}, nil, apperr.Wrap(err, "open thumbnail")
	}
	return a, rc, nil
}

// LinkCheck verifies that every id names an attachment the actor uploaded
// (the system may link any), so a step can only carry the actor's own
// files, and marks them linked so PurgeOrphans keeps them. Call it in
// the transaction that links them: when that rolls back, so does the
// mark. A bad id is invalid naming the field "attachments".
func (s *Service) LinkCheck(ctx context.Context, ids []int64) error {
	a := actor.From(ctx)
	if a == nil {
		return apperr.New(apperr.Unauthenticated, "login required")
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > maxLink {
		return apperr.Field("attachments", apperr.MaxCount, "n", maxLink)
	}
	by, err := s.rec.uploaders(ctx, ids)
	if err != nil {
		return dbErr(err, "check attachments")
	}
	for _, id := range ids {
		uploader, ok := by[id]
		if !ok || !a.System && (a.UserID == 0 || uploader != a.UserID) {
			return apperr.Field("attachments", apperr.AttachmentUnknown, "id", id)
		}
	}
	n, err := s.rec.markLinked(ctx, ids, s.clock.Now().UTC().Truncate(time.Microsecond))
	if err != nil {
		return dbErr(err, "link attachments")
	}
	if n != int64(len(by)) {
		// Purged between the check and the mark.
		return apperr.Field("attachments", apperr.AttachmentGone)
	}
	return nil
}

// dbErr passes apperr errors through and wraps anything else as internal.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*apperr.Error); ok {
		return e
	}
	return apperr.Wrap(err, what)
}
