package blob

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"
)

// Kind is the broad class of an attachment; each kind has its size cap.
type Kind string

// The kinds of attachment.
const (
	Image    Kind = "image"
	Audio    Kind = "audio"
	Video    Kind = "video"
	Document Kind = "document"
)

// FileType is a content type recognised by its leading bytes.
type FileType struct {
	Name    string // human name used in messages
	MIME    string
	Kind    Kind
	Exts    []string // accepted file name extensions, first is canonical
	Allowed bool
}

// The recognised types. Only those marked Allowed may be uploaded; the
// others are recognised so the refusal can name what the file really is.
var (
	TypeJPEG = FileType{"JPEG image", "image/jpeg", Image, []string{".jpg", ".jpeg", ".jpe"}, true}
	TypePNG  = FileType{"PNG image", "image/png", Image, []string{".png"}, true}
	TypeHEIC = FileType{"HEIC image", "image/heic", Image, []string{".heic", ".heif"}, true}
	TypeMP4  = FileType{"MP4 video", "video/mp4", Video, []string{".mp4", ".m4v"}, true}
	TypeMOV  = FileType{"QuickTime video", "video/quicktime", Video, []string{".mov", ".qt"}, true}
	TypeAMR  = FileType{"AMR audio", "audio/amr", Audio, []string{".amr"}, true}
	TypeM4A  = FileType{"M4A audio", "audio/mp4", Audio, []string{".m4a"}, true}
	TypeAAC  = FileType{"AAC audio", "audio/aac", Audio, []string{".aac"}, true}
	TypePDF  = FileType{"PDF document", "application/pdf", Document, []string{".pdf"}, true}

	typeWebP = FileType{Name: "WebP image", MIME: "image/webp"}
	typeGIF  = FileType{Name: "GIF image", MIME: "image/gif"}
	typeAVIF = FileType{Name: "AVIF image", MIME: "image/avif"}
	typeHTML = FileType{Name: "HTML document", MIME: "text/html"}
)

// allowedNames lists the allowed types for messages.
const allowedNames = "JPEG, PNG, HEIC, MP4, MOV, AMR, M4A/AAC, PDF"

// sniffLen is how many leading bytes Sniff needs at most.
const sniffLen = 512

var (
	heicBrands = map[string]bool{"heic": true, "heix": true, "heim": true, "heis": true,
		"hevc": true, "hevx": true, "mif1": true, "msf1": true}
	mp4Brands = map[string]bool{"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true,
		"iso6": true, "mp41": true, "mp42": true, "avc1": true, "dash": true, "M4V ": true,
		"mmp4": true, "3gp4": true, "3gp5": true, "3gp6": true, "3g2a": true, "MSNV": true}
	m4aBrands = map[string]bool{"M4A ": true, "M4B ": true, "M4P ": true, "F4A ": true}
)

// Sniff names the type of content from its leading bytes (at least the
// first 512, or all of a shorter file). Unrecognised content gets a
// FileType with only Name and MIME set (from http.DetectContentType).
func Sniff(head []byte) FileType {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(head, pngSignature):
		return TypePNG
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(head, []byte("#!AMR\n")), bytes.HasPrefix(head, []byte("#!AMR-WB\n")):
		return TypeAMR
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return typeWebP
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return typeGIF
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return sniffFtyp(head)
	case len(head) >= 7 && head[0] == 0xFF && head[1]&0xF6 == 0xF0 && head[2]>>2&0x0F < 13:
		// ADTS: 12-bit sync, layer 00, a valid sampling frequency index.
		return TypeAAC
	}
	mime := http.DetectContentType(head)
	if strings.HasPrefix(mime, "text/html") {
		return typeHTML
	}
	mime, _, _ = strings.Cut(mime, ";")
	return FileType{Name: mime, MIME: mime}
}

// sniffFtyp tells ISO base media files apart by their major brand and,
// when that is generic, their compatible brands.
func sniffFtyp(head []byte) FileType {
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	if size < 16 || size > len(head) {
		size = min(len(head), sniffLen)
	}
	major := string(head[8:12])
	var compat []string
	for i := 16; i+4 <= size; i += 4 {
		compat = append(compat, string(head[i:i+4]))
	}
	has := func(b string) bool {
		for _, c := range compat {
			if c == b {
				return true
			}
		}
		return false
	}
	switch {
	case major == "avif" || major == "avis" || major == "mif1" && has("avif"):
		return typeAVIF
	case heicBrands[major]:
		return TypeHEIC
	case m4aBrands[major]:
		return TypeM4A
	case major == "qt  ":
		return TypeMOV
	case mp4Brands[major]:
		return TypeMP4
	}
	return FileType{Name: "ISO media (" + strings.TrimSpace(major) + ")", MIME: "application/octet-stream"}
}

// reconcile checks the file name's extension against the sniffed type. A
// generic MP4 container named .m4a is an audio recording; one named .aac
// is not accepted, since ADTS AAC has no container.
func reconcile(t FileType, filename string) (FileType, bool) {
	ext := strings.ToLower(filepath.Ext(filename))
	if ext == "" {
		return t, true
	}
	if t.MIME == TypeMP4.MIME && ext == ".m4a" {
		return TypeM4A, true
	}
	if t.MIME == TypeM4A.MIME && (ext == ".mp4" || ext == ".m4v") {
		return t, true
	}
	for _, e := range t.Exts {
		if e == ext {
			return t, true
		}
	}
	return t, false
}
