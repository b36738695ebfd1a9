package jpkitest

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// Geometry of the synthetic text images (no fonts: each character becomes
// a cell of blocks derived from its code point, so different text gives
// different images and equal text equal images).
const (
	glyphCell   = 12 // pixels per character cell, square
	glyphGrid   = 3  // blocks per side of a cell
	glyphBlock  = glyphCell / (glyphGrid + 1)
	imageMargin = 4
	imageFrame  = 1
)

// textImage returns a PNG of a framed box with one cell of marks per rune
// of text: the stand-in for the card face's name, address and security
// code images. Encoding is deterministic.
func textImage(text string) []byte {
	runes := []rune(text)
	w := 2*imageMargin + max(1, len(runes))*glyphCell
	h := 2*imageMargin + glyphCell
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{0xFF}), image.Point{}, draw.Src)
	black := image.NewUniform(color.Gray{0x00})
	for i := range imageFrame {
		r := img.Bounds().Inset(i)
		for _, edge := range []image.Rectangle{
			{r.Min, image.Pt(r.Max.X, r.Min.Y+1)}, {image.Pt(r.Min.X, r.Max.Y-1), r.Max},
			{r.Min, image.Pt(r.Min.X+1, r.Max.Y)}, {image.Pt(r.Max.X-1, r.Min.Y), r.Max},
		} {
			draw.Draw(img, edge, black, image.Point{}, draw.Src)
		}
	}
	for i, r := range runes {
		sum := sha256.Sum256([]byte(string(r)))
		x0, y0 := imageMargin+i*glyphCell+glyphBlock/2, imageMargin+glyphBlock/2
		for b := range glyphGrid * glyphGrid {
			if r == ' ' || r == '\u3000' || sum[b]&1 == 0 {
				continue
			}
			x, y := x0+(b%glyphGrid)*glyphBlock, y0+(b/glyphGrid)*glyphBlock
			draw.Draw(img, image.Rect(x, y, x+glyphBlock, y+glyphBlock), black, image.Point{}, draw.Src)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic("jpkitest: encoding PNG to memory: " + err.Error()) // cannot fail on a bytes.Buffer
	}
	return buf.Bytes()
}
