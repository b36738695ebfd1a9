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

// digestInfoHashes are the hashes DigestInfo accepts.
var digestInfoHashes = map[crypto.Hash]bool{crypto.SHA1: true, crypto.SHA224: true, crypto.SHA256: true, crypto.SHA384: true, crypto.SHA512: true}

// pkcs1Overhead is the minimum PKCS#1 v1.5 padding (RFC 8017 §9.2 step 3:
// emLen ≥ tLen + 11), bounding a prepared DigestInfo.
const pkcs1Overhead = 11

// Sentinel errors of Signer.
var (
	// ErrPSSNotSupported reports a request for RSA-PSS that the card
	// cannot make: its PSS mode (SIGN P1 = 04, SHA-256 only) is reported by
	// one source only and used only with card.Options.RSAPSS; an ECDSA key
	// has no PSS; and the card's salt length must be the one asked for.
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
// It is the input of the RSA card path only (card.RSAPKCS1v15).
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	if !digestInfoHashes[h] {
		return nil, fmt.Errorf("building DigestInfo: %w: %v", ErrUnsupportedHash, h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("building DigestInfo: %w: %d bytes for %v, want %d", ErrDigestLength, len(digest), h, h.Size())
	}
	return card.DigestInfo(h, digest)
}

// Signer is a crypto.Signer over one of the card's private keys, made by
// the card. Its public key comes from the certificate, and so does the
// algorithm: RSA PKCS#1 v1.5 for an RSA certificate (the current card),
// ECDSA for an ECDSA one (card.SpeculativeECDSA, only when the card was
// opened with card.Options.SpeculativeECDSA). Concurrent Sign calls are
// serialised by the Signer and, across Signers and other uses of the same
// card, by card.JPKI.
//
// Each signature asks the PIN prompt once: the card's PIN rules (tries
// read first, last try refused unless allowed, no retry) are card.JPKI's.
type Signer struct {
	ctx    context.Context
	j      *card.JPKI
	key    card.KeyKind
	cert   *Certificate
	pub    crypto.PublicKey
	alg    SignatureAlgorithm
	scheme card.SignatureScheme
	pss    card.SignatureScheme // nil unless the card's RSA-PSS mode is allowed
	prompt card.PINPrompt
	mu     sync.Mutex
}

// NewSigner returns a Signer for key on the card, described by cert, whose
// kind must be key and whose key must be one the card layer signs with
// (card.JPKI.SchemeFor). ctx is kept for Sign, which crypto.Signer gives
// no context: when it ends, Sign fails; use SignContext to pass one per
// call. NewSigner does not talk to the card.
func NewSigner(ctx context.Context, j *card.JPKI, key card.KeyKind, cert *Certificate, prompt card.PINPrompt) (*Signer, error) {
	if j == nil || cert == nil || cert.Certificate == nil || prompt == nil {
		return nil, errors.New("creating signer: nil card, certificate or prompt")
	}
	if key != card.AuthKey && key != card.SignKey {
		return nil, fmt.Errorf("creating signer: unknown key %v", key)
	}
	if cert.Kind != key {
		return nil, fmt.Errorf("creating signer: %w: %s certificate for the %s key", ErrWrongKind, cert.Kind, key)
	}
	alg, err := AlgorithmFor(cert.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("creating signer: certificate key: %w", err)
	}
	scheme, err := j.SchemeFor(cert.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("creating signer: %w", err)
	}
	pss, _ := j.PSSSchemeFor(cert.PublicKey) // nil: PSS requests are refused
	return &Signer{ctx: ctx, j: j, key: key, cert: cert, pub: cert.PublicKey, alg: alg, scheme: scheme, pss: pss, prompt: prompt}, nil
}

// Public returns the certificate's public key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Certificate returns the certificate the Signer was made with.
func (s *Signer) Certificate() *Certificate { return s.cert }

// Algorithm returns the signature algorithm of the certificate's key.
func (s *Signer) Algorithm() SignatureAlgorithm { return s.alg }

// Key returns which card key signs.
func (s *Signer) Key() card.KeyKind { return s.key }

// Sign is SignContext with the context given to NewSigner.
func (s *Signer) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.SignContext(s.ctx, rand, digest, opts)
}

