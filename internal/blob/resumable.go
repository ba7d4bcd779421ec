package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gridgov/internal/actor"
	"gridgov/internal/apperr"
	"gridgov/internal/rbac"
)

// UploadTTL is how long a resumable upload may take from start to its last
// chunk; unfinished ones are purged after it.
const UploadTTL = 24 * time.Hour

// uploadLease bounds how long one chunk may hold an upload; a server that
// dies mid-chunk frees it after this.
const uploadLease = time.Minute

// UploadStart opens a resumable upload (POST /uploads).
type UploadStart struct {
	Filename    string `json:"filename"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"` // informative, as for Upload
	Purpose     string `json:"purpose"`
	// IdempotencyKey, when set, makes a retried start return the upload
	// the first one opened.
	IdempotencyKey string `json:"-"`
}

// Upload is the state of a resumable upload. Offset is how many bytes the
// server has; once it reaches Size the file has been checked and stored,
// and AttachmentID names the attachment.
type Upload struct {
	ID           string    `json:"id"`
	Filename     string    `json:"filename"`
	Size         int64     `json:"size"`
	Offset       int64     `json:"offset"`
	ExpiresAt    time.Time `json:"expires_at"`
	AttachmentID *int64    `json:"attachment_id,omitempty"`

	userID int64
	typ    string
	purp   string
}

// uploadDir is where partial uploads wait: the attachments' temp area.
func (s *Service) uploadDir() string {
	dir := s.opts.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "gridgov-uploads")
}

func (s *Service) partPath(id string) string { return filepath.Join(s.uploadDir(), id+".part") }

