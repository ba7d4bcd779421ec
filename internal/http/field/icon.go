package field

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// iconSizes are the PNG icon sizes the manifest lists.
var iconSizes = []int{192, 512}

func iconName(size int) string { return "icon-" + strconv.Itoa(size) + ".png" }

// Icon draws the app icon at size×size pixels: a 3×3 grid of white cells
// on the console's blue, with a red marker in the middle cell, so the icon
// reads as "a grid with a case in it" at any size. The safe zone of
// maskable icons (the inner 80 %) holds the whole drawing.
func Icon(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	blue := color.RGBA{0x1d, 0x4e, 0xd8, 0xff}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	red := color.RGBA{0xdc, 0x26, 0x26, 0xff}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			img.Set(x, y, blue)
		}
	}
	margin := size / 5
	inner := size - 2*margin
	gap := size / 32
	cell := (inner - 2*gap) / 3
	for row := 0; row < 3; row++ {
		for col := 0; col < 3; col++ {
			c := white
			if row == 1 && col == 1 {
				c = red
			}
			x0 := margin + col*(cell+gap)
			y0 := margin + row*(cell+gap)
			for y := y0; y < y0+cell; y++ {
				for x := x0; x < x0+cell; x++ {
					img.Set(x, y, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding to memory cannot fail
	return buf.Bytes()
}
