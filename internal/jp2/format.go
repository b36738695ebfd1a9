package jp2

import (
	"bytes"
	"errors"
	"fmt"
)

// Format names, as [Format] returns them.
const (
	// FormatJ2K is a raw JPEG 2000 codestream (ISO/IEC 15444-1 Annex A).
	FormatJ2K = "j2k"
	// FormatJP2 is the JP2 file format wrapping a codestream in boxes
	// (ISO/IEC 15444-1 Annex I).
	FormatJP2 = "jp2"
)

// Magic numbers that identify the two formats.
const (
	// magicJ2K is the SOC marker FF4F followed by the SIZ marker FF51,
	// which must open every codestream (ISO/IEC 15444-1 A.4.1, A.5.1).
	magicJ2K = "\xff\x4f\xff\x51"
	// magicJP2 is the 12-byte JPEG 2000 Signature box: length 0000000C,
	// type 'jP  ', contents 0D0A870A (ISO/IEC 15444-1 I.5.1).
	magicJP2 = "\x00\x00\x00\x0cjP  \r\n\x87\n"
)

// Sentinel errors.
var (
	// ErrFormat means the bytes are neither a J2K codestream nor a JP2 file.
	ErrFormat = errors.New("jp2: not a JPEG 2000 codestream or JP2 file")
	// ErrTooLarge means the header announces an image beyond the Limits.
	ErrTooLarge = errors.New("jp2: image exceeds the decoding limits")
	// ErrUnsupported means a valid image this package cannot convert
	// (sub-sampled components, YCC or CMYK colour, odd precision).
	ErrUnsupported = errors.New("jp2: unsupported image layout")
	// ErrNoCgo means the package was built without cgo and cannot decode.
	ErrNoCgo = errors.New("jp2: built without cgo: JPEG 2000 decoding needs OpenJPEG")
)

// Format names the format of b by its magic number: FormatJ2K or
// FormatJP2, or an error wrapping ErrFormat.
func Format(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte(magicJ2K)):
		return FormatJ2K, nil
	case bytes.HasPrefix(b, []byte(magicJP2)):
		return FormatJP2, nil
	}
	n := min(len(b), 12)
	return "", fmt.Errorf("identifying image (starts % X): %w", b[:n], ErrFormat)
}
