package revocation

import (
	"errors"
	"fmt"
	"io"
)

// streamBufferSize is the read buffer of the streaming parser. Every
// single TLV that is read whole (a CRL entry, the CRL header fields, the
// extensions) must fit in it.
const streamBufferSize = 256 << 10

// DER identifier octets used by the stream reader (X.690 §8.1.2).
const (
	tagHighNumberForm = 0x1F // low five bits all set: a multi-byte tag
	lengthLongForm    = 0x80 // bit 8 of the first length octet
	maxLengthOctets   = 4    // lengths up to 4 GiB
)

// streamer reads DER from an io.Reader through one fixed buffer, and
// optionally hashes every byte consumed between startHash and stopHash,
// in large writes. While hashing has started but the hash is not chosen
// yet, consumed bytes stay in the buffer so they can be hashed later.
type streamer struct {
	src        io.Reader
	buf        []byte
	start, end int   // buf[start:end] is read but not consumed
	consumed   int64 // bytes consumed so far
	limit      int64 // maximum bytes to consume (0: none)
	eof        bool

	hashing  bool
	h        digester // nil while the hash is not chosen yet
	hashFrom int      // buf[hashFrom:start] is consumed but not hashed
}

func newStreamer(src io.Reader, limit int64) *streamer {
	return &streamer{src: src, buf: make([]byte, streamBufferSize), limit: limit}
}

// errTruncated is wrapped when the input ends inside a TLV.
var errTruncated = fmt.Errorf("%w: truncated", ErrMalformed)

// fill makes at least n bytes available at buf[start:], or fails.
func (s *streamer) fill(n int) error {
	if s.end-s.start >= n {
		return nil
	}
	keep := s.start
	if s.hashing {
		if s.h != nil {
			s.h.Write(s.buf[s.hashFrom:s.start])
			s.hashFrom = s.start
		}
		keep = s.hashFrom
	}
	if keep > 0 {
		copy(s.buf, s.buf[keep:s.end])
		s.end -= keep
		s.start -= keep
		s.hashFrom -= keep
		if s.hashFrom < 0 {
			s.hashFrom = 0
		}
	}
	if n > len(s.buf)-s.start {
		return fmt.Errorf("%w: a single element of %d bytes exceeds the %d-byte parse buffer", ErrTooLarge, n, len(s.buf))
	}
	for s.end-s.start < n {
		if s.eof {
			return errTruncated
		}
		m, err := s.src.Read(s.buf[s.end:])
		s.end += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return fmt.Errorf("reading CRL: %w", err)
		}
	}
	return nil
}

// peek returns the next n bytes without consuming them; the slice is valid
// until the next call.
func (s *streamer) peek(n int) ([]byte, error) {
	if err := s.fill(n); err != nil {
		return nil, err
	}
	return s.buf[s.start : s.start+n], nil
}

// skip consumes n bytes that peek made available.
func (s *streamer) skip(n int) error {
	s.start += n
	s.consumed += int64(n)
	if s.limit > 0 && s.consumed > s.limit {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, s.limit)
	}
	return nil
}

// atEOF reports whether the input has no more bytes.
func (s *streamer) atEOF() (bool, error) {
	err := s.fill(1)
	if errors.Is(err, errTruncated) {
		return true, nil
	}
	return false, err
}

// digester is what the streamer needs of a hash.
type digester interface {
	io.Writer
	Sum([]byte) []byte
}

// startHash starts recording consumed bytes for the hash.
func (s *streamer) startHash() { s.hashing, s.h, s.hashFrom = true, nil, s.start }

// setHash chooses the hash; bytes consumed since startHash are hashed.
func (s *streamer) setHash(h digester) { s.h = h }

// stopHash hashes the remaining consumed bytes and returns the digest.
func (s *streamer) stopHash() []byte {
	s.h.Write(s.buf[s.hashFrom:s.start])
	s.hashing = false
	return s.h.Sum(nil)
}

// header is a DER identifier and length.
type header struct {
	tag    byte
	length int // content length
	size   int // header size in bytes
}

// readHeader parses the identifier and length octets at the current
// position (X.690 §8.1.2, §8.1.3, DER §10.1) without consuming them.
func (s *streamer) readHeader() (header, error) {
	b, err := s.peek(2)
	if err != nil {
		return header{}, err
	}
	h := header{tag: b[0], size: 2}
	if h.tag&tagHighNumberForm == tagHighNumberForm {
		return header{}, fmt.Errorf("%w: multi-byte tag", ErrMalformed)
	}
	l := b[1]
	if l < lengthLongForm {
		h.length = int(l)
		return h, nil
	}
	n := int(l &^ lengthLongForm)
	if n == 0 || n > maxLengthOctets {
		return header{}, fmt.Errorf("%w: indefinite or oversized length", ErrMalformed)
	}
	if b, err = s.peek(2 + n); err != nil {
		return header{}, err
	}
	var v uint64
	for _, c := range b[2 : 2+n] {
		v = v<<8 | uint64(c)
	}
	if b[2] == 0 || v < lengthLongForm {
		return header{}, fmt.Errorf("%w: non-minimal length", ErrMalformed)
	}
	if v > 1<<31-1 {
		return header{}, fmt.Errorf("%w: length %d", ErrTooLarge, v)
	}
	h.length, h.size = int(v), 2+n
	return h, nil
}

// expectHeader reads a header of the given tag and consumes it.
func (s *streamer) expectHeader(tag byte, what string) (header, error) {
	h, err := s.readHeader()
	if err != nil {
		return header{}, fmt.Errorf("reading %s: %w", what, err)
	}
	if h.tag != tag {
		return header{}, fmt.Errorf("reading %s: %w: tag %#x, want %#x", what, ErrMalformed, h.tag, tag)
	}
	return h, s.skip(h.size)
}

// readTLV returns the whole next TLV (header and content) and consumes
// it; the slice is valid until the next call.
func (s *streamer) readTLV() (header, []byte, error) {
	h, err := s.readHeader()
	if err != nil {
		return header{}, nil, err
	}
	b, err := s.peek(h.size + h.length)
	if err != nil {
		return header{}, nil, err
	}
	return h, b, s.skip(len(b))
}
