package jpkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
)

// ECDSAGeneration is the test hierarchy's ECDSA root generation, beside
// the RSA generations FirstGeneration..LatestGeneration: the next card's
// algorithm as the government's task force settled it (ECDSA on P-384
// with SHA-384, certificates valid 10 years). Its roots share the RSA
// roots' DNs (CAName) and differ by key; its holders get ECDSA P-384 keys
// and certificates signed ecdsa-with-SHA384. It is never the default
// (HolderSpec.Generation 0 means LatestGeneration, RSA).
const ECDSAGeneration = LatestGeneration + 1

// ecdsaGenerationYears is the ECDSA generation's root validity: a test
// span that holds DefaultIssueTime, ReferenceTime and a 10-year end-entity
// certificate issued at DefaultIssueTime.
var ecdsaGenerationYears = [2]int{2024, 2044}

// eeValidityBirthdaysECDSA is the end-entity validity of the ECDSA
// generation: the 10th birthday after issuance (the next card's
// certificates last 10 years instead of 5).
const eeValidityBirthdaysECDSA = 10

// ecdsaCurve is the curve of the ECDSA generation's keys.
func ecdsaCurve() elliptic.Curve { return elliptic.P384() }

// IsECDSA reports whether generation is the ECDSA one.
func IsECDSA(generation int) bool { return generation == ECDSAGeneration }

// AllRoots returns the root certificates of kind of every generation, the
// RSA ones oldest first and then the ECDSA one: a mixed hierarchy.
func (p *PKI) AllRoots(kind card.KeyKind) []*x509.Certificate {
	out := p.Roots(kind)
	if r, ok := p.root(kind, ECDSAGeneration); ok {
		out = append(out, r.cert)
	}
	return out
}

// deriveECKey returns the P-384 key for (seed, label): a scalar from the
// deterministic stream, reduced into [1, n−1]. Cheap, so not cached.
func deriveECKey(seed, label string) (*ecdsa.PrivateKey, error) {
	c := ecdsaCurve()
	n := c.Params().N
	size := (n.BitLen() + 7) / 8
	buf := derive(seed, label+"/ecdsa", size+16) // 128 extra bits: negligible bias
	d := new(big.Int).SetBytes(buf)
	d.Mod(d, new(big.Int).Sub(n, big.NewInt(1)))
	d.Add(d, big.NewInt(1))
	k, err := ecdsa.ParseRawPrivateKey(c, d.FillBytes(make([]byte, size)))
	if err != nil {
		return nil, fmt.Errorf("deriving ECDSA key %q: %w", label, err)
	}
	return k, nil
}

// deterministicSigner signs with RFC 6979 deterministic ECDSA whatever
// random source it is given, so certificates and CRLs of the ECDSA
// generation are byte-identical in every process like the RSA ones.
type deterministicSigner struct{ k *ecdsa.PrivateKey }

func (s deterministicSigner) Public() crypto.PublicKey { return &s.k.PublicKey }

func (s deterministicSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return s.k.Sign(nil, digest, opts)
}

// signerOf returns the crypto.Signer used to sign with key: RSA as is,
// ECDSA deterministically.
func signerOf(key crypto.Signer) crypto.Signer {
	if k, ok := key.(*ecdsa.PrivateKey); ok {
		return deterministicSigner{k}
	}
	return key
}

// x509SigAlg is the certificate signature algorithm of an issuer key:
// SHA-256 with RSA, ECDSA with SHA-256 on P-256 and SHA-384 on P-384.
func x509SigAlg(pub crypto.PublicKey) x509.SignatureAlgorithm {
	if k, ok := pub.(*ecdsa.PublicKey); ok {
		if k.Curve == elliptic.P384() {
			return x509.ECDSAWithSHA384
		}
		return x509.ECDSAWithSHA256
	}
	return x509.SHA256WithRSA
}

// keyIDOf is the RFC 5280 §4.2.1.2 method (1) key identifier: SHA-1 of
// the subjectPublicKey BIT STRING's value (the PKCS #1 RSAPublicKey, or
// the uncompressed EC point).
func keyIDOf(pub crypto.PublicKey) []byte {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return keyID(k)
	case *ecdsa.PublicKey:
		b, err := k.Bytes()
		if err == nil {
			h := sha1.Sum(b)
			return h[:]
		}
	}
	return nil
}

// sigAlg is a CRL or OCSP signature algorithm chosen from the key.
type sigAlg struct {
	der     []byte // AlgorithmIdentifier DER
	hash    crypto.Hash
	rsaSize int // signature length for RSA; 0 for ECDSA (known after signing)
}

// AlgorithmIdentifier DERs: sha256WithRSAEncryption with NULL (RFC 4055),
// ecdsa-with-SHA256 and ecdsa-with-SHA384 without parameters (RFC 5758).
var (
	sigAlgECDSASHA256 = []byte{0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02}
	sigAlgECDSASHA384 = []byte{0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03}
)

// sigAlgFor picks the signature algorithm from the signing key.
func sigAlgFor(pub crypto.PublicKey) (sigAlg, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return sigAlg{der: sigAlgSHA256RSA, hash: crypto.SHA256, rsaSize: k.Size()}, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return sigAlg{der: sigAlgECDSASHA256, hash: crypto.SHA256}, nil
		case elliptic.P384():
			return sigAlg{der: sigAlgECDSASHA384, hash: crypto.SHA384}, nil
		}
	}
	return sigAlg{}, errors.New("only RSA and ECDSA P-256/P-384 keys sign CRLs here")
}

// Signer returns the private key of the holder's certificate of kind
// (card.SignKey or card.AuthKey), RSA or ECDSA; nil for another kind.
func (h *Holder) Signer(kind card.KeyKind) crypto.Signer {
	switch {
	case kind == card.SignKey && h.SignKeyECDSA != nil:
		return h.SignKeyECDSA
	case kind == card.AuthKey && h.AuthKeyECDSA != nil:
		return h.AuthKeyECDSA
	case kind == card.SignKey && h.SignKey != nil:
		return h.SignKey
	case kind == card.AuthKey && h.AuthKey != nil:
		return h.AuthKey
	}
	return nil
}

// VirtualOptions returns the virtual-card options this holder's card
// needs: for a holder of ECDSAGeneration, the *speculative*
// virtual.WithSpeculativeECDSAKeys with its keys (Contents leaves the RSA
// key fields empty then); nothing for an RSA holder. Use it as
// virtual.NewMyNumberCard(h.Contents(), h.VirtualOptions()...).
func (h *Holder) VirtualOptions() []virtual.Option {
	if h.SignKeyECDSA == nil && h.AuthKeyECDSA == nil {
		return nil
	}
	return []virtual.Option{virtual.WithSpeculativeECDSAKeys(h.SignKeyECDSA, h.AuthKeyECDSA)}
}
