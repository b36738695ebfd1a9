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

// certFile names one of the four certificate EFs of the JPKI application.
type certFile int

// The certificate files.
const (
	// authCert is EF 000A, the user-authentication certificate
	// (利用者証明用電子証明書). Free to read on the card.
	authCert certFile = iota + 1
	// authCACert is EF 000B, the user-authentication CA certificate.
	authCACert
	// signCert is EF 0001, the signing certificate (署名用電子証明書). It
	// holds personal data and is readable only after the signing password.
	signCert
	// signCACert is EF 0002, the signing CA certificate.
	signCACert
)

// String names the certificate.
func (f certFile) String() string {
	switch f {
	case authCert:
		return "authentication certificate"
	case authCACert:
		return "authentication CA certificate"
	case signCert:
		return "signing certificate"
	case signCACert:
		return "signing CA certificate"
	}
	return fmt.Sprintf("certFile(%d)", int(f))
}

func (f certFile) ef() (uint16, bool) {
	switch f {
	case authCert:
		return efAuthCert, true
	case authCACert:
		return efAuthCACert, true
	case signCert:
		return efSignCert, true
	case signCACert:
		return efSignCACert, true
	}
	return 0, false
}

// certFileOf returns the EF of k's certificate, or of the CA certificate
// that issued it.
func certFileOf(k KeyKind, ca bool) (certFile, bool) {
	switch {
	case k == AuthKey && !ca:
		return authCert, true
	case k == AuthKey:
		return authCACert, true
	case k == SignKey && !ca:
		return signCert, true
	case k == SignKey:
		return signCACert, true
	}
	return 0, false
}

// ReadCertificate reads the certificate of key k as DER (EF 000A for
// AuthKey, EF 0001 for SignKey). Its length comes from the DER header in
// the first chunk; the rest follows in 256-byte READ BINARY chunks, or in
// one extended READ where Options and the reader allow. SignKey's
// certificate fails with an error wrapping apdu.ErrSecurityStatus unless
// the signing password was verified in this transaction, which it never
// is here: use ReadSignCertificate. The bytes are not parsed beyond the
// DER header.
func (j *JPKI) ReadCertificate(ctx context.Context, k KeyKind) ([]byte, error) {
	f, ok := certFileOf(k, false)
	if !ok {
		return nil, fmt.Errorf("reading a certificate: unknown key kind %d", int(k))
	}
	return j.readCertFile(ctx, f)
}

// ReadCACertificate reads, as DER, the CA certificate that issued key k's
// certificate (EF 000B for AuthKey, EF 0002 for SignKey). It needs no PIN.
func (j *JPKI) ReadCACertificate(ctx context.Context, k KeyKind) ([]byte, error) {
	f, ok := certFileOf(k, true)
	if !ok {
		return nil, fmt.Errorf("reading a CA certificate: unknown key kind %d", int(k))
	}
	return j.readCertFile(ctx, f)
}

func (j *JPKI) readCertFile(ctx context.Context, f certFile) ([]byte, error) {
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
	return j.ReadCertificateWithPIN(ctx, SignKey, prompt)
}

// ReadCertificateWithPIN verifies the PIN of key k and reads k's
// certificate in the same transaction: the signing password for SignKey,
// the authentication PIN for AuthKey (free on the card, but a phone token
// wants it).
func (j *JPKI) ReadCertificateWithPIN(ctx context.Context, k KeyKind, prompt PINPrompt) ([]byte, error) {
	f, ok := certFileOf(k, false)
	if !ok {
		return nil, fmt.Errorf("reading a certificate: unknown key kind %d", int(k))
	}
	var der []byte
	err := j.c.transact(ctx, "reading "+f.String(), func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.verify(ctx, k.PIN(), prompt); err != nil {
			return err
		}
		var err error
		der, err = s.readCert(ctx, f)
		return err
	})
	return der, err
}

// readCert reads a certificate EF in the selected JPKI application.
func (s *session) readCert(ctx context.Context, f certFile) ([]byte, error) {
	ef, ok := f.ef()
	if !ok {
		return nil, fmt.Errorf("unknown certificate file %d", int(f))
	}
	if err := s.selectEF(ctx, ef); err != nil {
		return nil, err
	}
	der, err := s.readEF(ctx, derSize)
	if f == signCert && errors.Is(err, apdu.ErrSecurityStatus) {
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

// KeyKind names one of the two keys of the JPKI application, and so the
// kind of its certificate. The zero value is no kind: a certificate whose
// profile is neither JPKI kind. In text (String, MarshalText, the
// columns of a store) it is "auth" or "sign".
type KeyKind int

// The JPKI keys.
const (
	// AuthKey is EF 0017, the user-authentication key (利用者証明用), used
	// after AuthPIN. Its certificate carries no personal data.
	AuthKey KeyKind = iota + 1
	// SignKey is EF 001A, the signing key (署名用), used after SignPIN. Its
	// certificate carries the holder's attributes.
	SignKey
)

// String returns "auth", "sign", or "unknown" for the zero value.
func (k KeyKind) String() string {
	switch k {
	case AuthKey:
		return "auth"
	case SignKey:
		return "sign"
	case 0:
		return "unknown"
	}
	return fmt.Sprintf("KeyKind(%d)", int(k))
}

// ParseKeyKind parses "auth" or "sign".
func ParseKeyKind(s string) (KeyKind, error) {
	switch s {
	case "auth":
		return AuthKey, nil
	case "sign":
		return SignKey, nil
	}
	return 0, fmt.Errorf("key kind %q is not auth or sign", s)
}

// MarshalText returns "auth" or "sign", and nothing for the zero value.
func (k KeyKind) MarshalText() ([]byte, error) {
	switch k {
	case 0:
		return []byte{}, nil
	case AuthKey, SignKey:
		return []byte(k.String()), nil
	}
	return nil, fmt.Errorf("marshalling %v: not a key kind", k)
}

// UnmarshalText parses "auth" or "sign"; empty text is the zero value.
func (k *KeyKind) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = 0
		return nil
	}
	v, err := ParseKeyKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// keyName names the key in English error text.
func (k KeyKind) keyName() string {
	switch k {
	case AuthKey:
		return "authentication key"
	case SignKey:
		return "signing key"
	}
	return k.String()
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
		return nil, fmt.Errorf("signing with the %s: DigestInfo of %d bytes, want 1..%d", key.keyName(), len(digestInfo), maxDigestInfoLen)
	}
	var sig []byte
	err := j.c.transact(ctx, "signing with the "+key.keyName(), func(ctx context.Context, s *session) error {
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
