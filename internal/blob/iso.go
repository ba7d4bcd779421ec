package blob

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// ISO base media files (MP4, M4A, QuickTime, HEIF) are trees of boxes:
// a 32-bit size (1: a 64-bit size follows the type; 0: up to the end of
// the parent), a four-character type and the payload. The strippers here
// never move a byte: they overwrite metadata in place, so every offset in
// the file (sample tables, item locations) stays valid.

// maxBoxes bounds the boxes one level of a file may hold, so a file made
// of millions of empty boxes cannot keep the server walking.
const maxBoxes = 100_000

// boxError says that a file's box structure is malformed.
type boxError struct{ msg string }

func (e *boxError) Error() string { return e.msg }

// badBox returns a boxError.
func badBox(format string, args ...any) error { return &boxError{fmt.Sprintf(format, args...)} }

// isoFile is a file the strippers read and overwrite in place.
type isoFile interface {
	io.ReaderAt
	io.WriterAt
}

// byteFile lets the strippers work on a file held in memory.
type byteFile []byte

// ReadAt reads from the slice.
func (b byteFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt overwrites bytes of the slice; it never grows it.
func (b byteFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(b)) {
		return 0, errors.New("write beyond the end of the file")
	}
	return copy(b[off:], p), nil
}

// box is the header of one box: its type, where it starts and ends, and
// where its payload starts.
type box struct {
	typ        string
	start, end int64
	body       int64
	// truncated is set when the box claimed more bytes than its parent
	// holds and was cut at the parent's end (tolerated for the last box of
	// a file, such as the media data of an interrupted recording).
	truncated bool
}

// readBox reads the header of the box at off inside a parent ending at
// limit. With truncOK a box running past limit is cut there and marked.
func readBox(f io.ReaderAt, off, limit int64, truncOK bool) (box, error) {
	if limit-off < 8 {
		return box{}, badBox("box at offset %d: truncated header", off)
	}
	var h [16]byte
	if _, err := f.ReadAt(h[:8], off); err != nil {
		return box{}, err
	}
	b := box{typ: string(h[4:8]), start: off, body: off + 8}
	size := int64(binary.BigEndian.Uint32(h[:4]))
	switch size {
	case 0:
		size = limit - off
	case 1:
		if limit-off < 16 {
			return box{}, badBox("box %q at offset %d: truncated header", b.typ, off)
		}
		if _, err := f.ReadAt(h[8:16], off+8); err != nil {
			return box{}, err
		}
		large := binary.BigEndian.Uint64(h[8:16])
		if large > math.MaxInt64 {
			return box{}, badBox("box %q at offset %d: size out of range", b.typ, off)
		}
		size, b.body = int64(large), off+16
	}
	if size < b.body-off {
		return box{}, badBox("box %q at offset %d: size %d is smaller than its header", b.typ, off, size)
	}
	if size > limit-off {
		if !truncOK {
			return box{}, badBox("box %q at offset %d: size %d overruns its parent", b.typ, off, size)
		}
		size, b.truncated = limit-off, true
	}
	b.end = off + size
	return b, nil
}

// walkBoxes calls fn for each box between start and end, in order. With
// truncOK the last box may run past end (see readBox).
func walkBoxes(f io.ReaderAt, start, end int64, truncOK bool, fn func(box) error) error {
	for off, n := start, 0; off < end; n++ {
		if n == maxBoxes {
			return badBox("more than %d boxes in one level", maxBoxes)
		}
		b, err := readBox(f, off, end, truncOK)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
		off = b.end
	}
	return nil
}

// zeroRange overwrites [from, to) with zeros, a chunk at a time.
func zeroRange(f io.WriterAt, from, to int64) error {
	zeros := make([]byte, min(to-from, 32<<10))
	for off := from; off < to; {
		n := min(to-off, int64(len(zeros)))
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// hideBox turns a box into a "free" box of the same size with a zeroed
// payload: players skip it, and what it held is gone.
func hideBox(f io.WriterAt, b box) error {
	if _, err := f.WriteAt([]byte("free"), b.start+4); err != nil {
		return err
	}
	return zeroRange(f, b.body, b.end)
}

// movieMeta are the boxes of a movie and its tracks that carry user data
// and metadata: titles, device names, and the recording place (the
// QuickTime "©xyz" atom in udta, the ISO 6709 location key in meta).
var movieMeta = map[string]bool{"udta": true, "meta": true}

// stripMovie hides the user data and metadata boxes of the movie box
// (moov/udta, moov/meta, moov/trak/udta, moov/trak/meta) of an ISO media
// file of size bytes, reading and writing only box headers and those
// boxes. A file without a movie box is left as it is.
func stripMovie(f isoFile, size int64) error {
	return walkBoxes(f, 0, size, true, func(b box) error {
		if b.typ != "moov" {
			return nil
		}
		if b.truncated {
			return badBox("movie box at offset %d overruns the file", b.start)
		}
		return walkBoxes(f, b.body, b.end, false, func(c box) error {
			switch {
			case movieMeta[c.typ]:
				return hideBox(f, c)
			case c.typ == "trak":
				return walkBoxes(f, c.body, c.end, false, func(t box) error {
					if movieMeta[t.typ] {
						return hideBox(f, t)
					}
					return nil
				})
			}
			return nil
		})
	})
}

// isISOMedia reports whether files of type t are ISO media files that
// stripMovie cleans.
func isISOMedia(t FileType) bool {
	return t.MIME == TypeMP4.MIME || t.MIME == TypeM4A.MIME || t.MIME == TypeMOV.MIME
}