// SignContext signs digest with the card key. With an RSA key: PKCS#1
// v1.5 over the DigestInfo for opts.HashFunc() (SHA-1, SHA-224, SHA-256,
// SHA-384, SHA-512; the digest's length is checked), or, for
// crypto.Hash(0), over digest as a DigestInfo the caller prepared. With an
// ECDSA key: over the digest of opts.HashFunc() (SHA-256, SHA-384,
// SHA-512), answered as a DER ECDSA-Sig-Value. *rsa.PSSOptions ask for
// RSA-PSS over a SHA-256 hash, which the RSA card makes only when opened
// with card.Options.RSAPSS; otherwise, and for other hashes or ECDSA keys,
// they fail with ErrPSSNotSupported before the card is touched. rand is
// not used: the card makes the signature. The signature is checked against
// the certificate's key before it is returned.
func (s *Signer) SignContext(ctx context.Context, _ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts == nil {
		return nil, errors.New("signing: nil SignerOpts")
	}
	if pss, ok := opts.(*rsa.PSSOptions); ok {
		return s.signPSS(ctx, digest, pss)
	}
	h := opts.HashFunc()
	input, inputHash := digest, h
	switch s.pub.(type) {
	case *rsa.PublicKey:
		// The RSA card is sent a DigestInfo: build it here so that the
		// signature can be checked over exactly what was signed.
		if h != 0 {
			var err error
			if input, err = DigestInfo(h, digest); err != nil {
				return nil, fmt.Errorf("signing: %w", err)
			}
		} else if max := s.pub.(*rsa.PublicKey).Size() - pkcs1Overhead; len(input) == 0 || len(input) > max {
			return nil, fmt.Errorf("signing: prepared DigestInfo of %d bytes, want 1..%d", len(input), max)
		}
		inputHash = 0
	default:
		switch h {
		case crypto.SHA256, crypto.SHA384, crypto.SHA512:
		case 0:
			return nil, fmt.Errorf("signing: %w: ECDSA signs a digest; name its hash", ErrUnsupportedHash)
		default:
			return nil, fmt.Errorf("signing: %w: %v with ECDSA", ErrUnsupportedHash, h)
		}
		if len(digest) != h.Size() {
			return nil, fmt.Errorf("signing: %w: %d bytes for %v, want %d", ErrDigestLength, len(digest), h, h.Size())
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sig, err := s.j.SignDigest(ctx, s.key, s.prompt, s.scheme, inputHash, input)
	if err != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, err)
	}
	var ok bool
	switch k := s.pub.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, crypto.Hash(0), input, sig) == nil
	default:
		ok = VerifyDigest(s.pub, h, digest, sig, opts) == nil
	}
	if !ok {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, ErrKeyMismatch)
	}
	return sig, nil
}

// signPSS makes RSA-PSS with the card's PSS mode.
func (s *Signer) signPSS(ctx context.Context, digest []byte, opts *rsa.PSSOptions) ([]byte, error) {
	pub, ok := s.pub.(*rsa.PublicKey)
	switch {
	case !ok || s.pss == nil:
		return nil, fmt.Errorf("signing: %w", ErrPSSNotSupported)
	case opts.HashFunc() != crypto.SHA256:
		return nil, fmt.Errorf("signing: %w: %v (the card's PSS mode signs SHA-256 only)", ErrPSSNotSupported, opts.HashFunc())
	case len(digest) != crypto.SHA256.Size():
		return nil, fmt.Errorf("signing: %w: %d bytes for SHA-256", ErrDigestLength, len(digest))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sig, err := s.j.SignDigest(ctx, s.key, s.prompt, s.pss, crypto.SHA256, digest)
	if err != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, err)
	}
	if rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w", s.key, ErrKeyMismatch)
	}
	if opts.SaltLength != rsa.PSSSaltLengthAuto && rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, opts) != nil {
		return nil, fmt.Errorf("signing with the card's %v: %w: the card's salt length is not the one asked for", s.key, ErrPSSNotSupported)
	}
	return sig, nil
}

// tlsSignatureSchemes are the TLS signature schemes a card key can make,
// by algorithm. An RSA card key does PKCS#1 v1.5 only, and TLS 1.3
// requires RSA-PSS for CertificateVerify (RFC 8446 §4.4.3), so an RSA card
// client certificate works with TLS 1.2; an ECDSA key works with both.
var tlsSignatureSchemes = map[SignatureAlgorithm][]tls.SignatureScheme{
	RS256: {tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512},
	ES256: {tls.ECDSAWithP256AndSHA256},
	ES384: {tls.ECDSAWithP384AndSHA384},
}

// TLSCertificate returns a tls.Certificate for a client (or server) that
// signs with the card: the certificate, the Signer as private key, and
// SupportedSignatureAlgorithms limited to what the key makes (PKCS#1 v1.5
// with SHA-256/384/512 for RSA; ECDSA with the curve's hash). With an RSA
// key, use it with tls.Config.MaxVersion = tls.VersionTLS12, because TLS
// 1.3 needs RSA-PSS.
func (s *Signer) TLSCertificate() tls.Certificate {
	return tls.Certificate{
		Certificate:                  [][]byte{s.cert.Raw},
		PrivateKey:                   s,
		Leaf:                         s.cert.Certificate,
		SupportedSignatureAlgorithms: s.tlsSchemes(),
	}
}

// tlsSchemes are the TLS signature schemes of the key, with RSA-PSS
// SHA-256 first when the card's PSS mode is allowed.
func (s *Signer) tlsSchemes() []tls.SignatureScheme {
	out := append([]tls.SignatureScheme(nil), tlsSignatureSchemes[s.alg]...)
	if s.pss != nil {
		out = append([]tls.SignatureScheme{tls.PSSWithSHA256}, out...)
	}
	return out
}