// StartUpload opens a resumable upload of in.Size bytes for the actor
// (attachment.upload anywhere). The size must be within the largest
// attachment limit (the kind's own limit is checked when the content is
// known, on completion). With an idempotency key a retry returns the upload
// already opened and replayed=true. Expired uploads are purged on the way.
func (s *Service) StartUpload(ctx context.Context, in UploadStart) (u Upload, replayed bool, err error) {
	if err := rbac.RequireAny(ctx, PermUpload); err != nil {
		return Upload{}, false, err
	}
	a := actor.From(ctx)
	in.Filename = strings.TrimSpace(in.Filename)
	in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
	switch {
	case in.Filename == "" || len(in.Filename) > 255:
		return Upload{}, false, apperr.Field("filename", apperr.MaxBytesRequired, "n", 255)
	case in.Size <= 0:
		return Upload{}, false, apperr.Field("size", apperr.Positive)
	case in.Size > s.opts.MaxUpload():
		return Upload{}, false, apperr.Field("size", apperr.TooLarge, "size", sizeText(s.opts.MaxUpload()))
	case !purposeRe.MatchString(in.Purpose):
		return Upload{}, false, apperr.Field("purpose", apperr.LowerIdent)
	case len(in.IdempotencyKey) > 200:
		return Upload{}, false, apperr.Field("Idempotency-Key", apperr.MaxChars, "n", 200)
	}
	if _, err := s.PurgeUploads(ctx); err != nil {
		return Upload{}, false, err
	}
	st := uploads{db: s.db}
	if in.IdempotencyKey != "" {
		if u, ok, err := st.byKey(ctx, a.UserID, in.IdempotencyKey); ok || err != nil {
			return u, ok, err
		}
	}
	if err := os.MkdirAll(s.uploadDir(), 0o700); err != nil {
		return Upload{}, false, fmt.Errorf("upload dir: %w", err)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	u = Upload{ID: hex.EncodeToString(b[:]), Filename: in.Filename, Size: in.Size, ExpiresAt: now.Add(UploadTTL),
		userID: a.UserID, typ: in.ContentType, purp: in.Purpose}
	if err := st.insert(ctx, u, in.IdempotencyKey, now); err != nil {
		if in.IdempotencyKey != "" {
			if u, ok, err2 := st.byKey(ctx, a.UserID, in.IdempotencyKey); ok || err2 != nil {
				return u, ok, err2 // a concurrent retry won
			}
		}
		return Upload{}, false, err
	}
	return u, false, nil
}

// UploadStatus returns the actor's upload id; another user's upload, or an
// expired one, is not found.
func (s *Service) UploadStatus(ctx context.Context, id string) (Upload, error) {
	a := actor.From(ctx)
	if a == nil {
		return Upload{}, apperr.New(apperr.Unauthenticated, "login required")
	}
	u, err := uploads{db: s.db}.byID(ctx, id)
	if err != nil {
		return Upload{}, err
	}
	if u.userID != a.UserID || (u.AttachmentID == nil && !s.clock.Now().Before(u.ExpiresAt)) {
		return Upload{}, apperr.NotFoundf("upload %s", id)
	}
	return u, nil
}

// AppendUpload writes a chunk at offset, which must be the server's offset
// (else a 409 telling it). checksum, when given, is "sha256 <base64>" of
// the chunk; a mismatch refuses the chunk with 422 and keeps the offset.
// The chunk may not run past the declared size. When the last byte
// arrives the file goes through Upload — content sniffing, the kind's size
// limit, metadata stripping — and the upload then names its attachment; a
// file Upload refuses is gone, and the refusal is the answer. A chunk sent
// again after completion answers the finished upload.
func (s *Service) AppendUpload(ctx context.Context, id string, offset int64, chunk io.Reader, checksum string) (Upload, error) {
	u, err := s.UploadStatus(ctx, id)
	if err != nil || u.AttachmentID != nil {
		return u, err
	}
	if offset != u.Offset {
		return u, apperr.Newf(apperr.Conflict, "Upload-Offset %d does not match the server's offset %d", offset, u.Offset)
	}
	st := uploads{db: s.db}
	now := s.clock.Now().UTC()
	if ok, err := st.lease(ctx, id, offset, now, now.Add(uploadLease)); err != nil || !ok {
		if err == nil {
			err = apperr.New(apperr.Conflict, "another chunk of this upload is being written; retry")
		}
		return u, err
	}
	n, err := s.writeChunk(id, offset, u.Size-offset, chunk, checksum)
	if err != nil {
		_ = st.unlease(ctx, id)
		return u, err
	}
	u.Offset = offset + n
	if err := st.advance(ctx, id, u.Offset); err != nil {
		return u, err
	}
	if u.Offset < u.Size {
		return u, nil
	}
	return s.completeUpload(ctx, u)
}

// writeChunk truncates the part file to offset (dropping what a failed
// chunk left) and appends at most room bytes of chunk, checking the sum.
func (s *Service) writeChunk(id string, offset, room int64, chunk io.Reader, checksum string) (int64, error) {
	f, err := os.OpenFile(s.partPath(id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, fmt.Errorf("upload part: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(offset); err != nil {
		return 0, fmt.Errorf("upload part: %w", err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, fmt.Errorf("upload part: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(chunk, room+1))
	if err != nil {
		_ = f.Truncate(offset)
		return 0, readErr(err)
	}
	if n > room {
		_ = f.Truncate(offset)
		return 0, apperr.Field("Upload-Offset", apperr.ChunkPastSize, "n", room)
	}
	if checksum != "" {
		algo, sum, _ := strings.Cut(strings.TrimSpace(checksum), " ")
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sum))
		if !strings.EqualFold(algo, "sha256") || err != nil {
			_ = f.Truncate(offset)
			return 0, apperr.Field("Upload-Checksum", apperr.Digest)
		}
		if string(want) != string(h.Sum(nil)) {
			_ = f.Truncate(offset)
			return 0, apperr.Field("Upload-Checksum", apperr.ChunkMismatch)
		}
	}
	return n, f.Sync()
}

// completeUpload turns the assembled file into an attachment.
func (s *Service) completeUpload(ctx context.Context, u Upload) (Upload, error) {
	st := uploads{db: s.db}
	f, err := os.Open(s.partPath(u.ID))
	if err != nil {
		return u, fmt.Errorf("upload part: %w", err)
	}
	att, err := s.Upload(ctx, UploadInput{Filename: u.Filename, Content: f, Declared: u.typ, Purpose: u.purp})
	f.Close()
	if err != nil {
		// The file will not pass: forget it, so the client starts over
		// with a fixed file instead of retrying this one.
		_ = st.remove(context.WithoutCancel(ctx), u.ID)
		_ = os.Remove(s.partPath(u.ID))
		return u, err
	}
	if err := st.complete(ctx, u.ID, att.ID); err != nil {
		return u, err
	}
	_ = os.Remove(s.partPath(u.ID))
	u.AttachmentID = &att.ID
	return u, nil
}

// PurgeUploads deletes the uploads whose time is up, finished or not, with
// their partial files, and returns how many went.
func (s *Service) PurgeUploads(ctx context.Context) (int, error) {
	st := uploads{db: s.db}
	ids, err := st.expired(ctx, s.clock.Now().UTC())
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := os.Remove(s.partPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("purge upload: %w", err)
		}
		if err := st.remove(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
