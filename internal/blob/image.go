package blob

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"

	"gridgov/internal/apperr"
)

// structureErr reports a file whose box structure could not be cleaned:
// malformed boxes are the client's fault, anything else is internal.
func structureErr(t FileType, err error) error {
	var be *boxError
	if errors.As(err, &be) {
		return apperr.Field("file", apperr.FileMalformedType, "kind", t.Name, "detail", be)
	}
	return apperr.Wrap(err, "strip metadata")
}

// ThumbSize is the longest side of a thumbnail in pixels.
const ThumbSize = 320

// thumbQuality is the JPEG quality of thumbnails.
const thumbQuality = 80

// processed is an image ready to store: stripped bytes, its displayed
// size and a JPEG thumbnail.
type processed struct {
	data          []byte
	thumb         []byte
	width, height int
}

// processImage strips the metadata of a JPEG or PNG, checks that it
// decodes within maxPixels, and makes its thumbnail. A HEIC image has its
// Exif and XMP items zeroed in place and is kept without size or
// thumbnail (there is no HEVC decoder).
func processImage(t FileType, b []byte, maxPixels int64) (processed, error) {
	orientation := 1
	var err error
	switch t.MIME {
	case TypeJPEG.MIME:
		orientation = jpegOrientation(b)
		b, err = stripJPEG(b, orientation)
	case TypePNG.MIME:
		b, err = stripPNG(b)
	case TypeHEIC.MIME:
		if err := stripHEIC(b); err != nil {
			return processed{}, structureErr(t, err)
		}
		return processed{data: b}, nil
	default:
		return processed{data: b}, nil
	}
	if err != nil {
		return processed{}, apperr.Field("file", apperr.UnreadableDetail, "detail", err.Error())
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return processed{}, apperr.Field("file", apperr.FileUnreadableType, "kind", t.Name, "detail", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return processed{}, apperr.Field("file", apperr.ImagePixels, "width", cfg.Width, "height", cfg.Height, "max", maxPixels/1_000_000)
	}
	var img image.Image
	if t.MIME == TypeJPEG.MIME {
		img, err = jpeg.Decode(bytes.NewReader(b))
	} else {
		img, err = png.Decode(bytes.NewReader(b))
	}
	if err != nil {
		return processed{}, apperr.Field("file", apperr.FileUnreadableType, "kind", t.Name, "detail", err)
	}
	thumb, err := thumbnail(img, orientation)
	if err != nil {
		return processed{}, err
	}
	p := processed{data: b, thumb: thumb, width: cfg.Width, height: cfg.Height}
	if orientation >= 5 {
		p.width, p.height = p.height, p.width
	}
	return p, nil
}

// thumbnail scales img so its longest side is at most ThumbSize, turns it
// upright and encodes it as JPEG.
func thumbnail(img image.Image, orientation int) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbSize || h > ThumbSize {
		if w >= h {
			w, h = ThumbSize, max(1, h*ThumbSize/w)
		} else {
			w, h = max(1, w*ThumbSize/h), ThumbSize
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	// Transparent PNG areas become white rather than black in the JPEG.
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, orient(dst, orientation), &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// orient applies an Exif orientation (2–8) to src, so the result shows
// the way the camera meant it.
func orient(src *image.RGBA, o int) image.Image {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.SetRGBA(dx, dy, src.RGBAAt(x, y))
		}
	}
	return dst
}
