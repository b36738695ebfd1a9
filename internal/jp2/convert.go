package jp2

import (
	"fmt"
	"image"
	"image/color"
)

// Precision bounds this package converts. OpenJPEG allows up to 31 bits;
// 16 covers every photographic use.
const (
	minPrecision = 1
	maxPrecision = 16
	outPrecision = 8 // every output is 8 bits per channel
)

// component is one decoded image component as OpenJPEG returns it,
// copied out of C memory or pointing into it for the conversion.
type component struct {
	prec   uint
	signed bool
	data   []int32 // width*height samples, row major
}

// to8 maps a sample to 8 bits: signed samples are shifted to unsigned,
// values are clamped to the precision's range, then higher precisions are
// shifted right (as opj_decompress -p 8 does) and lower ones scaled up
// to the full 0–255 range.
func (c component) to8(v int32) uint8 {
	if c.signed {
		v += 1 << (c.prec - 1)
	}
	maxVal := int32(1)<<c.prec - 1
	v = max(0, min(v, maxVal))
	switch {
	case c.prec == outPrecision:
		return uint8(v)
	case c.prec > outPrecision:
		return uint8(v >> (c.prec - outPrecision))
	default:
		return uint8((v*255 + maxVal/2) / maxVal)
	}
}

// toImage converts decoded components to an 8-bit image: one component
// gives *image.Gray, two grey with alpha (*image.NRGBA), three RGB
// (*image.RGBA, opaque), four RGB with alpha (*image.NRGBA).
func toImage(w, h int, comps []component) (image.Image, error) {
	for i, c := range comps {
		if c.prec < minPrecision || c.prec > maxPrecision {
			return nil, fmt.Errorf("converting component %d of %d bits: %w", i, c.prec, ErrUnsupported)
		}
		if len(c.data) != w*h {
			return nil, fmt.Errorf("converting component %d: %d samples for %dx%d: %w", i, len(c.data), w, h, ErrUnsupported)
		}
	}
	rect := image.Rect(0, 0, w, h)
	switch len(comps) {
	case 1:
		img := image.NewGray(rect)
		c := comps[0]
		for i, v := range c.data {
			img.Pix[i] = c.to8(v)
		}
		return img, nil
	case 2:
		img := image.NewNRGBA(rect)
		g, a := comps[0], comps[1]
		for i := range g.data {
			y := g.to8(g.data[i])
			img.SetNRGBA(i%w, i/w, color.NRGBA{y, y, y, a.to8(a.data[i])})
		}
		return img, nil
	case 3:
		img := image.NewRGBA(rect)
		r, g, b := comps[0], comps[1], comps[2]
		for i := range r.data {
			img.SetRGBA(i%w, i/w, color.RGBA{r.to8(r.data[i]), g.to8(g.data[i]), b.to8(b.data[i]), 0xff})
		}
		return img, nil
	case 4:
		img := image.NewNRGBA(rect)
		r, g, b, a := comps[0], comps[1], comps[2], comps[3]
		for i := range r.data {
			img.SetNRGBA(i%w, i/w, color.NRGBA{r.to8(r.data[i]), g.to8(g.data[i]), b.to8(b.data[i]), a.to8(a.data[i])})
		}
		return img, nil
	}
	return nil, fmt.Errorf("converting %d components: %w", len(comps), ErrUnsupported)
}
