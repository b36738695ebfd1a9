package card

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// session is one transaction on the card: the protocol functions below
// run inside it, and the exported methods are thin wrappers that open one.
type session struct {
	c *conn
	t reader.Transport
	// secret masks response data in the trace (see traceHook).
	secret bool
	// raw is the transaction's own Transport (untraced), which may end
	// the transaction with a card reset (reader.RequestReset).
	raw reader.Transport
	// pinPresented is set once a VERIFY with data or a CHANGE REFERENCE
	// DATA was sent in this transaction: the card's security state must
	// be cleared before the transaction ends.
	pinPresented bool
}

// transact runs fn inside one card transaction, holding the conn's lock so
// that operations on one card from several goroutines are serialised. It
// gives up waiting for the lock when ctx ends. what names the operation
// for the error ("reading certificate"). A transaction that presented a
// PIN ends with the card's security state cleared (clearSecurity), whether
// fn succeeded or not, before the card is let go.
func (c *conn) transact(ctx context.Context, what string, fn func(ctx context.Context, s *session) error) error {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting for the card: %w", what, ctx.Err())
	}
	defer func() { <-c.sem }()
	err := c.card.Transaction(ctx, func(ctx context.Context, t reader.Transport) error {
		s := &session{c: c, raw: t}
		s.t = reader.Traced(t, c.traceHook(s))
		err := fn(ctx, s)
		// A card that left the reader holds no state: nothing to clear,
		// and no command to send after it.
		if s.pinPresented && !errors.Is(err, reader.ErrCardRemoved) {
			if cerr := s.clearSecurity(ctx); cerr != nil {
				if err == nil {
					err = cerr
				} else {
					// Both stand: the operation's own answer (a wrong
					// PIN and its tries left, say) and what became of
					// the card after it (removed, out of time).
					err = fmt.Errorf("%w; then %w", err, cerr)
				}
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// clearSelectAID is the application selected to clear the security state:
// JPKI, present on every card and phone token this package opens (the text
// and surface applications are not on a phone). Re-selecting it after a
// JPKI operation relies on re-selection dropping the PIN state; the reset
// on Close (reader/pcsc) does not.
var clearSelectAID = aidJPKI

// clearTimeout bounds the APDU that clears the security state when the
// operation's own context has little or no time left.
const clearTimeout = 2 * time.Second

// ErrSecurityNotCleared reports that a PIN was presented and the card's
// security state could be cleared neither by an application SELECT nor by
// a reset: another program could use the verified key until the card is
// removed or reset.
var ErrSecurityNotCleared = errors.New("the card's security state could not be cleared")

// clearSecurity drops the security state a VERIFY raised, with one APDU:
// SELECT of the JPKI application by name (clearSelectAID). The security
// status of a DF is lost when the DF is left (ISO/IEC 7816-4 §9.1), and
// selecting an application, even the one already selected, ends the
// previous one and drops every PIN (docs/card.md, "Applications"; the
// virtual card models it).
//
// If the card refuses that SELECT or answers it wrongly, the transaction
// is asked to end with a card reset instead (reader.RequestReset, which
// reader/pcsc and reader.Loopback support) and the operation stands. If
// the operation's context has ended, or ends during the SELECT, the reset
// is asked for and the context's error returned: the operation did not end
// in time. A card that left during the SELECT holds no state, but the
// operation's end was not seen: its removal is returned. A card that
// another program reset holds no state either.
func (s *session) clearSecurity(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		reader.RequestReset(s.raw)
		return fmt.Errorf("clearing the card's security state: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, clearTimeout)
	err := s.selectApp(cctx, clearSelectAID)
	cancel()
	switch {
	case err == nil, errors.Is(err, reader.ErrCardReset):
		return nil
	case errors.Is(err, reader.ErrCardRemoved):
		return fmt.Errorf("clearing the card's security state: %w", err)
	}
	reset := reader.RequestReset(s.raw)
	if ctx.Err() != nil {
		return fmt.Errorf("clearing the card's security state: %w", ctx.Err())
	}
	if reset {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrSecurityNotCleared, err)
}

// selectApp selects an application by name (ISO/IEC 7816-4 §11.2.2,
// P1 = 04, no FCI). Selecting an application is also how the card leaves
// another one: the MF is never selected.
func (s *session) selectApp(ctx context.Context, aid []byte) error {
	cmd := apdu.Command{CLA: claISO, INS: apdu.InsSelect, P1: p1SelectByName, P2: p2NoFCI, Data: aid}
	if _, err := reader.Do(ctx, s.t, cmd, false); err != nil {
		return fmt.Errorf("selecting application %X: %w", aid, err)
	}
	return nil
}

// selectEF selects an EF of the current application by file identifier
// (§11.2.2, P1 = 02 as the card wants it, no FCI).
func (s *session) selectEF(ctx context.Context, fid uint16) error {
	cmd := apdu.Command{CLA: claISO, INS: apdu.InsSelect, P1: p1SelectEF, P2: p2NoFCI, Data: []byte{byte(fid >> 8), byte(fid)}}
	if _, err := reader.Do(ctx, s.t, cmd, false); err != nil {
		return fmt.Errorf("selecting EF %04X: %w", fid, err)
	}
	return nil
}

// sizeFunc returns the number of bytes of an EF that matter, given the
// first bytes read from offset 0. It must not panic on any input.
type sizeFunc func(first []byte) (int, error)

// fixedSize is a sizeFunc for EFs whose useful length is known.
func fixedSize(n int) sizeFunc { return func([]byte) (int, error) { return n, nil } }

// derSize sizes an EF that holds one DER object (a certificate) from its
// header (X.690 §8.1.3). An EF still filled with FF or 00 holds nothing.
func derSize(first []byte) (int, error) {
	if len(first) > 0 && (first[0] == 0xFF || first[0] == 0x00) {
		return 0, ErrEmptyEF
	}
	return apdu.DERLength(first)
}

// tlvSize sizes an EF that holds one BER-TLV object (ISO/IEC 7816-4
// §5.2, tags of up to three bytes, lengths 81 LL / 82 HH LL / 83 …).
func tlvSize(first []byte) (int, error) {
	if len(first) > 0 && (first[0] == 0xFF && len(first) > 1 && first[1] == 0xFF || first[0] == 0x00) {
		return 0, ErrEmptyEF
	}
	hdr, length, err := berHeader(first)
	if err != nil {
		return 0, err
	}
	return hdr + length, nil
}

// berHeader parses a BER-TLV tag and length and returns the header size
// and the value length.
func berHeader(b []byte) (hdr, length int, err error) {
	i := 0
	if len(b) < 1 {
		return 0, 0, fmt.Errorf("%w: empty TLV header", apdu.ErrMalformedTLV)
	}
	if b[0]&0x1F == 0x1F {
		for i = 1; ; i++ {
			if i >= len(b) || i > 2 {
				return 0, 0, fmt.Errorf("%w: bad or truncated tag", apdu.ErrMalformedTLV)
			}
			if b[i]&0x80 == 0 {
				break
			}
		}
	}
	i++
	if i >= len(b) {
		return 0, 0, fmt.Errorf("%w: TLV header has no length", apdu.ErrMalformedTLV)
	}
	l0 := b[i]
	i++
	if l0 < 0x80 {
		return i, int(l0), nil
	}
	n := int(l0 & 0x7F)
	if n == 0 || n > 3 {
		return 0, 0, fmt.Errorf("%w: length form %02X", apdu.ErrMalformedTLV, l0)
	}
	if i+n > len(b) {
		return 0, 0, fmt.Errorf("%w: truncated length", apdu.ErrMalformedTLV)
	}
	for _, c := range b[i : i+n] {
		length = length<<8 | int(c)
	}
	return i + n, length, nil
}

// ErrEmptyEF reports an EF that holds no object (still filled with FF or
// 00 bytes), such as a certificate that was never written.
var ErrEmptyEF = errors.New("EF holds no data")

// ErrTruncated reports a card response shorter than what its own header
// announced.
var ErrTruncated = errors.New("card data truncated")

// readEF reads the current EF from offset 0 (READ BINARY, ISO/IEC 7816-4
// §11.3.3). The first READ fetches a whole chunk (256 bytes short, or all
// that is available with extended length); size tells from those bytes
// how long the content is; the rest follows in chunks starting where the
// bytes held end, so nothing is read twice, and the last chunk asks for
// exactly what remains. The result is exactly the size reported.
func (s *session) readEF(ctx context.Context, size sizeFunc) ([]byte, error) {
	ne := s.firstNe(size)
	first, err := s.readChunk(ctx, 0, ne)
	if err != nil && ne > headerProbeLen && pastEndRefusal(err) {
		// This card refuses a READ whose Le runs past the end of the EF
		// instead of answering 6282 with what there is: learn the size
		// from a header-sized READ, then read exactly the rest.
		first, err = s.readChunk(ctx, 0, headerProbeLen)
	}
	if err != nil {
		return nil, err
	}
	total, err := size(first)
	if err != nil {
		return nil, fmt.Errorf("reading EF length: %w", err)
	}
	if total <= 0 || total > maxOffset+1 {
		return nil, fmt.Errorf("reading EF: length %d outside 1..%d (15-bit offsets)", total, maxOffset+1)
	}
	if len(first) >= total {
		return first[:total:total], nil
	}
	buf := make([]byte, 0, total)
	buf = append(buf, first...)
	for len(buf) < total {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ne := min(total-len(buf), s.chunk())
		chunk, err := s.readChunk(ctx, len(buf), ne)
		if err != nil {
			return nil, err
		}
		if len(chunk) < ne {
			// Inside the length the header announced, the card owes Ne
			// bytes (ISO/IEC 7816-4 §11.3.3); fewer is a broken answer,
			// never data to splice in at this offset.
			return nil, fmt.Errorf("reading EF at offset %d: %w: %d of %d bytes asked", len(buf), ErrTruncated, len(chunk), ne)
		}
		buf = append(buf, chunk[:min(len(chunk), ne)]...)
	}
	return buf, nil
}

// headerProbeLen is enough bytes for any header the size functions read:
// a three-byte tag and a four-byte length field (ISO/IEC 7816-4 §5.2.2),
// or a DER tag and a 84-form length.
const headerProbeLen = 8

// pastEndRefusal reports whether err is how a card may refuse a READ
// BINARY whose Le runs past the end of the EF instead of answering with
// the bytes there are: 6B00 or 6700 (docs/card.md, "READ BINARY"). 6Cxx is
// resent by reader.Exchange, and 9000 and 6282 carry the data.
func pastEndRefusal(err error) bool {
	return apdu.IsStatus(err, apdu.SWWrongParametersP1P2) || apdu.IsStatus(err, apdu.SWWrongLength)
}

// firstNe is the Ne of the first READ: a whole chunk, unless the content
// is known to be shorter.
func (s *session) firstNe(size sizeFunc) int {
	n := s.chunk()
	if known, err := size(nil); err == nil && known > 0 && known < n {
		return known
	}
	return n
}

// chunk is the largest Ne the next READ may ask for.
func (s *session) chunk() int {
	if s.c.useExtended() {
		return extendedChunk
	}
	return shortChunk
}

// readChunk sends one READ BINARY at offset for up to ne bytes. 9000 and
// the end-of-file warning 6282 (§5.6, table 5: fewer bytes than Ne) both
// return the data. An extended READ refused in ExtendedAuto mode is
// retried once as a short one, and extended length is not tried again.
func (s *session) readChunk(ctx context.Context, offset, ne int) ([]byte, error) {
	if offset < 0 || offset > maxOffset {
		return nil, fmt.Errorf("reading EF at offset %d: beyond the 15-bit offset limit %d", offset, maxOffset)
	}
	cmd := apdu.Command{CLA: claISO, INS: apdu.InsReadBinary, P1: byte(offset >> 8), P2: byte(offset), Ne: ne}
	extended := ne > shortChunk
	resp, err := reader.Exchange(ctx, s.t, cmd, extended)
	if err == nil && resp.SW != apdu.SWOK && resp.SW != apdu.SWEndOfFileWarning {
		err = resp.Err()
	}
	if err != nil && extended && s.c.opts.Extended == ExtendedAuto && extendedRefusal(ctx, err) {
		s.c.extendedRefused = true
		cmd.Ne = shortChunk
		resp, err = reader.Exchange(ctx, s.t, cmd, false)
		if err == nil && resp.SW != apdu.SWOK && resp.SW != apdu.SWEndOfFileWarning {
			err = resp.Err()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading EF at offset %d: %w", offset, err)
	}
	return resp.Data, nil
}

// extendedRefusal reports whether err from an extended READ means "this
// path does not do extended length" rather than a card that is gone or a
// file that cannot be read.
func extendedRefusal(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var se *apdu.StatusError
	if errors.As(err, &se) {
		return errors.Is(se, apdu.ErrWrongLength) || errors.Is(se, apdu.ErrInsNotSupported) ||
			errors.Is(se, apdu.ErrClassNotSupported) || se.SW == apdu.SWNoPreciseDiagnosis
	}
	for _, fatal := range []error{reader.ErrCardRemoved, reader.ErrCardReset, reader.ErrReaderUnavailable,
		reader.ErrNoCard, reader.ErrNoService, reader.ErrSharingViolation, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, fatal) {
			return false
		}
	}
	return true // a transport error: the reader may have choked on the long APDU
}
