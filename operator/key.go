package operator

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
)

// Key is the operator's signing key with its certificate. Sign is called
// with a 32-byte record hash (see the package documentation for the
// scheme); the certificate is stored with every record it seals.
type Key interface {
	crypto.Signer
	// Certificate returns the operator certificate whose public key is
	// the signer's.
	Certificate() *x509.Certificate
}

// ContextSigner is implemented by keys whose signature may wait for
// someone (a PIN prompt): SignContext is Sign bounded by ctx. Sealers made
// by [SealerContext] use it when the key has it.
type ContextSigner interface {
	SignContext(ctx context.Context, rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// PINFunc reads the operator's PIN. The caller of the package owns how
// (a terminal prompt, a file descriptor); the package wipes the returned
// slice as soon as it has been used and never keeps or prints it.
type PINFunc func(ctx context.Context) ([]byte, error)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrUnsupportedKey means the key is neither ECDSA P-256 or P-384,
	// RSA of at least 2048 bits, nor Ed25519.
	ErrUnsupportedKey = errors.New("operator: unsupported key type")
	// ErrKeyMismatch means the certificate is not the key's.
	ErrKeyMismatch = errors.New("operator: certificate does not match the key")
	// ErrInvalidText means a record's text field is not valid UTF-8, or
	// its attributes have no stored text (package store, "Attributes"),
	// and would not survive export; it is not sealed.
	ErrInvalidText = errors.New("operator: record text is not valid UTF-8")
)

// minRSABits is the smallest RSA operator key accepted.
const minRSABits = 2048

// NewKey makes a Key of any crypto.Signer and its certificate, after
// checking that the certificate holds the signer's public key and that the
// key type is supported. It is how a key from elsewhere (a KMS, a test)
// becomes an operator key.
func NewKey(signer crypto.Signer, cert *x509.Certificate) (Key, error) {
	if err := checkKeyPair(signer.Public(), cert); err != nil {
		return nil, err
	}
	return &signerKey{Signer: signer, cert: cert}, nil
}

type signerKey struct {
	crypto.Signer
	cert *x509.Certificate
}

func (k *signerKey) Certificate() *x509.Certificate { return k.cert }

// checkKeyPair checks that pub is supported and is the key of cert.
func checkKeyPair(pub crypto.PublicKey, cert *x509.Certificate) error {
	if cert == nil {
		return fmt.Errorf("checking operator key: %w: no certificate", ErrKeyMismatch)
	}
	if err := checkPublicKey(pub); err != nil {
		return err
	}
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !eq.Equal(cert.PublicKey) {
		return fmt.Errorf("checking operator key: %w", ErrKeyMismatch)
	}
	return nil
}

// CheckPublicKey reports whether pub can sign records: ECDSA P-256 or
// P-384, RSA of at least 2048 bits, or Ed25519. Other errors wrap
// ErrUnsupportedKey.
func CheckPublicKey(pub crypto.PublicKey) error { return checkPublicKey(pub) }

func checkPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() || k.Curve == elliptic.P384() {
			return nil
		}
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSABits {
			return nil
		}
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("checking operator key: %w: %T", ErrUnsupportedKey, pub)
}

// signerOpts is how a record hash is signed with a key of this type.
func signerOpts(pub crypto.PublicKey) crypto.SignerOpts {
	if _, ok := pub.(ed25519.PublicKey); ok {
		return crypto.Hash(0) // Ed25519 signs the hash as its message
	}
	return crypto.SHA256
}

// signHash signs a record hash with key, through SignContext when it has it.
func signHash(ctx context.Context, key Key, hash []byte) ([]byte, error) {
	opts := signerOpts(key.Public())
	if cs, ok := key.(ContextSigner); ok {
		return cs.SignContext(ctx, rand.Reader, hash, opts)
	}
	return key.Sign(rand.Reader, hash, opts)
}

// verifyHash checks sig over a record hash with pub.
func verifyHash(pub crypto.PublicKey, hash, sig []byte) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, hash, sig)
	case *rsa.PublicKey:
		return k.N.BitLen() >= minRSABits && rsa.VerifyPKCS1v15(k, crypto.SHA256, hash, sig) == nil
	case ed25519.PublicKey:
		return len(k) == ed25519.PublicKeySize && ed25519.Verify(k, hash, sig)
	}
	return false
}

// Fingerprint returns the SHA-256 of a certificate's DER, in lower-case
// hex: how reports and exports name an operator certificate.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return fmt.Sprintf("%x", sum[:])
}

// sameKey reports whether two certificates hold the same public key.
func sameKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}
