package revocation

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"
)

// Pair is one (issuer, serial) input of a batch status.
type Pair struct {
	// Line is the 1-based input line (0 when not from ReadPairs).
	Line int
	// IssuerKeyID is the issuer's subjectKeyId (the certificate's
	// authorityKeyIdentifier): it names one root generation, which a DN
	// cannot.
	IssuerKeyID []byte
	// Serial is the serial number as DER INTEGER content (two's
	// complement, minimal).
	Serial []byte
}

// maxBatchLine bounds one input line of ReadPairs.
const maxBatchLine = 4096

// batchComment starts a comment line in ReadPairs input.
const batchComment = '#'

// ReadPairs reads lines "<issuer key ID hex>,<serial hex>" (the serial as
// the positive number openssl prints, any leading zeros), skipping blank
// lines and lines starting with '#'. It streams: the slices of a yielded
// Pair are reused by the next one, so copy them to keep them. A malformed
// line is yielded with an error matching ErrMalformed and reading goes
// on; an I/O error ends the sequence.
func ReadPairs(r io.Reader) iter.Seq2[Pair, error] {
	return func(yield func(Pair, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, maxBatchLine), maxBatchLine)
		var keyBuf, serialBuf []byte
		line := 0
		for sc.Scan() {
			line++
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 || b[0] == batchComment {
				continue
			}
			issuerHex, serialHex, ok := bytes.Cut(b, []byte{','})
			if !ok {
				if !yield(Pair{Line: line}, fmt.Errorf("reading batch line %d: %w: want issuer,serial", line, ErrMalformed)) {
					return
				}
				continue
			}
			var err error
			keyBuf, err = decodeHex(keyBuf[:0], bytes.TrimSpace(issuerHex))
			if err == nil {
				serialBuf, err = decodeSerialHex(serialBuf[:0], bytes.TrimSpace(serialHex))
			}
			if err == nil && (len(keyBuf) == 0 || len(serialBuf) == 0) {
				err = fmt.Errorf("%w: empty issuer key ID or serial", ErrMalformed)
			}
			if err != nil {
				if !yield(Pair{Line: line}, fmt.Errorf("reading batch line %d: %w", line, err)) {
					return
				}
				continue
			}
			if !yield(Pair{Line: line, IssuerKeyID: keyBuf, Serial: serialBuf}, nil) {
				return
			}
		}
		if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
			// An over-long line is bad input, not an I/O failure.
			yield(Pair{Line: line + 1}, fmt.Errorf("reading batch line %d: %w: longer than %d bytes", line+1, ErrTooLarge, maxBatchLine))
		} else if err != nil {
			yield(Pair{Line: line + 1}, fmt.Errorf("reading batch: %w", err))
		}
	}
}

func decodeHex(dst, src []byte) ([]byte, error) {
	if len(src) == 0 || len(src)%2 != 0 {
		return nil, fmt.Errorf("%w: hex %q", ErrMalformed, src)
	}
	n := len(src) / 2
	dst = append(dst, make([]byte, n)...)
	if _, err := hex.Decode(dst[len(dst)-n:], src); err != nil {
		return nil, fmt.Errorf("%w: hex %q", ErrMalformed, src)
	}
	return dst, nil
}

// decodeSerialHex decodes a positive serial in hex (any length, leading
// zeros allowed) to minimal DER INTEGER content.
func decodeSerialHex(dst, src []byte) ([]byte, error) {
	for len(src) > 1 && src[0] == '0' {
		src = src[1:]
	}
	if len(src)%2 != 0 {
		dst = append(dst, 0) // room for the odd nibble
		v, ok := fromHexChar(src[0])
		if !ok {
			return nil, fmt.Errorf("%w: serial %q", ErrMalformed, src)
		}
		dst[len(dst)-1] = v
		src = src[1:]
	}
	if len(src) > 0 {
		var err error
		if dst, err = decodeHex(dst, src); err != nil {
			return nil, err
		}
	}
	if len(dst) > 0 && dst[0]&0x80 != 0 {
		dst = append(dst, 0)
		copy(dst[1:], dst)
		dst[0] = 0
	}
	for len(dst) > 1 && dst[0] == 0 && dst[1]&0x80 == 0 {
		dst = dst[1:]
	}
	return dst, nil
}

func fromHexChar(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// BatchStats counts the answers of a batch.
type BatchStats struct {
	// Total counts the pairs read (malformed lines included); Good,
	// Revoked and Unknown count the answers.
	Total, Good, Revoked, Unknown int
	// ByReason counts revoked answers per reason.
	ByReason map[Reason]int
}

// Batch answers every pair of in against the loaded CRLs at t, calling
// emit with each pair and its result (emit must copy the pair's slices to
// keep them; an error from emit stops the batch). It holds one pair at a
// time, so memory does not grow with the input. A malformed input line is
// reported to emit as StatusUnknown with its error and counted; an I/O
// error ends the batch. The context is checked every batchCtxEvery pairs.
func (s *CRLSet) Batch(ctx context.Context, in iter.Seq2[Pair, error], t time.Time, emit func(Pair, Result) error) (BatchStats, error) {
	st := BatchStats{ByReason: map[Reason]int{}}
	groups := map[string]issuerGroup{}
	var stop error
	for p, err := range in {
		if st.Total%batchCtxEvery == 0 {
			if stop = ctx.Err(); stop != nil {
				break
			}
		}
		st.Total++
		var r Result
		if err != nil && !errors.Is(err, ErrMalformed) {
			stop = err
			break
		}
		if err != nil {
			r = unknown("batch", err)
		} else {
			g, ok := groups[string(p.IssuerKeyID)]
			if !ok {
				g = s.group(p.IssuerKeyID)
				groups[string(p.IssuerKeyID)] = g
			}
			r = s.answerGroup(g, p.IssuerKeyID, keyFromInteger(p.Serial), t)
		}
		switch r.Status {
		case StatusGood:
			st.Good++
		case StatusRevoked:
			st.Revoked++
			st.ByReason[r.Reason]++
		default:
			st.Unknown++
		}
		if emit != nil {
			if stop = emit(p, r); stop != nil {
				break
			}
		}
	}
	if stop != nil {
		return st, fmt.Errorf("running batch status: %w", stop)
	}
	return st, nil
}

// batchCtxEvery is how often Batch checks its context.
const batchCtxEvery = 4096
