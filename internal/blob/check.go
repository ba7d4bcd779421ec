package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"gridgov/internal/apperr"
)

// maxFilename bounds the kept file name, in runes.
const maxFilename = 100

// checked is an upload that passed the checks, ready to store: images in
// memory (stripped), anything else spooled to a temporary file.
type checked struct {
	typ           FileType
	filename      string
	size          int64
	sha256        string
	width, height int
	data          []byte
	file          *os.File
	thumb         []byte
}

// reader returns the content from its start.
func (c checked) reader() (io.Reader, error) {
	if c.file == nil {
		return bytes.NewReader(c.data), nil
	}
	if _, err := c.file.Seek(0, io.SeekStart); err != nil {
		return nil, apperr.Wrap(err, "rewind upload")
	}
	return c.file, nil
}

// cleanup removes the spool file, if any.
func (c checked) cleanup() {
	if c.file != nil {
		c.file.Close()
		os.Remove(c.file.Name())
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// check sniffs, bounds and cleans an upload.
func (s *Service) check(in UploadInput) (checked, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(in.Content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return checked{}, readErr(err)
	}
	head = head[:n]
	if n == 0 {
		return checked{}, apperr.Field("file", apperr.FileEmpty)
	}
	t := Sniff(head)
	if !t.Allowed {
		return checked{}, apperr.Field("file", apperr.FileNotAccepted, "got", t.Name, "allowed", allowedNames)
	}
	name := sanitizeFilename(in.Filename)
	t, ok := reconcile(t, name)
	if !ok {
		return checked{}, apperr.Field("file", apperr.FileContent, "got", t.Name, "want", strings.ToLower(filepath.Ext(name)))
	}
	if filepath.Ext(name) == "" {
		name += t.Exts[0]
	}
	c := checked{typ: t, filename: name}
	body := io.MultiReader(bytes.NewReader(head), in.Content)
	limit := s.opts.limit(t.Kind)
	if t.Kind == Image {
		err = s.readImage(&c, body, limit)
	} else {
		err = s.spool(&c, body, limit)
	}
	return c, err
}

// readImage reads an image into memory, strips it and makes its thumbnail.
func (s *Service) readImage(c *checked, body io.Reader, limit int64) error {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return readErr(err)
	}
	if int64(len(b)) > limit {
		return tooLarge(c.typ, limit)
	}
	p, err := processImage(c.typ, b, s.opts.MaxPixels)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(p.data)
	c.data, c.thumb, c.width, c.height = p.data, p.thumb, p.width, p.height
	c.size, c.sha256 = int64(len(p.data)), hex.EncodeToString(sum[:])
	return nil
}

// spool copies a non-image upload to a temporary file, so a large video
// never sits in memory and its size is known to the store, strips the
// metadata of MP4 and M4A files in place and hashes the result.
func (s *Service) spool(c *checked, body io.Reader, limit int64) error {
	f, err := os.CreateTemp(s.opts.TempDir, "gridgov-upload-*")
	if err != nil {
		return apperr.Wrap(err, "spool upload")
	}
	n, err := io.Copy(f, io.LimitReader(body, limit+1))
	if err != nil {
		err = readErr(err)
	} else if n > limit {
		err = tooLarge(c.typ, limit)
	}
	if err == nil && isISOMedia(c.typ) {
		if err = stripMovie(f, n); err != nil {
			err = structureErr(c.typ, err)
		}
	}
	var sum string
	if err == nil {
		sum, err = hashFile(f)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	c.file, c.size, c.sha256 = f, n, sum
	return nil
}

// hashFile returns the hex SHA-256 of a spooled file's content.
func hashFile(f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", apperr.Wrap(err, "rewind upload")
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", apperr.Wrap(err, "hash upload")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// tooLarge names the cap a file broke.
func tooLarge(t FileType, limit int64) error {
	return apperr.Field("file", apperr.TooLargeKind, "size", sizeText(limit), "kind", t.Kind)
}

// readErr reports an upload that could not be read to its end.
func readErr(err error) error {
	return apperr.New(apperr.BadRequest, "file: the upload could not be read to its end")
}

// sizeText writes a byte count in MiB or KiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// sanitizeFilename keeps the last element of a client path without
// control and quoting characters, at most maxFilename runes long with its
// extension; the name is only ever shown or offered for download.
func sanitizeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) || strings.ContainsRune(`"<>:|?*`, r) ||
			unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(strings.TrimSpace(name), ". ")
	if r := []rune(name); len(r) > maxFilename {
		ext := []rune(filepath.Ext(name))
		if len(ext) > 10 {
			ext = nil
		}
		name = string(r[:maxFilename-len(ext)]) + string(ext)
	}
	if name == "" || strings.HasPrefix(name, ".") {
		name = "attachment" + name
	}
	return name
}
