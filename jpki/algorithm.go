package jpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
)

// SignatureAlgorithm names a signature scheme by its JOSE name (RFC 7518
// §3.1): what a key signs with and how a verifier checks it. It is chosen
// from the key ([AlgorithmFor]), never assumed.
type SignatureAlgorithm string

// The signature algorithms a card certificate's key can make and this
// package verifies.
const (
	// RS256 is RSA PKCS #1 v1.5 with SHA-256: the current card.
	RS256 SignatureAlgorithm = "RS256"
	// ES256 is ECDSA P-256 with SHA-256.
	ES256 SignatureAlgorithm = "ES256"
	// ES384 is ECDSA P-384 with SHA-384: the next card's, as the
	// government's task force settled it.
	ES384 SignatureAlgorithm = "ES384"
)

// ErrUnsupportedKey reports a certificate key that is neither RSA of at
// least card.MinRSABits nor ECDSA P-256/P-384.
var ErrUnsupportedKey = errors.New("jpki: key type not supported (RSA-2048 or larger, ECDSA P-256 or P-384)")

// ErrSignatureInvalid reports a signature that does not verify with the
// key it claims (VerifyDigest).
var ErrSignatureInvalid = errors.New("jpki: signature does not verify with the key")

// AlgorithmFor returns the signature algorithm of pub: RS256 for RSA of at
// least card.MinRSABits, ES256 for P-256, ES384 for P-384.
func AlgorithmFor(pub crypto.PublicKey) (SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() >= card.MinRSABits {
			return RS256, nil
		}
		return "", fmt.Errorf("%w: RSA-%d", ErrUnsupportedKey, k.N.BitLen())
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return ES384, nil
		}
		return "", fmt.Errorf("%w: ECDSA on %s", ErrUnsupportedKey, k.Curve.Params().Name)
	}
	return "", fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}

// Hash returns the algorithm's hash, 0 for an unknown algorithm.
func (a SignatureAlgorithm) Hash() crypto.Hash {
	switch a {
	case RS256, ES256:
		return crypto.SHA256
	case ES384:
		return crypto.SHA384
	}
	return 0
}

// Matches reports whether pub is a key of algorithm a.
func (a SignatureAlgorithm) Matches(pub crypto.PublicKey) bool {
	b, err := AlgorithmFor(pub)
	return err == nil && a == b
}

// HashFor returns the hash pub signs with by default: SHA-256 for RSA and
// P-256, SHA-384 for P-384.
func HashFor(pub crypto.PublicKey) (crypto.Hash, error) {
	a, err := AlgorithmFor(pub)
	if err != nil {
		return 0, err
	}
	return a.Hash(), nil
}

// VerifyDigest checks sig over digest, the output of h, with pub: RSA
// PKCS #1 v1.5 (or RSA-PSS when opts is *rsa.PSSOptions), or ECDSA with
// an ASN.1 DER signature. The key must be one AlgorithmFor accepts; h may
// be any of SHA-256, SHA-384 and SHA-512 and the digest must have its
// length. It returns ErrSignatureInvalid (or ErrUnsupportedKey) wrapped.
func VerifyDigest(pub crypto.PublicKey, h crypto.Hash, digest, sig []byte, opts crypto.SignerOpts) error {
	if _, err := AlgorithmFor(pub); err != nil {
		return err
	}
	switch h {
	case crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return fmt.Errorf("%w: hash %v", ErrSignatureInvalid, h)
	}
	if len(digest) != h.Size() {
		return fmt.Errorf("%w: %d-byte digest for %v", ErrSignatureInvalid, len(digest), h)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var err error
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			err = rsa.VerifyPSS(k, h, digest, sig, pss)
		} else {
			err = rsa.VerifyPKCS1v15(k, h, digest, sig)
		}
		if err != nil {
			return fmt.Errorf("%w: RSA", ErrSignatureInvalid)
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fmt.Errorf("%w: ECDSA", ErrSignatureInvalid)
		}
		return nil
	}
	return fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
}
