package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"gridgov/internal/apperr"
	"gridgov/internal/db"
	"gridgov/internal/dbtest"
)

// The secrets the test movies and HEIC images carry; none may be stored.
const (
	gpsISO6709 = "+34.7466+113.6253+095.000/"
	deviceName = "DEVICE-SECRET iPhone"
	xmpSecret  = "XMP-SECRET"
)

// isoBox builds a box with a 32-bit size.
func isoBox(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// largeBox builds a box with a 64-bit size.
func largeBox(typ string, payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1)
	b = append(b, typ...)
	b = binary.BigEndian.AppendUint64(b, uint64(16+len(payload)))
	return append(b, payload...)
}

// fullBox builds a box with version and flags.
func fullBox(typ string, version byte, payload ...[]byte) []byte {
	return isoBox(typ, append([][]byte{{version, 0, 0, 0}}, payload...)...)
}

// freed is what the stripper makes of a box: a free box of the same size
// with a zeroed payload.
func freed(b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b[:4])
	copy(out[4:], "free")
	return out
}

// movie builds a small MP4 with the recording place in moov/udta/©xyz,
// moov/meta (QuickTime keys) and the device name in moov/trak/udta; with
// stripped, those boxes are as the stripper leaves them. large gives the
// media data a 64-bit size; moovLast puts the movie after the media data.
func movie(stripped, large, moovLast bool) []byte {
	return movieBrand("isom\x00\x00\x02\x00isomiso2avc1mp41", stripped, large, moovLast)
}

// movieBrand is movie with the given ftyp payload (major brand, version,
// compatible brands).
func movieBrand(brand string, stripped, large, moovLast bool) []byte {
	hide := func(b []byte) []byte {
		if stripped {
			return freed(b)
		}
		return b
	}
	xyz := isoBox("\xa9xyz", []byte{0, byte(len(gpsISO6709)), 0x15, 0xc7}, []byte(gpsISO6709))
	udta := hide(isoBox("udta", xyz, isoBox("\xa9too", []byte("Lavf61"))))
	keys := fullBox("keys", 0, []byte{0, 0, 0, 1}, isoBox("mdta", []byte("com.apple.quicktime.location.ISO6709")))
	ilst := isoBox("ilst", isoBox("\x00\x00\x00\x01", isoBox("data", []byte{0, 0, 0, 1, 0, 0, 0, 0}, []byte(gpsISO6709))))
	meta := hide(fullBox("meta", 0, fullBox("hdlr", 0, make([]byte, 4), []byte("mdta"), make([]byte, 13)), keys, ilst))
	trakUdta := hide(isoBox("udta", isoBox("\xa9mak", []byte(deviceName))))
	trak := isoBox("trak", fullBox("tkhd", 0, bytes.Repeat([]byte{7}, 80)), trakUdta,
		isoBox("mdia", fullBox("mdhd", 0, bytes.Repeat([]byte{9}, 20))))
	moov := isoBox("moov", fullBox("mvhd", 0, bytes.Repeat([]byte{5}, 96)), trak, udta, meta)
	media := bytes.Repeat([]byte("mdat-payload "), 200)
	mdat := isoBox("mdat", media)
	if large {
		mdat = largeBox("mdat", media)
	}
	out := isoBox("ftyp", []byte(brand))
	if moovLast {
		return bytes.Join([][]byte{out, isoBox("free"), mdat, moov}, nil)
	}
	return bytes.Join([][]byte{out, moov, mdat}, nil)
}

