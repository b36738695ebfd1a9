package jp2

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"strings"
)

// Decoder decodes JPEG 2000 images under limits. The zero value uses
// [DefaultLimits] and tolerates OpenJPEG warnings.
type Decoder struct {
	Limits Limits
	// FailOnWarning makes any OpenJPEG warning fail the decode, for
	// callers that would rather refuse a damaged photo than show it.
	FailOnWarning bool
}

// DecodeError carries what OpenJPEG said when a decode failed.
type DecodeError struct {
	// Stage is the step that failed: "reading header", "decoding" …
	Stage string
	// Messages are OpenJPEG's error and warning messages, in order,
	// without their trailing newlines.
	Messages []string
	// Err is a sentinel (ErrTooLarge, ErrUnsupported) when one applies.
	Err error
}

// Error implements error.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("jp2: ")
	b.WriteString(e.Stage)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if len(e.Messages) > 0 {
		b.WriteString(": openjpeg: ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	return b.String()
}

// Unwrap returns the sentinel, if any.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode decodes a J2K codestream or JP2 file (see [Format]) to an 8-bit
// image: *image.Gray for the card's greyscale photo, *image.RGBA or
// *image.NRGBA for colour. Samples of more than 8 bits are shifted down,
// fewer scaled up.
//
// Errors found before OpenJPEG runs wrap ErrFormat, ErrTooLarge,
// ErrTruncated or ErrCorrupt; failures inside OpenJPEG are a
// *DecodeError carrying its messages (and ErrTooLarge or ErrUnsupported
// where one applies). Decode is safe for concurrent use.
func (d Decoder) Decode(b []byte) (image.Image, error) {
	format, err := Format(b)
	if err != nil {
		return nil, err
	}
	lim := d.Limits.withDefaults()
	if _, err := precheck(b, format, lim); err != nil {
		return nil, err
	}
	return decode(b, format, lim, d.FailOnWarning)
}

// Decode decodes b with the zero [Decoder].
func Decode(b []byte) (image.Image, error) {
	return Decoder{}.Decode(b)
}

// ToPNG decodes b with the zero [Decoder] and encodes the result as PNG.
func ToPNG(b []byte) ([]byte, error) {
	img, err := Decode(b)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("encoding PNG: %w", err)
	}
	return out.Bytes(), nil
}
