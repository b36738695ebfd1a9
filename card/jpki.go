package card

import (
	"context"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
)

// JPKI is the JPKI application (公的個人認証AP) of one card. Its methods are
// safe for concurrent use: calls on one JPKI (and on the TextApp and
// SurfaceApp it hands out) are serialised, each running inside its own
// card transaction.
type JPKI struct {
	c     *conn
	typ   CardType
	label string
}

// OpenJPKI detects the card (see Detect) and returns its JPKI application.
// It fails with an error wrapping ErrNotMyNumberCard for an unrelated card
// or a rejected token type. Nothing is cached but the card type: every
// method talks to the card.
func OpenJPKI(ctx context.Context, c reader.Card, opts Options) (*JPKI, error) {
	j := &JPKI{c: newConn(c, opts)}
	err := j.c.transact(ctx, "opening JPKI application", func(ctx context.Context, s *session) error {
		var err error
		j.typ, j.label, err = s.detect(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Type returns the card type found when the JPKI application was opened.
func (j *JPKI) Type() CardType { return j.typ }

// Text returns the card's text (input support) application, sharing this
// JPKI's lock and options. A phone token has none: its methods then fail
// with apdu.ErrFileNotFound.
func (j *JPKI) Text() *TextApp { return &TextApp{c: j.c} }

// Surface returns the card's surface application, sharing this JPKI's lock
// and options.
func (j *JPKI) Surface() *SurfaceApp { return &SurfaceApp{c: j.c} }

// Token reads the token label again from EF 0006 (trailing blanks
// trimmed).
func (j *JPKI) Token(ctx context.Context) (string, error) {
	var label string
	err := j.c.transact(ctx, "reading JPKI token", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		b, err := s.readToken(ctx)
		_, label = ParseTokenLabel(b)
		return err
	})
	if err != nil {
		return "", err
	}
	return label, nil
}

// CertFile names one of the four certificate EFs of the JPKI application.
type CertFile int

// The certificate files.
const (
	// AuthCert is EF 000A, the user-authentication certificate
	// (利用者証明用電子証明書). Free to read on the card.
	AuthCert CertFile = iota + 1
	// AuthCACert is EF 000B, the user-authentication CA certificate.
	AuthCACert
	// SignCert is EF 0001, the signing certificate (署名用電子証明書). It
	// holds personal data and is readable only after the signing password:
	// use ReadSignCertificate.
	SignCert
	// SignCACert is EF 0002, the signing CA certificate.
	SignCACert
)

// String names the certificate.
func (f CertFile) String() string {
	switch f {
	case AuthCert:
		return "authentication certificate"
	case AuthCACert:
		return "authentication CA certificate"
	case SignCert:
		return "signing certificate"
	case SignCACert:
		return "signing CA certificate"
	}
	return fmt.Sprintf("CertFile(%d)", int(f))
}

func (f CertFile) ef() (uint16, bool) {
	switch f {
	case AuthCert:
		return efAuthCert, true
	case AuthCACert:
		return efAuthCACert, true
	case SignCert:
		return efSignCert, true
	case SignCACert:
		return efSignCACert, true
	}
	return 0, false
}

// ReadCertificate reads one certificate as DER. Its length comes from the
// DER header in the first chunk; the rest follows in 256-byte READ BINARY
// chunks, or in one extended READ where Options and the reader allow.
// SignCert fails with an error wrapping apdu.ErrSecurityStatus unless the
// signing password was verified in this transaction, which it never is
// here: use ReadSignCertificate. The bytes are not parsed beyond the DER
// header.
func (j *JPKI) ReadCertificate(ctx context.Context, f CertFile) ([]byte, error) {
	var der []byte
	err := j.c.transact(ctx, "reading "+f.String(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		var err error
		der, err = s.readCert(ctx, f)
		return err
	})
	return der, err
}

// ReadSignCertificate verifies the signing password (asked through prompt,
// with every PIN rule applied) and reads the signing certificate (EF 0001)
// in the same transaction.
func (j *JPKI) ReadSignCertificate(ctx context.Context, prompt PINPrompt) ([]byte, error) {
	return j.ReadCertificateWithPIN(ctx, SignCert, prompt)
}

// ReadCertificateWithPIN verifies the PIN that guards f and reads f in the
// same transaction: the signing password for SignCert, the
// authentication PIN for AuthCert (free on the card, but a phone token
// wants it). The CA certificates need no PIN: prompt is then not called.
func (j *JPKI) ReadCertificateWithPIN(ctx context.Context, f CertFile, prompt PINPrompt) ([]byte, error) {
	var der []byte
	err := j.c.transact(ctx, "reading "+f.String(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		switch f {
		case SignCert:
			if err := s.verify(ctx, SignPIN, prompt); err != nil {
				return err
			}
		case AuthCert:
			if err := s.verify(ctx, AuthPIN, prompt); err != nil {
				return err
			}
		}
		var err error
		der, err = s.readCert(ctx, f)
		return err
	})
	return der, err
}

// readCert reads a certificate EF in the selected JPKI application.
func (s *session) readCert(ctx context.Context, f CertFile) ([]byte, error) {
	ef, ok := f.ef()
	if !ok {
		return nil, fmt.Errorf("unknown certificate file %d", int(f))
	}
	if err := s.selectEF(ctx, ef); err != nil {
		return nil, err
	}
	der, err := s.readEF(ctx, derSize)
	if f == SignCert && errors.Is(err, apdu.ErrSecurityStatus) {
		return nil, fmt.Errorf("the signing certificate is readable only after the signing password is verified (use ReadSignCertificate): %w", err)
	}
	return der, err
}

// PINStatus returns how many tries remain for k, with an empty VERIFY that
// spends none. RemainingUnknown means the card did not give a count (it
// answered 9000, "already verified", or 6300); a blocked PIN gives an
// error wrapping ErrPINBlocked.
func (j *JPKI) PINStatus(ctx context.Context, k PINKind) (int, error) {
	return pinStatus(ctx, j.c, k)
}

func pinStatus(ctx context.Context, c *conn, k PINKind) (int, error) {
	ref, ok := k.ref()
	if !ok {
		return 0, fmt.Errorf("reading PIN status: unknown PIN kind %d", int(k))
	}
	var n int
	err := c.transact(ctx, "reading PIN status", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, ref.aid); err != nil {
			return err
		}
		var err error
		n, err = s.triesLeft(ctx, k)
		return err
	})
	return n, err
}

// ChangePIN changes k: it asks oldPrompt for the current PIN and newPrompt
// for the new one, checks both formats locally, then, in one transaction,
// reads the tries, VERIFYs the old PIN (never on the last try unless
// Options.AllowLastTry) and sends CHANGE REFERENCE DATA (ISO/IEC 7816-4
// §11.5.7) with the new one. Both prompts are told the old PIN's
// remaining tries; the new PIN's format is checked before the old PIN is
// sent. Both PINs are wiped. Only the user PINs (AuthPIN, SignPIN,
// TextPIN) can be changed; the 照合番号A/B derive from the card face.
func (j *JPKI) ChangePIN(ctx context.Context, k PINKind, oldPrompt, newPrompt PINPrompt) error {
	return changePIN(ctx, j.c, k, oldPrompt, newPrompt)
}

func changePIN(ctx context.Context, c *conn, k PINKind, oldPrompt, newPrompt PINPrompt) error {
	if k != AuthPIN && k != SignPIN && k != TextPIN {
		return fmt.Errorf("changing PIN: the %s cannot be changed", k)
	}
	if oldPrompt == nil || newPrompt == nil {
		return fmt.Errorf("changing the %s: a PIN prompt is missing", k)
	}
	ref, _ := k.ref()
	return c.transact(ctx, "changing "+k.String(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, ref.aid); err != nil {
			return err
		}
		var newPIN []byte
		defer func() { wipe(newPIN) }()
		askNew := func(ctx context.Context, k PINKind, remaining int) ([]byte, error) {
			// Ask for the old PIN, then the new one, and check the new
			// one's format before the old one is presented.
			old, err := oldPrompt(ctx, k, remaining)
			if err != nil {
				wipe(old)
				return nil, err
			}
			raw, err := newPrompt(ctx, k, remaining)
			defer wipe(raw)
			if err != nil {
				wipe(old)
				return nil, fmt.Errorf("asking for the new %s: %w", k, err)
			}
			if newPIN, err = ValidatePIN(k, raw); err != nil {
				wipe(old)
				return nil, fmt.Errorf("new %s: %w", k, err)
			}
			return old, nil
		}
		if err := s.verify(ctx, k, askNew); err != nil {
			return err
		}
		return s.sendChange(ctx, k, newPIN)
	})
}

