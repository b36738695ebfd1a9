//go:build ignore

// gen_face draws the synthetic face photo of the virtual card and encodes
// it to JPEG 2000 with OpenJPEG's opj_compress (Debian libopenjp2-tools).
// It runs once, by `go generate`, and its output testdata/face.jp2 is
// committed: tests do not need opj_compress.
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"log"
	"os"
	"os/exec"
	"path/filepath"
)

const (
	width, height = 90, 110
	output        = "testdata/face.jp2"
	// compressionRatio keeps the file a few kilobytes.
	compressionRatio = "6"
)

// ellipse is an image.Image usable as a mask: opaque inside the ellipse
// centred on c with radii rx, ry.
type ellipse struct {
	c      image.Point
	rx, ry int
}

func (e ellipse) ColorModel() color.Model { return color.AlphaModel }
func (e ellipse) Bounds() image.Rectangle {
	return image.Rect(e.c.X-e.rx, e.c.Y-e.ry, e.c.X+e.rx+1, e.c.Y+e.ry+1)
}
func (e ellipse) At(x, y int) color.Color {
	dx, dy := float64(x-e.c.X)/float64(e.rx), float64(y-e.c.Y)/float64(e.ry)
	if dx*dx+dy*dy <= 1 {
		return color.Opaque
	}
	return color.Transparent
}

func fill(img draw.Image, mask image.Image, g uint8) {
	draw.DrawMask(img, mask.Bounds(), image.NewUniform(color.Gray{g}), image.Point{}, mask, mask.Bounds().Min, draw.Over)
}

func main() {
	img := image.NewGray(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{0xE8}), image.Point{}, draw.Src)
	// Shoulders, neck, head, eyes, nose, mouth: a drawing, clearly not a person.
	fill(img, ellipse{image.Pt(45, 118), 42, 26}, 0x50)
	draw.Draw(img, image.Rect(38, 72, 52, 95), image.NewUniform(color.Gray{0xA0}), image.Point{}, draw.Src)
	fill(img, ellipse{image.Pt(45, 48), 27, 34}, 0xB4)
	fill(img, ellipse{image.Pt(35, 42), 5, 3}, 0x20)
	fill(img, ellipse{image.Pt(55, 42), 5, 3}, 0x20)
	draw.Draw(img, image.Rect(44, 46, 47, 58), image.NewUniform(color.Gray{0x80}), image.Point{}, draw.Src)
	fill(img, ellipse{image.Pt(45, 66), 10, 3}, 0x40)

	dir, err := os.MkdirTemp("", "jpkitest-face")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	pgm := filepath.Join(dir, "face.pgm")
	data := append([]byte(fmt.Sprintf("P5\n%d %d\n255\n", width, height)), img.Pix...)
	if err := os.WriteFile(pgm, data, 0o644); err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command("opj_compress", "-i", pgm, "-o", output, "-r", compressionRatio)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		log.Fatalf("running opj_compress: %v", err)
	}
}
