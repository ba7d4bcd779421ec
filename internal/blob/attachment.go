package blob

import (
	"context"
	"io"
	"time"

	"gridgov/internal/rbac"
)

// Permissions of the attachments module.
const (
	// PermRead lets a user read attachments uploaded within their scope.
	PermRead rbac.Permission = "attachment.read"
	// PermUpload lets a user upload attachments.
	PermUpload rbac.Permission = "attachment.upload"
)

// Attachment is the record of a stored file.
type Attachment struct {
	ID int64 `json:"id"`
	// Filename is the client's name, sanitised; it is used only in
	// Content-Disposition, never as a storage key or path.
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Kind        Kind      `json:"kind"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	Thumbnail   bool      `json:"thumbnail"`
	Purpose     string    `json:"purpose,omitempty"`
	UploadedBy  int64     `json:"uploaded_by,omitempty"`
	UnitCode    string    `json:"unit_code"`
	CreatedAt   time.Time `json:"created_at"`

	blobKey  string
	thumbKey string
	unitPath string
}

// UploadInput is one file to store.
type UploadInput struct {
	// Filename is the client's file name; its extension must agree with
	// the content.
	Filename string
	Content  io.Reader
	// Declared is the content type the client claimed. It is informative
	// only: the stored type comes from the content.
	Declared string
	// Purpose says what the file is for ("case_step", "avatar" …): at most
	// 40 lowercase letters, digits and '_'.
	Purpose string
}

// Options are the limits of the attachments service.
type Options struct {
	MaxImage    int64 // bytes; default 20 MiB
	MaxAudio    int64 // default 20 MiB
	MaxVideo    int64 // default 200 MiB
	MaxDocument int64 // default 20 MiB
	// MaxPixels bounds decoded images (a small file can declare a huge
	// canvas); default 50 million.
	MaxPixels int64
	// TempDir holds uploads of audio, video and documents while they are
	// checked; default os.TempDir().
	TempDir string
	// OrphanAge is how long an upload may stay linked to nothing before
	// PurgeOrphans deletes it; default 24 hours.
	OrphanAge time.Duration
}

// DefaultOptions returns the default limits.
func DefaultOptions() Options {
	return Options{MaxImage: 20 << 20, MaxAudio: 20 << 20, MaxVideo: 200 << 20, MaxDocument: 20 << 20,
		MaxPixels: 50_000_000, OrphanAge: 24 * time.Hour}
}

// withDefaults fills zero limits from DefaultOptions.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	for _, p := range []struct{ v, def *int64 }{{&o.MaxImage, &d.MaxImage}, {&o.MaxAudio, &d.MaxAudio},
		{&o.MaxVideo, &d.MaxVideo}, {&o.MaxDocument, &d.MaxDocument}, {&o.MaxPixels, &d.MaxPixels}} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	if o.OrphanAge <= 0 {
		o.OrphanAge = d.OrphanAge
	}
	return o
}

// limit returns the size cap of a kind.
func (o Options) limit(k Kind) int64 {
	switch k {
	case Image:
		return o.MaxImage
	case Audio:
		return o.MaxAudio
	case Video:
		return o.MaxVideo
	}
	return o.MaxDocument
}

// MaxUpload is the largest file any kind accepts, for request body limits.
func (o Options) MaxUpload() int64 {
	o = o.withDefaults()
	return max(o.MaxImage, o.MaxAudio, o.MaxVideo, o.MaxDocument)
}

// Reader lets another module grant read access to attachments it links:
// the cases module lets whoever may see a case see its steps' files.
type Reader interface {
	// CanReadAttachment reports whether the context's actor may read
	// attachment id through this module.
	CanReadAttachment(ctx context.Context, id int64) (bool, error)
}

// ReaderFunc is a Reader written as a function; the app uses it to name a
// module that is built after the attachments service.
type ReaderFunc func(ctx context.Context, id int64) (bool, error)

// CanReadAttachment calls f.
func (f ReaderFunc) CanReadAttachment(ctx context.Context, id int64) (bool, error) { return f(ctx, id) }
