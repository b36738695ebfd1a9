package apdu

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// TLV is one BER-TLV data object (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1).
// Tag holds the tag bytes big-endian (FF20 for the two-byte tag FF 20), so
// tags compare the way the card documentation writes them.
type TLV struct {
	Tag   uint32
	Value []byte
}

// Constructed reports whether the tag's first byte has bit 6 set
// (ISO/IEC 8825-1 §8.1.2.5).
func (t TLV) Constructed() bool {
	first := t.Tag
	for first > 0xFF {
		first >>= 8
	}
	return first&0x20 != 0
}

// ErrMalformedTLV reports BER-TLV bytes that cannot be parsed.
var ErrMalformedTLV = errors.New("apdu: malformed BER-TLV")

// maxTagBytes bounds multi-byte tags; ISO/IEC 7816-4 §5.2.2.1 uses at most
// three bytes.
const maxTagBytes = 3

// ReadTLV reads one data object from the front of b and returns it and the
// remaining bytes. Values alias b. Length fields of one to four bytes after
// 81..84 are accepted (§5.2.2.2); the indefinite form 80 is refused because
// the card never uses it.
func ReadTLV(b []byte) (TLV, []byte, error) {
	s := cryptobyte.String(b)
	var first uint8
	if !s.ReadUint8(&first) {
		return TLV{}, nil, fmt.Errorf("%w: empty input", ErrMalformedTLV)
	}
	tag := uint32(first)
	if first&0x1F == 0x1F {
		for i := 0; ; i++ {
			var nb uint8
			if !s.ReadUint8(&nb) {
				return TLV{}, nil, fmt.Errorf("%w: truncated tag %X", ErrMalformedTLV, tag)
			}
			tag = tag<<8 | uint32(nb)
			if nb&0x80 == 0 {
				break
			}
			if i+2 >= maxTagBytes {
				return TLV{}, nil, fmt.Errorf("%w: tag longer than %d bytes", ErrMalformedTLV, maxTagBytes)
			}
		}
	}
	var l0 uint8
	if !s.ReadUint8(&l0) {
		return TLV{}, nil, fmt.Errorf("%w: tag %X has no length", ErrMalformedTLV, tag)
	}
	length := uint64(l0)
	if l0 >= 0x80 {
		n := int(l0 & 0x7F)
		if n == 0 || n > 4 {
			return TLV{}, nil, fmt.Errorf("%w: tag %X has length form %02X", ErrMalformedTLV, tag, l0)
		}
		length = 0
		for i := 0; i < n; i++ {
			var lb uint8
			if !s.ReadUint8(&lb) {
				return TLV{}, nil, fmt.Errorf("%w: tag %X has a truncated length", ErrMalformedTLV, tag)
			}
			length = length<<8 | uint64(lb)
		}
	}
	if length > uint64(len(s)) {
		return TLV{}, nil, fmt.Errorf("%w: tag %X says %d bytes, %d remain", ErrMalformedTLV, tag, length, len(s))
	}
	var v []byte
	if !s.ReadBytes(&v, int(length)) {
		return TLV{}, nil, fmt.Errorf("%w: tag %X truncated", ErrMalformedTLV, tag)
	}
	return TLV{Tag: tag, Value: v}, []byte(s), nil
}

// ParseTLVs reads consecutive data objects until b is exhausted. Trailing
// padding of 00 or FF bytes (ISO/IEC 7816-4 §5.2.2.1; the card fills EFs
// with FF) ends the list without error.
func ParseTLVs(b []byte) ([]TLV, error) {
	var out []TLV
	for len(b) > 0 && !isPadding(b) {
		t, rest, err := ReadTLV(b)
		if err != nil {
			return out, err
		}
		out = append(out, t)
		b = rest
	}
	return out, nil
}

func isPadding(b []byte) bool {
	for _, c := range b {
		if c != 0x00 && c != 0xFF {
			return false
		}
	}
	return true
}

// Find returns the value of the first object with tag in tlvs.
func Find(tlvs []TLV, tag uint32) ([]byte, bool) {
	for _, t := range tlvs {
		if t.Tag == tag {
			return t.Value, true
		}
	}
	return nil, false
}

// AppendTLV appends the encoding of tag and value to dst, with the
// shortest definite length form.
func AppendTLV(dst []byte, tag uint32, value []byte) []byte {
	switch {
	case tag > 0xFFFF:
		dst = append(dst, byte(tag>>16), byte(tag>>8), byte(tag))
	case tag > 0xFF:
		dst = append(dst, byte(tag>>8), byte(tag))
	default:
		dst = append(dst, byte(tag))
	}
	n := len(value)
	switch {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n <= 0xFF:
		dst = append(dst, 0x81, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	case n <= 0xFFFFFF:
		dst = append(dst, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default: // ReadTLV accepts up to four length bytes (§5.2.2.2)
		dst = append(dst, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, value...)
}

// DERLength returns the total length (header and content) of the DER
// object that begins hdr, which must hold at least its tag and length
// bytes; for a certificate 7 bytes always suffice. It is how the size of a
// certificate EF is learnt before reading it (X.690 §8.1.3).
func DERLength(hdr []byte) (int, error) {
	s := cryptobyte.String(hdr)
	var tag, l0 uint8
	if !s.ReadUint8(&tag) || !s.ReadUint8(&l0) {
		return 0, fmt.Errorf("%w: DER header too short", ErrMalformedTLV)
	}
	if tag&0x1F == 0x1F {
		return 0, fmt.Errorf("%w: DER header with multi-byte tag", ErrMalformedTLV)
	}
	if l0 < 0x80 {
		return 2 + int(l0), nil
	}
	n := int(l0 & 0x7F)
	if n == 0 || n > 3 {
		return 0, fmt.Errorf("%w: DER length form %02X", ErrMalformedTLV, l0)
	}
	length := 0
	for i := 0; i < n; i++ {
		var b uint8
		if !s.ReadUint8(&b) {
			return 0, fmt.Errorf("%w: DER header truncated", ErrMalformedTLV)
		}
		length = length<<8 | int(b)
	}
	return 2 + n + length, nil
}
