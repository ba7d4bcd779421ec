package blob

import (
	"encoding/binary"
	"strings"
)

// HEIF keeps its metadata as items of the top-level "meta" box: "iinf"
// lists the items with their type ("Exif", or "mime" with a content type,
// XMP being application/rdf+xml), "iloc" says where each item's bytes lie
// (extents in the file or in the "idat" box). stripHEIC overwrites the
// bytes of the Exif and XMP items with zeros: the image items, their
// properties and every offset stay as they were, nothing is re-encoded.

// stripHEIC zeroes the Exif and XMP items of a HEIF image held in b, and
// hides the user data of its movie box if it is an image sequence.
func stripHEIC(b []byte) error {
	f := byteFile(b)
	size := int64(len(b))
	if err := stripMovie(f, size); err != nil {
		return err
	}
	var meta *box
	err := walkBoxes(f, 0, size, true, func(bx box) error {
		if bx.typ == "meta" && meta == nil {
			if bx.truncated {
				return badBox("meta box at offset %d overruns the file", bx.start)
			}
			meta = &bx
		}
		return nil
	})
	if err != nil {
		return err
	}
	if meta == nil {
		return badBox("no meta box")
	}
	if meta.end-meta.body < 4 {
		return badBox("meta box too short")
	}
	var iinf, iloc, idat *box
	err = walkBoxes(f, meta.body+4, meta.end, false, func(bx box) error {
		switch bx.typ {
		case "iinf":
			iinf = &bx
		case "iloc":
			iloc = &bx
		case "idat":
			idat = &bx
		}
		return nil
	})
	if err != nil {
		return err
	}
	if iinf == nil {
		return nil // no items, no item metadata
	}
	strip, err := metadataItems(b, *iinf)
	if err != nil || len(strip) == 0 {
		return err
	}
	if iloc == nil {
		return badBox("items without an iloc box")
	}
	exts, err := itemExtents(b[iloc.body:iloc.end], strip)
	if err != nil {
		return err
	}
	for _, e := range exts {
		from, to, err := e.span(size, idat)
		if err != nil {
			return err
		}
		clear(b[from:to])
	}
	return nil
}

// metadataItems returns the ids of the Exif and XMP items listed in iinf.
func metadataItems(b []byte, iinf box) (map[uint32]bool, error) {
	if iinf.end-iinf.body < 4 {
		return nil, badBox("iinf box too short")
	}
	start := iinf.body + 6 // version and flags, a 16-bit entry count
	if b[iinf.body] != 0 {
		start += 2 // a 32-bit entry count
	}
	if start > iinf.end {
		return nil, badBox("iinf box too short")
	}
	out := map[uint32]bool{}
	err := walkBoxes(byteFile(b), start, iinf.end, false, func(bx box) error {
		if bx.typ != "infe" {
			return nil
		}
		id, meta, err := parseInfe(b[bx.body:bx.end])
		if err == nil && meta {
			out[id] = true
		}
		return err
	})
	return out, err
}

// parseInfe reads an item info entry and reports whether the item is
// Exif or XMP metadata.
func parseInfe(p []byte) (id uint32, meta bool, err error) {
	c := cursor{b: p}
	version := c.uint(1)
	c.skip(3) // flags
	var typ, contentType string
	switch version {
	case 0, 1:
		id = uint32(c.uint(2))
		c.skip(2) // protection index
		c.str()   // name
		typ, contentType = "mime", c.str()
	case 2, 3:
		if version == 2 {
			id = uint32(c.uint(2))
		} else {
			id = uint32(c.uint(4))
		}
		c.skip(2)
		typ = string(c.bytes(4))
		if typ == "mime" {
			c.str()
			contentType = c.str()
		}
	default:
		return 0, false, badBox("infe version %d is not supported", version)
	}
	if c.bad {
		return 0, false, badBox("infe box too short")
	}
	ct := strings.ToLower(contentType)
	return id, typ == "Exif" || typ == "mime" && (strings.Contains(ct, "rdf+xml") || strings.Contains(ct, "xmp")), nil
}

