package card

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/apdu"
)

// EF 0008 (docs/card.md, "EF 0008") is advisory: three bytes, the signing
// certificate's, the authentication certificate's and one of unknown
// meaning, 8F 8F 00 on a card holding both [one card]. What a card without
// a certificate writes has never been seen, so only presenceHeld is
// believed; every other byte sends the library to the certificate EF
// itself. Nothing about this file ever fails a command.
const (
	// presenceLen is the size of EF 0008 [one card].
	presenceLen = 3
	// presenceHeld is the byte of a certificate the card holds [one card].
	presenceHeld byte = 0x8F
	// legacyPresenceLen, legacyAbsent and legacyPresent describe a
	// four-byte form, one byte per certificate EF 0001, 0002, 000A, 000B,
	// 00 absent and 01 present, that no card is known to write but that
	// earlier virtual cards did: it is still understood.
	legacyPresenceLen      = 4
	legacyAbsent      byte = 0x00
	legacyPresent     byte = 0x01
)

// legacyOrder is the certificate of each byte of the four-byte form.
var legacyOrder = [legacyPresenceLen]certFile{signCert, signCACert, authCert, authCACert}

// Presence says which certificates the JPKI application holds.
type Presence struct {
	SignCert, SignCACert, AuthCert, AuthCACert bool
	// Odd says, in English for logs and --json, what was unexpected about
	// EF 0008 and so was asked of the certificate EFs directly; empty when
	// EF 0008 was in a known form. A clerk needs no action for it.
	Odd string
}

// has reports whether f is present.
func (p Presence) has(f certFile) bool {
	switch f {
	case signCert:
		return p.SignCert
	case signCACert:
		return p.SignCACert
	case authCert:
		return p.AuthCert
	case authCACert:
		return p.AuthCACert
	}
	return false
}

func (p *Presence) set(f certFile, v bool) {
	switch f {
	case signCert:
		p.SignCert = v
	case signCACert:
		p.SignCACert = v
	case authCert:
		p.AuthCert = v
	case authCACert:
		p.AuthCACert = v
	}
}

// parsePresence reads EF 0008 tolerantly and never fails. It returns what
// the bytes settle and the certificates they leave open, which a caller
// asks the card about directly (as JPKI.Present does), and a note on
// what was odd ("" for a known form):
//
//   - three bytes (or more, not the four-byte form): a byte 8F settles its
//     certificate as present; any other byte leaves it open, since the
//     value for an absent certificate has not been seen. The form says
//     nothing of the CA certificates: they are always open.
//   - the four-byte 00/01 form settles all four certificates.
//   - anything else leaves all four open.
func parsePresence(b []byte) (p Presence, open []certFile, odd string) {
	if len(b) == legacyPresenceLen && isLegacyPresence(b) {
		for i, f := range legacyOrder {
			p.set(f, b[i] == legacyPresent)
		}
		return p, nil, ""
	}
	if len(b) < presenceLen-1 {
		return p, []certFile{signCert, signCACert, authCert, authCACert}, fmt.Sprintf("EF 0008 is %d bytes (% X), not a known form", len(b), b)
	}
	var notes []string
	for i, f := range []certFile{signCert, authCert} {
		if b[i] == presenceHeld {
			p.set(f, true)
			continue
		}
		open = append(open, f)
		notes = append(notes, fmt.Sprintf("byte %d is %02X, not %02X", i, b[i], presenceHeld))
	}
	open = append(open, signCACert, authCACert)
	if len(b) != presenceLen {
		notes = append(notes, fmt.Sprintf("%d bytes, not %d", len(b), presenceLen))
	}
	if len(notes) > 0 {
		odd = "EF 0008 " + strings.Join(notes, ", ")
	}
	return p, open, odd
}

func isLegacyPresence(b []byte) bool {
	for _, c := range b {
		if c != legacyAbsent && c != legacyPresent {
			return false
		}
	}
	return true
}

// Present says which certificates the card holds. It reads EF 0008
// (readPresence) and asks each certificate EF that file leaves
// open: SELECT, then a READ BINARY of the DER header (the signing
// certificate, readable only after its PIN, counts as present when the
// card answers 6982 to it). An odd EF 0008 is reported in Presence.Odd,
// never as an error: Present fails only when the card cannot be talked to.
func (j *JPKI) Present(ctx context.Context) (Presence, error) {
	var p Presence
	err := j.c.transact(ctx, "reading certificate presence", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		var (
			open []certFile
			odd  []string
		)
		b, err := s.readPresence(ctx)
		switch {
		case isTalkError(err):
			return err
		case err != nil:
			open = []certFile{signCert, signCACert, authCert, authCACert}
			odd = append(odd, "EF 0008 unreadable: "+err.Error())
		default:
			var note string
			p, open, note = parsePresence(b)
			if note != "" {
				odd = append(odd, note)
			}
		}
		for _, f := range open {
			held, note, err := s.probeCert(ctx, f)
			if err != nil {
				return err
			}
			p.set(f, held)
			if note != "" {
				odd = append(odd, note)
			}
		}
		p.Odd = strings.Join(odd, "; ")
		return nil
	})
	return p, err
}

// readPresence reads EF 0008: up to the four bytes of the longest known
// form, or, from a card that refuses a READ running past the end of the
// file, the presenceLen bytes of the form seen on a card.
func (s *session) readPresence(ctx context.Context) ([]byte, error) {
	if err := s.selectEF(ctx, efPresence); err != nil {
		return nil, err
	}
	b, err := s.readChunk(ctx, 0, legacyPresenceLen)
	if err != nil && pastEndRefusal(err) {
		b, err = s.readChunk(ctx, 0, presenceLen)
	}
	return b, err
}

// probeCert asks the card whether certificate f is there: SELECT, then a
// READ of the first headerProbeLen bytes, which must start a DER object.
// It returns a note when the answer was not a plain yes or no, and an
// error only when the card cannot be talked to.
func (s *session) probeCert(ctx context.Context, f certFile) (held bool, note string, err error) {
	ef, _ := f.ef()
	if err := s.selectEF(ctx, ef); err != nil {
		if isTalkError(err) {
			return false, "", err
		}
		return false, "", nil // 6A82 and the like: no such EF
	}
	first, err := s.readChunk(ctx, 0, headerProbeLen)
	switch {
	case isTalkError(err):
		return false, "", err
	case errors.Is(err, apdu.ErrSecurityStatus) && f == signCert:
		return true, "", nil // there, guarded by the signing password
	case err != nil:
		return false, fmt.Sprintf("EF %04X (%s) unreadable: %v", ef, f, err), nil
	}
	if _, err := derSize(first); err != nil {
		if errors.Is(err, ErrEmptyEF) {
			return false, "", nil
		}
		return false, fmt.Sprintf("EF %04X (%s) does not start a DER object", ef, f), nil
	}
	return true, "", nil
}

// isTalkError reports whether err means the card could not be talked to
// (removed, reset, reader gone, context over) rather than a status word or
// malformed data, which an advisory read tolerates.
func isTalkError(err error) bool {
	if err == nil {
		return false
	}
	var se *apdu.StatusError
	if errors.As(err, &se) || errors.Is(err, apdu.ErrMalformedResponse) {
		return false
	}
	for _, soft := range []error{ErrMalformedRecord, ErrEmptyEF, ErrTruncated, apdu.ErrMalformedTLV} {
		if errors.Is(err, soft) {
			return false
		}
	}
	return true // every other error is the transport's
}
