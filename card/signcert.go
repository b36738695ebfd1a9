package card

import (
	"context"
	"errors"
	"fmt"
)

// ErrNotApproved reports that the approve callback of
// SignWithSignCertificate refused the signature: the certificate was read
// but nothing was signed.
var ErrNotApproved = errors.New("signature not approved")

// SignApproval is called by SignWithSignCertificate between reading the
// signing certificate and signing, inside the card transaction, with the
// certificate's DER. Returning an error stops before SIGN; the error is
// returned wrapped together with ErrNotApproved. It is how a caller shows
// the holder what the signing certificate will release (name, address,
// birth date, sex) and asks for consent with one password entry. The card
// stays held by this process while it runs.
type SignApproval func(ctx context.Context, certDER []byte) error

// SignWithSignCertificate verifies the signing password once and, in the
// same transaction (so with one password entry), reads the signing
// certificate (EF 0001, readable only after that password) and makes an
// RSA PKCS#1 v1.5 signature over digestInfo with the signing key (EF 001A).
// It is personal identification (本人確認) in one step: the certificate and
// a signature that it must verify.
//
// Every PIN rule of Sign applies: the tries are read first (ISO/IEC 7816-4
// §11.5.6, empty VERIFY), the last try is refused unless
// Options.AllowLastTry, the format is checked locally, the VERIFY is sent
// once and never retried, and the PIN is wiped. approve, if not nil, is
// called with the certificate before the SIGN; see SignApproval.
func (j *JPKI) SignWithSignCertificate(ctx context.Context, prompt PINPrompt, digestInfo []byte, approve SignApproval) (certDER, sig []byte, err error) {
	if len(digestInfo) == 0 || len(digestInfo) > maxDigestInfoLen {
		return nil, nil, fmt.Errorf("signing with the %s: DigestInfo of %d bytes, want 1..%d", SignKey.keyName(), len(digestInfo), maxDigestInfoLen)
	}
	err = j.c.transact(ctx, "reading the signing certificate and signing", func(ctx context.Context, s *session) error {
		if err := s.selectApp(ctx, aidJPKI); err != nil {
			return err
		}
		if err := s.verify(ctx, SignPIN, prompt); err != nil {
			return err
		}
		der, err := s.readCert(ctx, signCert)
		if err != nil {
			return err
		}
		if approve != nil {
			if err := approve(ctx, der); err != nil {
				return fmt.Errorf("%w: %w", ErrNotApproved, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		out, err := s.signSelected(ctx, efSignKey, digestInfo)
		if err != nil {
			return err
		}
		certDER, sig = der, out
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return certDER, sig, nil
}

// signSelected selects the key EF and sends the RSA card's SIGN
// (80 2A 00 80 Lc DigestInfo 00) after its PIN was verified in this
// session, checking the signature's length: the RSAPKCS1v15 scheme for
// the card's RSA-2048 keys.
func (s *session) signSelected(ctx context.Context, keyEF uint16, digestInfo []byte) ([]byte, error) {
	return s.signScheme(ctx, keyEF, RSAPKCS1v15{Size: signatureLen}, digestInfo)
}
