package card

import (
	"context"
	"fmt"
)

// EF 0008 layout. PROTOCOL.md says only "which certificates are present";
// this is the layout card/virtual writes (virtual.PresenceLayout), an
// assumption until checked against a real card: one byte per certificate
// EF in the order 0001, 0002, 000A, 000B, 01 present and 00 absent.
const (
	presenceLen     = 4
	presenceAbsent  = 0x00
	presencePresent = 0x01
)

// presenceOrder is the certificate of each EF 0008 byte.
var presenceOrder = [presenceLen]CertFile{SignCert, SignCACert, AuthCert, AuthCACert}

// Presence says which certificates the JPKI application holds (EF 0008).
type Presence struct {
	SignCert, SignCACert, AuthCert, AuthCACert bool
}

// Has reports whether f is present.
func (p Presence) Has(f CertFile) bool {
	switch f {
	case SignCert:
		return p.SignCert
	case SignCACert:
		return p.SignCACert
	case AuthCert:
		return p.AuthCert
	case AuthCACert:
		return p.AuthCACert
	}
	return false
}

func (p *Presence) set(f CertFile, v bool) {
	switch f {
	case SignCert:
		p.SignCert = v
	case SignCACert:
		p.SignCACert = v
	case AuthCert:
		p.AuthCert = v
	case AuthCACert:
		p.AuthCACert = v
	}
}

// ParsePresence parses EF 0008 (see the layout note above). Bytes after
// the fourth are ignored; a byte other than 00 or 01 is an error.
func ParsePresence(b []byte) (Presence, error) {
	var p Presence
	if len(b) < presenceLen {
		return p, fmt.Errorf("parsing certificate presence: %w: %d bytes, want %d", ErrMalformedRecord, len(b), presenceLen)
	}
	for i, f := range presenceOrder {
		switch b[i] {
		case presencePresent:
			p.set(f, true)
		case presenceAbsent:
		default:
			return Presence{}, fmt.Errorf("parsing certificate presence: %w: byte %d is %02X", ErrMalformedRecord, i, b[i])
		}
	}
	return p, nil
}

// Present reads EF 0008 and says which certificates the card holds.
func (j *JPKI) Present(ctx context.Context) (Presence, error) {
	var p Presence
	err := j.c.transact(ctx, "reading certificate presence", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.selectEF(ctx, efPresence); err != nil {
			return err
		}
		b, err := s.readEF(ctx, fixedSize(presenceLen))
		if err != nil {
			return err
		}
		p, err = ParsePresence(b)
		return err
	})
	return p, err
}