// extent is where part of an item's bytes lie.
type extent struct {
	method      uint64 // 0: file offset, 1: offset in idat, 2: in another item
	offset, len uint64
}

// span returns the byte range of the extent in a file of size bytes.
func (e extent) span(size int64, idat *box) (int64, int64, error) {
	var base, limit uint64
	switch e.method {
	case 0:
		base, limit = 0, uint64(size)
	case 1:
		if idat == nil {
			return 0, 0, badBox("item stored in a missing idat box")
		}
		base, limit = uint64(idat.body), uint64(idat.end)
	default:
		return 0, 0, badBox("metadata item built from other items is not supported")
	}
	if e.len == 0 {
		return 0, 0, badBox("metadata item extent without a length")
	}
	from := base + e.offset
	if e.offset > limit || from > limit || e.len > limit-from {
		return 0, 0, badBox("metadata item extent lies outside its container")
	}
	return int64(from), int64(from + e.len), nil
}

// itemExtents parses an iloc payload and returns the extents of the
// items in want.
func itemExtents(p []byte, want map[uint32]bool) ([]extent, error) {
	c := cursor{b: p}
	version := c.uint(1)
	if version > 2 {
		return nil, badBox("iloc version %d is not supported", version)
	}
	c.skip(3)
	sizes := c.uint(2)
	offSize, lenSize, baseSize := int(sizes>>12&15), int(sizes>>8&15), int(sizes>>4&15)
	idxSize := 0
	if version > 0 {
		idxSize = int(sizes & 15)
	}
	for _, s := range []int{offSize, lenSize, baseSize, idxSize} {
		if s != 0 && s != 4 && s != 8 {
			return nil, badBox("iloc field size %d is not 0, 4 or 8", s)
		}
	}
	count := c.uint(2)
	if version == 2 {
		count = count<<16 | c.uint(2)
	}
	var out []extent
	total := uint64(0)
	for i := uint64(0); i < count && !c.bad; i++ {
		var id uint32
		if version < 2 {
			id = uint32(c.uint(2))
		} else {
			id = uint32(c.uint(4))
		}
		var method uint64
		if version > 0 {
			method = c.uint(2) & 15
		}
		c.skip(2) // data reference index
		base := c.uint(baseSize)
		n := c.uint(2)
		if total += n; total > maxBoxes {
			return nil, badBox("more than %d extents in iloc", maxBoxes)
		}
		for j := uint64(0); j < n && !c.bad; j++ {
			c.skip(idxSize)
			off, l := c.uint(offSize), c.uint(lenSize)
			if want[id] {
				if base > math64 || off > math64-base {
					return nil, badBox("iloc offset out of range")
				}
				out = append(out, extent{method: method, offset: base + off, len: l})
			}
		}
	}
	if c.bad {
		return nil, badBox("iloc box too short")
	}
	return out, nil
}

// math64 bounds offsets so sums of two stay within uint64 and int64.
const math64 = 1 << 62

// cursor reads big-endian fields from a box payload; reading past its end
// sets bad and yields zeros.
type cursor struct {
	b   []byte
	bad bool
}

// bytes returns the next n bytes.
func (c *cursor) bytes(n int) []byte {
	if c.bad || n > len(c.b) {
		c.bad = true
		return make([]byte, n)
	}
	out := c.b[:n]
	c.b = c.b[n:]
	return out
}

// skip passes over n bytes.
func (c *cursor) skip(n int) { c.bytes(n) }

// uint reads an unsigned integer of n bytes (0, 1, 2, 4 or 8).
func (c *cursor) uint(n int) uint64 {
	b := c.bytes(n)
	switch n {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	case 8:
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// str reads a NUL-terminated string; a missing terminator ends it at the
// end of the payload.
func (c *cursor) str() string {
	if c.bad {
		return ""
	}
	for i, ch := range c.b {
		if ch == 0 {
			s := string(c.b[:i])
			c.b = c.b[i+1:]
			return s
		}
	}
	s := string(c.b)
	c.b = nil
	return s
}
