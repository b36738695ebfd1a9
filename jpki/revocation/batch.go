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
// emit with each pair and its result, in input order (emit must copy the
// pair's slices to keep them; an error from emit stops the batch). It
// holds batchChunk pairs at a time, so memory does not grow with the
// input: their lookups are prefetched together, then answered (see
// prefetchAhead). A malformed input line is reported to emit as
// StatusUnknown with its error and counted; an I/O error ends the batch
// after the pairs before it are answered. The context is checked every
// batchCtxEvery pairs.
func (s *CRLSet) Batch(ctx context.Context, in iter.Seq2[Pair, error], t time.Time, emit func(Pair, Result) error) (BatchStats, error) {
	b := batchRun{set: s, t: t, emit: emit, groups: map[string]issuerGroup{},
		st: BatchStats{ByReason: map[Reason]int{}}}
	var stop error
	readFailed := false // stop is an I/O error reading a line
	read := 0
	for p, err := range in {
		if read%batchCtxEvery == 0 {
			if stop = ctx.Err(); stop != nil {
				break
			}
		}
		read++
		if err != nil && !errors.Is(err, ErrMalformed) {
			stop, readFailed = err, true
			break
		}
		b.hold(p, err)
		if b.n == len(b.chunk) {
			if stop = b.flush(); stop != nil {
				break
			}
		}
	}
	// The held pairs are answered whatever stopped the reading; an error
	// from emit while doing so is what stops the batch, as it would have
	// before the next line was read.
	if ferr := b.flush(); ferr != nil {
		stop, readFailed = ferr, false
	}
	if readFailed {
		b.st.Total++ // the line whose reading failed
	}
	if stop != nil {
		return b.st, fmt.Errorf("running batch status: %w", stop)
	}
	return b.st, nil
}

// batchChunk is how many pairs Batch holds and prefetches at once.
const batchChunk = prefetchAhead

// batchItem is one held pair, with copies of its slices (the input's are
// reused by the next pair).
type batchItem struct {
	p           Pair
	err         error
	key, serial []byte
	k           serialKey
	g           issuerGroup
}

// batchRun is one Batch call's state.
type batchRun struct {
	set    *CRLSet
	t      time.Time
	emit   func(Pair, Result) error
	groups map[string]issuerGroup
	chunk  [batchChunk]batchItem
	n      int
	st     BatchStats
}

// hold copies a pair into the chunk and starts its lookups' cache misses.
func (b *batchRun) hold(p Pair, err error) {
	it := &b.chunk[b.n]
	b.n++
	it.err = err
	it.key = append(it.key[:0], p.IssuerKeyID...)
	it.serial = append(it.serial[:0], p.Serial...)
	it.p = Pair{Line: p.Line, IssuerKeyID: it.key, Serial: it.serial}
	if p.IssuerKeyID == nil {
		it.p.IssuerKeyID = nil
	}
	if p.Serial == nil {
		it.p.Serial = nil
	}
	if err != nil {
		return
	}
	g, ok := b.groups[string(it.key)]
	if !ok {
		g = b.set.group(it.key)
		b.groups[string(it.key)] = g
	}
	it.g = g
	it.k = keyFromInteger(it.serial)
	for _, c := range g.parts {
		c.prefetchKey(&it.k)
	}
	for _, c := range g.whole {
		c.prefetchKey(&it.k)
	}
}

// flush answers the held pairs in order and empties the chunk.
func (b *batchRun) flush() error {
	n := b.n
	b.n = 0
	for i := range n {
		it := &b.chunk[i]
		var r Result
		if it.err != nil {
			r = unknown("batch", it.err)
		} else {
			r = b.set.answerGroup(it.g, it.key, it.k, b.t)
		}
		b.st.Total++
		switch r.Status {
		case StatusGood:
			b.st.Good++
		case StatusRevoked:
			b.st.Revoked++
			b.st.ByReason[r.Reason]++
		default:
			b.st.Unknown++
		}
		if b.emit != nil {
			if err := b.emit(it.p, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// batchCtxEvery is how often Batch checks its context.
const batchCtxEvery = 4096
