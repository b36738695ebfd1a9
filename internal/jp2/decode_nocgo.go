//go:build !cgo

package jp2

import "image"

func decode([]byte, string, Limits, bool) (image.Image, error) {
	return nil, ErrNoCgo
}

// cgoEnabled reports whether this build decodes through OpenJPEG.
const cgoEnabled = false
