package blob

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// gpsSecret is written into the Exif of test photos; it must never reach
// the store.
const gpsSecret = "GPS-SECRET-34.7466N-113.6253E"

// testImage is a w×h gradient.
func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exifSegment builds an APP1 Exif segment by hand: IFD0 with an
// ImageDescription holding gpsSecret, an optional Orientation, and a
// GPSInfo pointer to a GPS IFD with latitude and longitude references.
func exifSegment(orientation uint16) []byte {
	be := binary.BigEndian
	tiff := []byte("MM\x00*\x00\x00\x00\x08")
	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32
	}
	desc := append([]byte(gpsSecret), 0)
	entries := []entry{{0x010E, 2, uint32(len(desc)), 0}}
	if orientation != 0 {
		entries = append(entries, entry{0x0112, 3, 1, uint32(orientation) << 16})
	}
	entries = append(entries, entry{0x8825, 4, 1, 0})
	ifd0Len := 2 + 12*len(entries) + 4
	descOff := 8 + ifd0Len
	gpsOff := descOff + len(desc)
	entries[0].value = uint32(descOff)
	entries[len(entries)-1].value = uint32(gpsOff)
	tiff = be.AppendUint16(tiff, uint16(len(entries)))
	for _, e := range entries {
		tiff = be.AppendUint16(tiff, e.tag)
		tiff = be.AppendUint16(tiff, e.typ)
		tiff = be.AppendUint32(tiff, e.count)
		tiff = be.AppendUint32(tiff, e.value)
	}
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, desc...)
	// GPS IFD: GPSLatitudeRef "N", GPSLongitudeRef "E".
	tiff = be.AppendUint16(tiff, 2)
	tiff = append(tiff, 0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, 'N', 0, 0, 0)
	tiff = append(tiff, 0x00, 0x03, 0x00, 0x02, 0, 0, 0, 2, 'E', 0, 0, 0)
	tiff = be.AppendUint32(tiff, 0)
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1}
	seg = be.AppendUint16(seg, uint16(len(body)+2))
	return append(seg, body...)
}

// segment builds a JPEG marker segment.
func segment(marker byte, payload string) []byte {
	seg := []byte{0xFF, marker}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// withExif splices an Exif APP1, an XMP APP1, an IPTC APP13 and a comment
// into a JPEG right after SOI, and a trailer after EOI.
func withExif(jpg []byte, orientation uint16) []byte {
	out := []byte{0xFF, 0xD8}
	out = append(out, exifSegment(orientation)...)
	out = append(out, segment(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>XMP-SECRET</x:xmpmeta>")...)
	out = append(out, segment(0xED, "Photoshop 3.0\x008BIM IPTC-SECRET")...)
	out = append(out, segment(0xFE, "COMMENT-SECRET")...)
	out = append(out, jpg[2:]...)
	return append(out, "TRAILER-SECRET"...)
}

// pngChunk builds a PNG chunk (the CRC is not checked by the stripper but
// is by the decoder, so compute it).
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32IEEE(append([]byte(typ), data...)))
}

// withPNGText inserts tEXt, iTXt and eXIf chunks after IHDR.
func withPNGText(p []byte) []byte {
	ihdrEnd := 8 + 8 + 13 + 4
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, pngChunk("tEXt", []byte("Comment\x00PNG-TEXT-SECRET"))...)
	out = append(out, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00PNG-ITXT-SECRET"))...)
	out = append(out, pngChunk("eXIf", exifSegment(0)[10:])...)
	return append(out, p[ihdrEnd:]...)
}

// hasMarker reports whether a JPEG has a segment with marker before SOS.
func hasMarker(jpg []byte, marker byte) bool {
	for i := 2; i+4 <= len(jpg) && jpg[i] == 0xFF; {
		m := jpg[i+1]
		if m == marker {
			return true
		}
		if m == markerSOS {
			return false
		}
		i += 2 + int(binary.BigEndian.Uint16(jpg[i+2:]))
	}
	return false
}

func crc32IEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
