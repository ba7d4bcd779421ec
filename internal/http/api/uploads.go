package api

import (
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"gridgov/internal/apperr"
	"gridgov/internal/blob"
	"gridgov/internal/http/httpx"
)

// maxChunk bounds one PATCH of a resumable upload.
const maxChunk = 8 << 20

// chunkType is the content type of a chunk (as in tus and the IETF
// resumable uploads draft).
const chunkType = "application/offset+octet-stream"

var uploadIDRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (a *api) uploadRoutes() []route {
	return []route{
		{Method: "POST", Path: "/uploads", Handler: a.startUploadHandler},
		{Method: "GET", Path: "/uploads/{id}", Handler: a.uploadHandler},
		{Method: "PATCH", Path: "/uploads/{id}", Handler: a.appendUploadHandler},
	}
}

// uploadAnswer is the JSON of an upload, with its attachment once complete.
type uploadAnswer struct {
	blob.Upload
	Attachment *blob.Attachment `json:"attachment,omitempty"`
}

// uploadHeaders tells the offset and length in headers too, so a HEAD is
// enough to resume.
func uploadHeaders(w http.ResponseWriter, u blob.Upload) {
	w.Header().Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
	w.Header().Set("Upload-Length", strconv.FormatInt(u.Size, 10))
	w.Header().Set("Cache-Control", "no-store")
}

// startUploadHandler opens a resumable upload; with an Idempotency-Key a
// retry answers 200 with the upload the first request opened.
func (a *api) startUploadHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	var in blob.UploadStart
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	u, replayed, err := svc.StartUpload(r.Context(), in)
	if err != nil {
		return err
	}
	uploadHeaders(w, u)
	w.Header().Set("Location", Prefix+"/uploads/"+u.ID)
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		return a.writeUpload(w, r, u, http.StatusOK)
	}
	return a.writeUpload(w, r, u, http.StatusCreated)
}

// uploadHandler answers the state of an upload (HEAD: headers only).
func (a *api) uploadHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !uploadIDRe.MatchString(id) {
		return apperr.NotFoundf("upload %s", id)
	}
	u, err := svc.UploadStatus(r.Context(), id)
	if err != nil {
		return err
	}
	uploadHeaders(w, u)
	return a.writeUpload(w, r, u, http.StatusOK)
}

// appendUploadHandler writes one chunk at Upload-Offset; the answer is
// the new state, with the attachment when the chunk was the last.
func (a *api) appendUploadHandler(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.blobs()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !uploadIDRe.MatchString(id) {
		return apperr.NotFoundf("upload %s", id)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != chunkType {
		return apperr.New(httpx.UnsupportedMediaType, "Content-Type must be "+chunkType)
	}
	offset, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get("Upload-Offset")), 10, 64)
	if err != nil || offset < 0 {
		return apperr.Field("Upload-Offset", apperr.ChunkOffset)
	}
	body := &bodyErr{r: http.MaxBytesReader(w, r.Body, maxChunk)}
	u, err := svc.AppendUpload(r.Context(), id, offset, body, r.Header.Get("Upload-Checksum"))
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			uploadHeaders(w, u)
		}
		return body.or(err, maxChunk)
	}
	uploadHeaders(w, u)
	return a.writeUpload(w, r, u, http.StatusOK)
}

func (a *api) writeUpload(w http.ResponseWriter, r *http.Request, u blob.Upload, status int) error {
	ans := uploadAnswer{Upload: u}
	if u.AttachmentID != nil {
		att, err := a.Blobs.Attachment(r.Context(), *u.AttachmentID)
		if err != nil {
			return err
		}
		ans.Attachment = &att
	}
	httpx.WriteJSON(w, status, ans)
	return nil
}
