package jpki

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/mynacard/mynacard/card"
)

// DigestInfo prefixes: the DER of DigestInfo ::= SEQUENCE { AlgorithmIdentifier
// { OID, NULL }, OCTET STRING (digest) } up to the digest (RFC 8017 §9.2 note
// 1; PROTOCOL.md "Commands"). The card pads (SIGN P1 = 00), so it is sent a
// whole DigestInfo.
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pkcs1Overhead is the minimum PKCS#1 v1.5 padding (RFC 8017 §9.2 step 3:
// emLen ≥ tLen + 11), bounding a prepared DigestInfo.
const pkcs1Overhead = 11

// Sentinel errors of Signer.
var (
	// ErrPSSNotSupported reports a request for RSA-PSS: the card is used
	// with SIGN P1 = 00 (PKCS#1 v1.5) only; the PSS modes are reported by
	// one source only (PROTOCOL.md *unsure*).
	ErrPSSNotSupported = errors.New("jpki: RSA-PSS not supported by the card signer")
	// ErrUnsupportedHash reports a hash with no DigestInfo prefix here.
	ErrUnsupportedHash = errors.New("jpki: hash not supported")
	// ErrDigestLength reports a digest whose length is not its hash's.
	ErrDigestLength = errors.New("jpki: digest length does not match hash")
	// ErrKeyMismatch reports a card signature that does not verify with
	// the certificate's key: the card holds another key than the
	// certificate says, or answered garbage.
	ErrKeyMismatch = errors.New("jpki: card signature does not match the certificate")
)

// DigestInfo returns the DER DigestInfo for digest under h (SHA-1, SHA-224,
// SHA-256, SHA-384 or SHA-512), checking the digest's length.
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	prefix, ok := digestInfoPrefixes[h]
	if !ok {
		return nil, fmt.Errorf("building DigestInfo: %w: %v", ErrUnsupportedHash, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("building DigestInfo: %w: %d bytes for %v, want %d", ErrDigestLength, len(digest), h, h.Size())
	}
	return append(append(make([]byte, 0, len(prefix)+len(digest)), prefix...), digest...), nil
}

// Signer is a crypto.Signer over one of the card's private keys: RSA
// PKCS#1 v1.5 made by the card. Its public key comes from the certificate.
// Concurrent Sign calls are serialised by the Signer and, across Signers
// and other uses of the same card, by card.JPKI.
//
// Each signature asks the PIN prompt once: the card's PIN rules (tries
// read first, last try refused unless allowed, no retry) are card.JPKI's.
type Signer struct {
	ctx    context.Context
	j      *card.JPKI
	key    card.KeyKind
	cert   *Certificate
	pub    *rsa.PublicKey
	prompt card.PINPrompt
	mu     sync.Mutex
}

// NewSigner returns a Signer for key on the card, described by cert, whose
// kind must match the key (card.AuthKey with KindAuth, card.SignKey with
// KindSign). ctx is kept for Sign, which crypto.Signer gives no context:
// when it ends, Sign fails; use SignContext to pass one per call. NewSigner
// does not talk to the card.
func NewSigner(ctx context.Context, j *card.JPKI, key card.KeyKind, cert *Certificate, prompt card.PINPrompt) (*Signer, error) {
	if j == nil || cert == nil || cert.Certificate == nil || prompt == nil {
		return nil, errors.New("creating signer: nil card, certificate or prompt")
	}
	want := keyKind(key)
	if want == KindUnknown {
		return nil, fmt.Errorf("creating signer: unknown key %v", key)
	}
	if cert.Kind != want {
		return nil, fmt.Errorf("creating signer: %w: %s certificate for the %v", ErrWrongKind, cert.Kind, key)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("creating signer: certificate key is %T, want RSA", cert.PublicKey)
	}
	return &Signer{ctx: ctx, j: j, key: key, cert: cert, pub: pub, prompt: prompt}, nil
}

// keyKind returns the certificate kind that goes with a card key.
func keyKind(key card.KeyKind) Kind {
	switch key {
	case card.AuthKey:
		return KindAuth
	case card.SignKey:
		return KindSign
	}
	return KindUnknown
}

// Public returns the certificate's RSA public key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Certificate returns the certificate the Signer was made with.
func (s *Signer) Certificate() *Certificate { return s.cert }

// Key returns which card key signs.
func (s *Signer) Key() card.KeyKind { return s.key }

// Sign is SignContext with the context given to NewSigner.
func (s *Signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.SignContext(s.ctx, rand, digest, opts)
}

// SignContext signs digest with the card key: RSA PKCS#1 v1.5 over the
// DigestInfo for opts.HashFunc() (SHA-1, SHA-224, SHA-256, SHA-384,
// SHA-512; the digest's length is checked), or, for crypto.Hash(0), over
// digest as a DigestInfo the caller prepared. *rsa.PSSOptions are refused
// with ErrPSSNotSupported. rand is not used: the card pads. The signature
// is checked against the certificate's key before it is returned.
func (s *Signer) SignContext(ctx context.Context, _ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts == nil {
		return nil, errors.New("signing: nil SignerOpts")
	}
	if _, ok := opts.(*rsa.PSSOptions); ok {
		return nil, fmt.Errorf("signing: %w", ErrPSSNotSupported)
	}
	di := digest
	if h := opts.HashFunc(); h != 0 {
		var err error
		if di, err = DigestInfo(h, digest); err != nil {
			return nil, fmt.Errorf("signing: %w", err)
		}
	} else if len(di) == 0 || len(di) > s.pub.Size()-pkcs1Overhead {
		return nil, fmt.Errorf("signing: prepared DigestInfo of %d bytes, want 1..%d", len(di), s.pub.Size()-pkcs1Overhead)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sig, err := s.j.Sign(ctx, s.key, s.prompt, di)
	if err != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, err)
	}
	if err := rsa.VerifyPKCS1v15(s.pub, crypto.Hash(0), di, sig); err != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, ErrKeyMismatch)
	}
	return sig, nil
}

// tlsSignatureSchemes are the TLS signature schemes a card key can make:
// PKCS#1 v1.5 only. TLS 1.3 requires RSA-PSS for CertificateVerify (RFC
// 8446 §4.4.3), so a card client certificate works with TLS 1.2.
var tlsSignatureSchemes = []tls.SignatureScheme{tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512}

// TLSCertificate returns a tls.Certificate for a client (or server) that
// signs with the card: the certificate, the Signer as private key, and
// SupportedSignatureAlgorithms limited to PKCS#1 v1.5 with SHA-256/384/512.
// Use it with tls.Config.MaxVersion = tls.VersionTLS12, because TLS 1.3
// needs RSA-PSS.
func (s *Signer) TLSCertificate() tls.Certificate {
	return tls.Certificate{
		Certificate:                  [][]byte{s.cert.Raw},
		PrivateKey:                   s,
		Leaf:                         s.cert.Certificate,
		SupportedSignatureAlgorithms: append([]tls.SignatureScheme(nil), tlsSignatureSchemes...),
	}
}
