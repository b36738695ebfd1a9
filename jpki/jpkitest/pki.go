package jpkitest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sync"

	"github.com/mynacard/mynacard/card"
)

// DefaultSeed is the seed of Default.
const DefaultSeed = "mynacard-default"

// PKI is a deterministic JPKI-shaped test hierarchy: for each card.KeyKind, root
// generations FirstGeneration..LatestGeneration sharing one subject DN
// (CAName), each with its own key and serial. A PKI is immutable after New
// and safe for concurrent use.
type PKI struct {
	seed  string
	roots map[card.KeyKind][]root // index generation-1
}

type root struct {
	cert *x509.Certificate
	key  crypto.Signer // *rsa.PrivateKey, or *ecdsa.PrivateKey for ECDSAGeneration
}

// New builds the test PKI for seed. The same seed gives byte-identical
// root certificates and keys, in any process.
func New(seed string) (*PKI, error) {
	p := &PKI{seed: seed, roots: make(map[card.KeyKind][]root)}
	for _, kind := range []card.KeyKind{card.SignKey, card.AuthKey} {
		for gen := FirstGeneration; gen <= ECDSAGeneration; gen++ {
			r, err := p.makeRoot(kind, gen)
			if err != nil {
				return nil, fmt.Errorf("making %s root generation %d: %w", kind, gen, err)
			}
			p.roots[kind] = append(p.roots[kind], r)
		}
	}
	return p, nil
}

// defaultPKI is the process-wide cache behind Default (see the package
// comment: it and the derived-key cache are the only package-level state).
var defaultPKI = sync.OnceValue(func() *PKI {
	p, err := New(DefaultSeed)
	if err != nil {
		panic("jpkitest: building the default PKI: " + err.Error())
	}
	return p
})

// Default returns New(DefaultSeed), built once per process and shared: it
// is the one package-level cache of this package (with the memoised
// derived keys it uses), allowed because a PKI is immutable. Its RSA keys
// are the committed ones (see the package comment), so building it costs
// only signing its roots. It panics if the PKI cannot be built, which
// does not happen for a fixed seed.
func Default() *PKI { return defaultPKI() }

// Seed returns the seed p was built from.
func (p *PKI) Seed() string { return p.seed }

// Root returns the root certificate and its key for kind and generation
// (FirstGeneration..LatestGeneration, or ECDSAGeneration). All generations of a kind share one
// subject DN: tell them apart by key (signature), never by name. It
// returns nil, nil for an unknown kind or generation.
func (p *PKI) Root(kind card.KeyKind, generation int) (*x509.Certificate, crypto.Signer) {
	r, ok := p.root(kind, generation)
	if !ok {
		return nil, nil
	}
	return r.cert, r.key
}

func (p *PKI) root(kind card.KeyKind, gen int) (root, bool) {
	if !validKind(kind) || gen < FirstGeneration || gen > ECDSAGeneration {
		return root{}, false
	}
	return p.roots[kind][gen-FirstGeneration], true
}

// Roots returns the RSA root certificates of kind, oldest generation
// first (AllRoots adds the ECDSA generation).
func (p *PKI) Roots(kind card.KeyKind) []*x509.Certificate {
	var out []*x509.Certificate
	for _, r := range p.roots[kind][:LatestGeneration-FirstGeneration+1] {
		out = append(out, r.cert)
	}
	return out
}

// Pool returns a certificate pool holding every generation of kind's
// root, for x509.Verify in tests.
func (p *PKI) Pool(kind card.KeyKind) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range p.Roots(kind) {
		pool.AddCert(c)
	}
	return pool
}

func (p *PKI) makeRoot(kind card.KeyKind, gen int) (root, error) {
	label := fmt.Sprintf("root/%s/%d", kind, gen)
	var key crypto.Signer
	var err error
	if IsECDSA(gen) {
		key, err = deriveECKey(p.seed, label)
	} else {
		key, err = deriveKey(p.seed, label)
	}
	if err != nil {
		return root{}, err
	}
	subject, err := asn1.Marshal(CAName(kind))
	if err != nil {
		return root{}, fmt.Errorf("encoding root name: %w", err)
	}
	notBefore, notAfter := rootValidity(gen)
	tmpl := &x509.Certificate{
		SerialNumber:          p.serial(label),
		RawSubject:            subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          keyIDOf(key.Public()),
		SignatureAlgorithm:    x509SigAlg(key.Public()),
	}
	der, err := x509.CreateCertificate(newStream(p.seed, label+"/sig"), tmpl, tmpl, key.Public(), signerOf(key))
	if err != nil {
		return root{}, fmt.Errorf("signing root: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return root{}, fmt.Errorf("parsing root: %w", err)
	}
	return root{cert: cert, key: key}, nil
}

// serialBytes is the length of derived serial numbers (a positive 31-bit
// number, like J-LIS's 4-byte serials).
const serialBytes = 4

// serial derives a positive, non-zero serial number from the seed.
func (p *PKI) serial(label string) *big.Int {
	b := derive(p.seed, label+"/serial", serialBytes)
	b[0] &= 0x7F
	b[0] |= 0x01 // non-zero and always 4 bytes long
	return new(big.Int).SetBytes(b)
}

// keyID is the RFC 5280 §4.2.1.2 method (1) key identifier: SHA-1 of the
// subjectPublicKey BIT STRING's value (the PKCS #1 RSAPublicKey).
func keyID(pub *rsa.PublicKey) []byte {
	h := sha1.Sum(x509.MarshalPKCS1PublicKey(pub))
	return h[:]
}