func TestUploadMovieStripsMetadata(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		for _, tc := range []struct {
			name            string
			large, moovLast bool
			brand           string
		}{{"clip.mp4", false, false, ""}, {"camera.mp4", true, true, ""}, {"voice.m4a", false, true, ""},
			{"IMG_0001.MOV", false, true, "qt  \x00\x00\x02\x00qt  "}} {
			if tc.brand == "" {
				tc.brand = "isom\x00\x00\x02\x00isomiso2avc1mp41"
			}
			body := movieBrand(tc.brand, false, tc.large, tc.moovLast)
			att, err := f.svc.Upload(worker(), UploadInput{Filename: tc.name, Content: bytes.NewReader(body)})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			_, rc, err := f.svc.Open(worker(), att.ID)
			got := readOpen(t, rc, err)
			for _, secret := range []string{gpsISO6709, deviceName, "ISO6709", "\xa9xyz"} {
				if bytes.Contains(got, []byte(secret)) {
					t.Errorf("%s: stored file holds %q", tc.name, secret)
				}
			}
			if len(got) != len(body) || att.Size != int64(len(body)) {
				t.Errorf("%s: size %d (recorded %d), want %d", tc.name, len(got), att.Size, len(body))
			}
			if want := movieBrand(tc.brand, true, tc.large, tc.moovLast); !bytes.Equal(got, want) {
				t.Errorf("%s: stored file is not the original with its metadata boxes freed", tc.name)
			}
			if att.SHA256 != sha(got) {
				t.Errorf("%s: recorded hash %s is not that of the stored file", tc.name, att.SHA256)
			}
		}
	})
}

func TestUploadMalformedMovie(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		good := movie(false, false, false)
		ftypLen := int(binary.BigEndian.Uint32(good))
		overrun := bytes.Clone(good)
		// The movie box claims more than the file holds.
		binary.BigEndian.PutUint32(overrun[ftypLen:], uint32(len(good)))
		child := bytes.Clone(good)
		// The movie header claims more than the movie box holds.
		binary.BigEndian.PutUint32(child[ftypLen+8:], 1<<20)
		tiny := bytes.Clone(good)
		binary.BigEndian.PutUint32(tiny[ftypLen+8:], 3)
		for name, body := range map[string][]byte{"moov overrun": overrun, "child overrun": child, "tiny box": tiny} {
			_, err := f.svc.Upload(worker(), UploadInput{Filename: "clip.mp4", Content: bytes.NewReader(body)})
			if e := apperr.As(err); e.Code != apperr.Invalid || !strings.Contains(e.Fields["file"], "well-formed MP4 video") {
				t.Errorf("%s: got %v (fields %v), want invalid file naming the malformed MP4", name, err, e.Fields)
			}
		}
		if files := f.files(t); len(files) != 0 {
			t.Errorf("blobs after refusals: %v", files)
		}
		// An interrupted recording: the media data runs past the end.
		cut := movie(false, false, false)
		cut = cut[:len(cut)-100]
		att, err := f.svc.Upload(worker(), UploadInput{Filename: "cut.mp4", Content: bytes.NewReader(cut)})
		if err != nil {
			t.Fatalf("truncated media data: %v", err)
		}
		_, rc, err := f.svc.Open(worker(), att.ID)
		if got := readOpen(t, rc, err); bytes.Contains(got, []byte(gpsISO6709)) || len(got) != len(cut) {
			t.Errorf("truncated media data: stored %d bytes, GPS kept: %v", len(got), bytes.Contains(got, []byte(gpsISO6709)))
		}
	})
}

// heicLayout says how the test HEIC stores its metadata items.
type heicLayout struct {
	ilocVersion byte // 0, 1 or 2
	infeVersion byte // 2 or 3
	xmpInIdat   bool // the XMP item lies in idat (construction method 1)
}

