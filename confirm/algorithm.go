package confirm

import (
	"context"
	"crypto"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
)

// Signature algorithms of confirmations and tokens, by their JOSE names.
// The one used is always the certificate key's (jpki.AlgorithmFor), never
// a constant: RS256 for today's RSA-2048 card, ES384 for an ECDSA P-384
// card, ES256 for P-256.
const (
	AlgorithmRSASHA256       = string(jpki.RS256)
	AlgorithmECDSAP256SHA256 = string(jpki.ES256)
	AlgorithmECDSAP384SHA384 = string(jpki.ES384)
)

// hashOf returns the digest of msg under h.
func hashOf(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// signedChallenge is what one card signature in a confirmation was over.
type signedChallenge struct {
	alg    jpki.SignatureAlgorithm
	digest []byte
}

// signWithKey has the card sign the digest that digestFor makes for the
// certificate's algorithm: with the signing key in one transaction that
// reads the certificate after the password (SignWithSignCertificateFunc),
// with the authentication key after reading its certificate. approve, if
// set, sees the parsed signing certificate before the SIGN (consent).
func signWithKey(ctx context.Context, j *card.JPKI, key card.KeyKind, prompt card.PINPrompt,
	digestFor func(jpki.SignatureAlgorithm) []byte, approve func(ctx context.Context, cert *jpki.Certificate) error,
) (der, sig []byte, sc signedChallenge, err error) {
	pick := func(pub crypto.PublicKey) (card.SignatureScheme, error) {
		alg, err := jpki.AlgorithmFor(pub)
		if err != nil {
			return nil, err
		}
		scheme, err := j.SchemeFor(pub)
		if err != nil {
			return nil, err
		}
		sc = signedChallenge{alg: alg, digest: digestFor(alg)}
		return scheme, nil
	}
	switch key {
	case card.SignKey:
		der, sig, err = j.SignWithSignCertificateFunc(ctx, prompt, func(ctx context.Context, certDER []byte, pub crypto.PublicKey) (card.SignatureScheme, crypto.Hash, []byte, error) {
			if approve != nil {
				cert, err := jpki.Parse(certDER)
				if err != nil {
					return nil, 0, nil, fmt.Errorf("%w: %w", ErrBadCertificate, err)
				}
				if err := approve(ctx, cert); err != nil {
					return nil, 0, nil, err
				}
			}
			scheme, err := pick(pub)
			if err != nil {
				return nil, 0, nil, err
			}
			return scheme, sc.alg.Hash(), sc.digest, nil
		})
		return der, sig, sc, err
	case card.AuthKey:
		if der, err = j.ReadCertificate(ctx, card.AuthKey); err != nil {
			return nil, nil, sc, err
		}
		cert, err := jpki.Parse(der)
		if err != nil {
			return nil, nil, sc, fmt.Errorf("%w: %w", ErrBadCertificate, err)
		}
		scheme, err := pick(cert.PublicKey)
		if err != nil {
			return nil, nil, sc, err
		}
		sig, err = j.SignDigest(ctx, card.AuthKey, prompt, scheme, sc.alg.Hash(), sc.digest)
		return der, sig, sc, err
	}
	return nil, nil, sc, fmt.Errorf("unknown key %v", key)
}
