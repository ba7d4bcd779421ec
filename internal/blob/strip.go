package blob

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// errBadJPEG and errBadPNG say that content with the right signature does
// not have the structure of its format.
var (
	errBadJPEG = errors.New("not a well-formed JPEG image")
	errBadPNG  = errors.New("not a well-formed PNG image")
)

// JPEG markers the stripper handles by name.
const (
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerAPP1 = 0xE1
	markerAPPD = 0xED // APP13: Photoshop IRB / IPTC
	markerCOM  = 0xFE
)

// stripJPEG copies a JPEG without its APP1 (Exif, XMP), APP13 (IPTC) and
// comment segments and without anything after EOI, leaving the
// compressed image data untouched: no re-encoding, no quality loss. An
// orientation other than 1 is kept in a minimal Exif segment holding that
// one tag, so the photo still displays upright.
func stripJPEG(b []byte, orientation int) ([]byte, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return nil, errBadJPEG
	}
	out := make([]byte, 0, len(b))
	out = append(out, 0xFF, 0xD8)
	if orientation > 1 && orientation <= 8 {
		out = append(out, orientationExif(orientation)...)
	}
	i := 2
	for {
		if i >= len(b) || b[i] != 0xFF {
			return nil, errBadJPEG
		}
		for i < len(b) && b[i] == 0xFF {
			i++ // fill bytes
		}
		if i >= len(b) {
			return nil, errBadJPEG
		}
		m := b[i]
		i++
		if m == markerEOI {
			return append(out, 0xFF, markerEOI), nil
		}
		if m >= 0xD0 && m <= 0xD7 || m == 0x01 {
			out = append(out, 0xFF, m)
			continue
		}
		if i+2 > len(b) {
			return nil, errBadJPEG
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return nil, errBadJPEG
		}
		if m != markerAPP1 && m != markerAPPD && m != markerCOM {
			out = append(out, 0xFF, m)
			out = append(out, b[i:i+n]...)
		}
		i += n
		if m == markerSOS {
			j, err := scanEntropy(b, i)
			if err != nil {
				return nil, err
			}
			out = append(out, b[i:j]...)
			i = j
		}
	}
}

// scanEntropy returns the offset of the first marker after the
// entropy-coded data starting at i: 0xFF followed by anything but a
// stuffed zero, a restart marker or another fill byte.
func scanEntropy(b []byte, i int) (int, error) {
	for j := i; j+1 < len(b); j++ {
		if b[j] != 0xFF {
			continue
		}
		next := b[j+1]
		switch {
		case next == 0x00, next >= 0xD0 && next <= 0xD7:
			j++
		case next == 0xFF:
		default:
			return j, nil
		}
	}
	return 0, errBadJPEG
}

// jpegOrientation reads the Exif orientation tag (1–8) of a JPEG, or 1
// when there is none or it cannot be read.
func jpegOrientation(b []byte) int {
	i := 2
	for i+4 <= len(b) && b[i] == 0xFF {
		m := b[i+1]
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m == markerSOS || n < 2 || i+2+n > len(b) {
			break
		}
		seg := b[i+4 : i+2+n]
		if m == markerAPP1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			if o := tiffOrientation(seg[6:]); o != 0 {
				return o
			}
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for k := 0; k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
		}
	}
	return 0
}

// orientationExif is an APP1 segment whose Exif holds only the orientation.
func orientationExif(o int) []byte {
	seg := []byte{0xFF, markerAPP1, 0x00, 0x22}
	seg = append(seg, "Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x01"...)
	seg = append(seg, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, byte(o), 0x00, 0x00)
	return append(seg, 0x00, 0x00, 0x00, 0x00)
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngMetaChunks are the chunks that carry text, Exif and timestamps.
var pngMetaChunks = map[string]bool{"eXIf": true, "tEXt": true, "iTXt": true, "zTXt": true, "tIME": true}

// stripPNG copies a PNG without its metadata chunks and without anything
// after IEND; image chunks are copied byte for byte.
func stripPNG(b []byte) ([]byte, error) {
	if !bytes.HasPrefix(b, pngSignature) {
		return nil, errBadPNG
	}
	out := make([]byte, 0, len(b))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for i+12 <= len(b) {
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || n > len(b)-i-12 {
			return nil, errBadPNG
		}
		typ := string(b[i+4 : i+8])
		end := i + 12 + n
		if !pngMetaChunks[typ] {
			out = append(out, b[i:end]...)
		}
		if typ == "IEND" {
			return out, nil
		}
		i = end
	}
	return nil, errBadPNG
}
