package httpx

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"gridgov/internal/blob"
)

// ServeAttachment sends an attachment (or, with thumb, its JPEG thumbnail)
// with its sniffed type, never letting the browser sniff or run it, with
// ranges and ETag revalidation when the store's reader seeks. Thumbnails
// show inline, and so do images when inlineImages is set (the console shows
// photos in the page); other files download. The API and the console both
// use it.
func ServeAttachment(w http.ResponseWriter, r *http.Request, att blob.Attachment, rc io.Reader, thumb, inlineImages bool) {
	h := w.Header()
	name, disp, ctype := att.Filename, "attachment", att.ContentType
	etag := `"` + att.SHA256 + `"`
	switch {
	case thumb:
		name = strings.TrimSuffix(name, path.Ext(name)) + "-thumb.jpg"
		disp, ctype, etag = "inline", "image/jpeg", `"`+att.SHA256+`-thumb"`
	case inlineImages && att.Kind == blob.Image:
		disp = "inline"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	AttachmentCSP().Set(h)
	h.Set("Content-Disposition", ContentDisposition(disp, name))
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("ETag", etag)
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", att.CreatedAt, rs)
		return
	}
	if !thumb {
		h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	}
	_, _ = io.Copy(w, rc)
}

// ContentDisposition writes an RFC 6266 header value: an ASCII fallback
// name for old clients and the UTF-8 name in filename*.
func ContentDisposition(disp, name string) string {
	var ascii, enc strings.Builder
	for _, c := range name {
		if c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(c)
		}
	}
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disp, ascii.String(), enc.String())
}