// heic builds a minimal HEIC: an hvc1 image item, an Exif item holding
// gpsSecret in the media data and an XMP item (mime application/rdf+xml)
// holding xmpSecret, located by iloc. It returns the file and the byte
// ranges of the two metadata items.
func heic(l heicLayout) ([]byte, [][2]int) {
	image := bytes.Repeat([]byte("HEVC-IMAGE-DATA "), 40)
	exif := append([]byte("\x00\x00\x00\x06Exif\x00\x00"), exifSegment(0)[10:]...)
	xmp := []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>` + xmpSecret + `</rdf:RDF></x:xmpmeta>`)
	be := binary.BigEndian
	infe := func(id uint32, typ string, extra string) []byte {
		var p []byte
		if l.infeVersion == 3 {
			p = be.AppendUint32(p, id)
		} else {
			p = be.AppendUint16(p, uint16(id))
		}
		p = append(p, 0, 0)
		p = append(p, typ...)
		p = append(p, "\x00"...)
		return fullBox("infe", l.infeVersion, p, []byte(extra))
	}
	iinf := fullBox("iinf", 0, []byte{0, 3}, infe(1, "hvc1", ""), infe(2, "Exif", ""),
		infe(3, "mime", "application/rdf+xml\x00"))
	type loc struct {
		id          uint32
		method      uint16
		off, length int
	}
	iloc := func(locs []loc) []byte {
		p := []byte{0x44, 0x00} // offset and length 4 bytes, no base offset, no index
		if l.ilocVersion == 2 {
			p = be.AppendUint32(p, uint32(len(locs)))
		} else {
			p = be.AppendUint16(p, uint16(len(locs)))
		}
		for _, c := range locs {
			if l.ilocVersion == 2 {
				p = be.AppendUint32(p, c.id)
			} else {
				p = be.AppendUint16(p, uint16(c.id))
			}
			if l.ilocVersion > 0 {
				p = be.AppendUint16(p, c.method)
			}
			p = be.AppendUint16(p, 0) // data reference
			p = be.AppendUint16(p, 1) // one extent
			p = be.AppendUint32(p, uint32(c.off))
			p = be.AppendUint32(p, uint32(c.length))
		}
		return fullBox("iloc", l.ilocVersion, p)
	}
	var idat []byte
	mdatBody := append(bytes.Clone(image), exif...)
	if l.xmpInIdat && l.ilocVersion > 0 {
		idat = isoBox("idat", xmp)
	} else {
		mdatBody = append(mdatBody, xmp...)
	}
	ftyp := isoBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
	hdlr := fullBox("hdlr", 0, make([]byte, 4), []byte("pict"), make([]byte, 13))
	pitm := fullBox("pitm", 0, []byte{0, 1})
	build := func(locs []loc) []byte {
		meta := fullBox("meta", 0, hdlr, pitm, iinf, iloc(locs), idat)
		return bytes.Join([][]byte{ftyp, meta, isoBox("mdat", mdatBody)}, nil)
	}
	// The layout does not depend on the offsets: build once to learn them.
	probe := build([]loc{{1, 0, 0, 0}, {2, 0, 0, 0}, {3, 0, 0, 0}})
	mdat := len(probe) - len(mdatBody)
	locs := []loc{{1, 0, mdat, len(image)}, {2, 0, mdat + len(image), len(exif)}}
	var ranges [][2]int
	ranges = append(ranges, [2]int{mdat + len(image), mdat + len(image) + len(exif)})
	if idat != nil {
		idatBody := bytes.Index(probe, []byte("idat")) + 4
		locs = append(locs, loc{3, 1, 0, len(xmp)})
		ranges = append(ranges, [2]int{idatBody, idatBody + len(xmp)})
	} else {
		off := mdat + len(image) + len(exif)
		locs = append(locs, loc{3, 0, off, len(xmp)})
		ranges = append(ranges, [2]int{off, off + len(xmp)})
	}
	return build(locs), ranges
}

func TestStripHEIC(t *testing.T) {
	for _, l := range []heicLayout{{1, 2, false}, {1, 2, true}, {0, 2, false}, {2, 3, true}} {
		b, ranges := heic(l)
		want := bytes.Clone(b)
		for _, r := range ranges {
			clear(want[r[0]:r[1]])
		}
		if !bytes.Contains(b, []byte(gpsSecret)) || !bytes.Contains(b, []byte(xmpSecret)) {
			t.Fatalf("%+v: test image lacks its secrets", l)
		}
		if err := stripHEIC(b); err != nil {
			t.Fatalf("%+v: %v", l, err)
		}
		if !bytes.Equal(b, want) {
			t.Errorf("%+v: stripped image is not the original with the Exif and XMP items zeroed", l)
		}
	}
}

func TestUploadHEICStripsMetadata(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		body, _ := heic(heicLayout{1, 2, true})
		att, err := f.svc.Upload(worker(), UploadInput{Filename: "IMG_0001.HEIC", Content: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		_, rc, err := f.svc.Open(worker(), att.ID)
		got := readOpen(t, rc, err)
		if len(got) != len(body) || att.ContentType != "image/heic" || att.SHA256 != sha(got) {
			t.Errorf("got %d bytes, %+v; want %d bytes of image/heic", len(got), att, len(body))
		}
		for _, s := range []string{gpsSecret, xmpSecret, "Exif\x00\x00MM"} {
			if bytes.Contains(got, []byte(s)) {
				t.Errorf("stored image holds %q", s)
			}
		}
		if !bytes.Contains(got, []byte("HEVC-IMAGE-DATA")) {
			t.Error("image data lost")
		}
	})
}

func TestUploadMalformedHEIC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newSvcFixture(t, d, Options{})
		good, ranges := heic(heicLayout{1, 2, false})
		ftyp := isoBox("ftyp", []byte("heic\x00\x00\x00\x00mif1heic"))
		outside := bytes.Clone(good)
		// The Exif extent's offset points past the end of the file.
		i := bytes.Index(outside, binary.BigEndian.AppendUint32(nil, uint32(ranges[0][0])))
		binary.BigEndian.PutUint32(outside[i:], uint32(len(good)))
		method2 := bytes.Clone(good)
		binary.BigEndian.PutUint16(method2[i-6:], 2) // construction method of item 2
		for name, body := range map[string][]byte{
			"no meta":        append(bytes.Clone(ftyp), isoBox("mdat", []byte("data"))...),
			"extent outside": outside,
			"item in item":   method2,
			"meta overrun":   append(bytes.Clone(ftyp), 0, 0, 1, 0, 'm', 'e', 't', 'a', 0, 0, 0, 0),
		} {
			_, err := f.svc.Upload(worker(), UploadInput{Filename: "x.heic", Content: bytes.NewReader(body)})
			if e := apperr.As(err); e.Code != apperr.Invalid || !strings.Contains(e.Fields["file"], "well-formed HEIC image") {
				t.Errorf("%s: got %v (fields %v), want invalid file naming the malformed HEIC", name, err, e.Fields)
			}
		}
		if n := f.count(t, `SELECT count(*) FROM attachments`); n != 0 {
			t.Errorf("rows after refusals: %d", n)
		}
	})
}

// TestStripMangled feeds the strippers every truncation and many random
// corruptions of valid files: each must be cleaned or refused as
// malformed, never panic or fail otherwise.
func TestStripMangled(t *testing.T) {
	h, _ := heic(heicLayout{1, 2, true})
	m := movie(false, true, true)
	check := func(name string, err error) {
		var be *boxError
		if err != nil && !errors.As(err, &be) {
			t.Fatalf("%s: error %v is not a boxError", name, err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range []struct {
		name  string
		b     []byte
		strip func([]byte) error
	}{
		{"heic", h, stripHEIC},
		{"movie", m, func(b []byte) error { return stripMovie(byteFile(b), int64(len(b))) }},
	} {
		for n := 0; n <= len(src.b); n++ {
			check(src.name+" truncated", src.strip(bytes.Clone(src.b[:n])))
		}
		for k := 0; k < 5000; k++ {
			b := bytes.Clone(src.b)
			for j := rng.IntN(4) + 1; j > 0; j-- {
				i := rng.IntN(len(b))
				switch rng.IntN(3) {
				case 0:
					b[i] = byte(rng.IntN(256))
				case 1:
					b[i] = []byte{0, 1, 0xff, 8, 16}[rng.IntN(5)]
				default:
					b[i] ^= 1 << rng.IntN(8)
				}
			}
			check(src.name+" corrupted", src.strip(b))
		}
	}
}

// FuzzStripHEIC checks that no input makes the HEIC stripper panic or
// fail with anything but a boxError (go test -fuzz=FuzzStripHEIC).
func FuzzStripHEIC(f *testing.F) {
	for _, l := range []heicLayout{{1, 2, false}, {2, 3, true}, {0, 2, false}} {
		b, _ := heic(l)
		f.Add(b)
	}
	f.Add(movie(false, false, false))
	f.Fuzz(func(t *testing.T, b []byte) {
		var be *boxError
		if err := stripHEIC(b); err != nil && !errors.As(err, &be) {
			t.Fatalf("error %v is not a boxError", err)
		}
	})
}

// sha returns the hex SHA-256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