// KeyKind names one of the two private keys of the JPKI application.
type KeyKind int

// The JPKI keys.
const (
	// AuthKey is EF 0017, the user-authentication key, used after AuthPIN.
	AuthKey KeyKind = iota + 1
	// SignKey is EF 001A, the signing key, used after SignPIN.
	SignKey
)

// String names the key.
func (k KeyKind) String() string {
	switch k {
	case AuthKey:
		return "authentication key"
	case SignKey:
		return "signing key"
	}
	return fmt.Sprintf("KeyKind(%d)", int(k))
}

// PIN returns the PIN that unlocks the key.
func (k KeyKind) PIN() PINKind {
	if k == SignKey {
		return SignPIN
	}
	return AuthPIN
}

func (k KeyKind) ef() (uint16, bool) {
	switch k {
	case AuthKey:
		return efAuthKey, true
	case SignKey:
		return efSignKey, true
	}
	return 0, false
}

// ErrBadSignature reports a SIGN answer that is not a signature of the
// scheme's form (256 bytes for the RSA-2048 card).
var ErrBadSignature = errors.New("card returned a malformed signature")

// Sign makes an RSA PKCS#1 v1.5 signature (the card pads) over digestInfo,
// a DER DigestInfo (hash algorithm and digest) that the caller prepares.
// In one transaction it selects the JPKI application, reads the tries of
// the key's PIN, refuses the last one unless Options.AllowLastTry, asks
// prompt with the remaining count, checks the PIN's format, VERIFYs it,
// selects the key and sends SIGN (80 2A 00 80 Lc DigestInfo 00). The PIN is
// wiped; a wrong PIN is a *PINError and nothing is retried.
func (j *JPKI) Sign(ctx context.Context, key KeyKind, prompt PINPrompt, digestInfo []byte) ([]byte, error) {
	ef, ok := key.ef()
	if !ok {
		return nil, fmt.Errorf("signing: unknown key %d", int(key))
	}
	if len(digestInfo) == 0 || len(digestInfo) > maxDigestInfoLen {
		return nil, fmt.Errorf("signing with the %s: DigestInfo of %d bytes, want 1..%d", key, len(digestInfo), maxDigestInfoLen)
	}
	var sig []byte
	err := j.c.transact(ctx, "signing with the "+key.String(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.verify(ctx, key.PIN(), prompt); err != nil {
			return err
		}
		var err error
		sig, err = s.signSelected(ctx, ef, digestInfo)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sig, nil
}
