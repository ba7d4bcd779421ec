package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/blob"
	"gridgov/internal/http/httpx"
)

// multipartSlack is what a multipart body may carry beyond the largest
// file: boundaries, part headers and the purpose field.
const multipartSlack = 64 << 10

// maxPurposeField bounds the purpose form field.
const maxPurposeField = 64

func (a *api) attachmentRoutes() []route {
	return []route{
		{Method: "POST", Path: "/attachments", Handler: a.uploadAttachmentHandler},
		{Method: "GET", Path: "/attachments/{id}", Handler: a.attachmentHandler},
		{Method: "GET", Path: "/attachments/{id}/content", Handler: a.attachmentContentHandler},
		{Method: "GET", Path: "/attachments/{id}/thumbnail", Handler: a.attachmentThumbnailHandler},
	}
}

// blobs returns the attachments service or 503 when it is not wired.
func (a *api) blobs() (*blob.Service, error) {
	if a.Blobs == nil {
		return nil, apperr.New(httpx.Unavailable, "attachments are not configured on this server")
	}
	return a.Blobs, nil
}

// bodyErr remembers the first failure of the request body, so an upload
// cut off by the size limit is told from a bad file.
type bodyErr struct {
	r   io.ReadCloser
	err error
}

func (b *bodyErr) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *bodyErr) Close() error { return b.r.Close() }

// or returns 413 when the body broke its limit, else err.
func (b *bodyErr) or(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(b.err, &mbe) {
		return apperr.Newf(httpx.TooLarge, "request body is larger than %d bytes", limit)
	}
	return err
}

// uploadAttachmentHandler takes multipart/form-data with a "file" part
// (and an optional "purpose" field before it, or ?purpose=), streaming the
// file to the service without buffering the whole body.
func (a *api) uploadAttachmentHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return apperr.New(httpx.UnsupportedMediaType, "Content-Type must be multipart/form-data with a file field")
	}
	limit := svc.Options().MaxUpload() + multipartSlack
	body := &bodyErr{r: http.MaxBytesReader(w, r.Body, limit)}
	r.Body = body
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.New(apperr.BadRequest, "malformed multipart body: "+err.Error())
	}
	purpose := strings.TrimSpace(r.URL.Query().Get("purpose"))
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.Field("file", apperr.Required)
		}
		if err != nil {
			return body.or(apperr.New(apperr.BadRequest, "malformed multipart body"), limit)
		}
		switch part.FormName() {
		case "purpose":
			b, err := io.ReadAll(io.LimitReader(part, maxPurposeField+1))
			if err != nil {
				return body.or(apperr.New(apperr.BadRequest, "malformed multipart body"), limit)
			}
			if len(b) > maxPurposeField {
				return apperr.Field("purpose", apperr.TooLong)
			}
			purpose = strings.TrimSpace(string(b))
		case "file":
			att, err := svc.Upload(r.Context(), blob.UploadInput{Filename: part.FileName(), Content: part,
				Declared: part.Header.Get("Content-Type"), Purpose: purpose})
			if err != nil {
				return body.or(err, limit)
			}
			w.Header().Set("Location", Prefix+"/attachments/"+strconv.FormatInt(att.ID, 10))
			return created(w, att)
		default:
			return apperr.Field(part.FormName(), apperr.UnknownFormField)
		}
	}
}

func (a *api) attachmentHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	att, err := svc.Attachment(r.Context(), id)
	if err != nil {
		return err
	}
	return ok(w, att)
}

func (a *api) attachmentContentHandler(w http.ResponseWriter, r *http.Request) error {
	return a.serveAttachment(w, r, false)
}

func (a *api) attachmentThumbnailHandler(w http.ResponseWriter, r *http.Request) error {
	return a.serveAttachment(w, r, true)
}

// serveAttachment sends a file or its thumbnail with the sniffed type,
// never letting the browser sniff or run it, with ranges and ETag
// revalidation when the store's reader seeks.
func (a *api) serveAttachment(w http.ResponseWriter, r *http.Request, thumb bool) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	open := svc.Open
	if thumb {
		open = svc.OpenThumb
	}
	att, rc, err := open(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	httpx.ServeAttachment(w, r, att, rc, thumb, false)
	return nil
}
