package jpkitest

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
)

// keyBits is the RSA modulus size of every JPKI key (docs/certificates.md
// "Certificates": RSA-2048).
const keyBits = 2048

// publicExponent is the RSA public exponent of every JPKI key.
const publicExponent = 65537

// drbgDomain separates this package's deterministic streams from any other
// use of SHA-256 over the same seed.
const drbgDomain = "mynacard/jpkitest/drbg/v1"

// primalityRounds is the number of Miller-Rabin rounds given to
// big.Int.ProbablyPrime (which adds a Baillie-PSW test, and is itself
// deterministic for a given candidate).
const primalityRounds = 20

// stream is a deterministic byte stream: block i is
// SHA-256(domain ‖ len(seed) ‖ seed ‖ len(label) ‖ label ‖ i). It is not a
// cryptographic DRBG for production keys; it only needs to be reproducible
// and well spread.
type stream struct {
	prefix []byte
	ctr    uint64
	buf    []byte
}

func newStream(seed, label string) *stream {
	p := []byte(drbgDomain)
	p = binary.BigEndian.AppendUint32(p, uint32(len(seed)))
	p = append(p, seed...)
	p = binary.BigEndian.AppendUint32(p, uint32(len(label)))
	p = append(p, label...)
	return &stream{prefix: p}
}

// Read fills b from the stream; it never fails.
func (s *stream) Read(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if len(s.buf) == 0 {
			h := sha256.New()
			h.Write(s.prefix)
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], s.ctr)
			h.Write(c[:])
			s.ctr++
			s.buf = h.Sum(nil)
		}
		k := copy(b, s.buf)
		s.buf = s.buf[k:]
		b = b[k:]
	}
	return n, nil
}

// derive returns n deterministic bytes for (seed, label).
func derive(seed, label string, n int) []byte {
	b := make([]byte, n)
	newStream(seed, label).Read(b)
	return b
}

// keyCache memoises deriveKey across the process. It is part of the one
// package-level cache documented at Default: deriving a key is a pure
// function of (seed, label), so the cache only saves time.
var keyCache sync.Map // keyCacheKey -> *keyCacheEntry

type keyCacheKey struct{ seed, label string }

type keyCacheEntry struct {
	once sync.Once
	key  *rsa.PrivateKey
	err  error
}

// deriveKey returns the RSA-2048 key for (seed, label), computing it once
// per process: loaded from the committed key fixtures when they hold it,
// derived otherwise. Callers must not modify the returned key.
func deriveKey(seed, label string) (*rsa.PrivateKey, error) {
	v, _ := keyCache.LoadOrStore(keyCacheKey{seed, label}, new(keyCacheEntry))
	e := v.(*keyCacheEntry)
	e.once.Do(func() {
		if der, ok := keyFixtures()[keyCacheKey{seed, label}]; ok {
			e.key, e.err = parseKeyFixture(der)
			return
		}
		e.key, e.err = generateKey(newStream(seed, label))
	})
	if e.err != nil {
		return nil, fmt.Errorf("deriving key %q: %w", label, e.err)
	}
	return e.key, nil
}

// keyFixturesPEM holds the RSA keys that Default and DefaultHolder (and the
// default holder on the ECDSA generation) derive, computed once and
// committed, so that neither the virtual card nor a test pays for the prime
// search at start-up. Each block is a PKCS #8 key whose Seed and Label
// headers name the derivation it stands for. The fixture test checks every
// block against a fresh derivation and that the default PKI and holders hold
// exactly these keys; the go:generate line below rewrites the file.
//
//go:generate go test -run ^TestKeyFixtures$ -update-fixtures
//go:embed testdata/default-keys.pem
var keyFixturesPEM []byte

// keyFixtures indexes keyFixturesPEM by (seed, label); the keys are parsed
// only when asked for.
var keyFixtures = sync.OnceValue(func() map[keyCacheKey][]byte {
	m := make(map[keyCacheKey][]byte)
	for rest := keyFixturesPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return m
		}
		m[keyCacheKey{b.Headers["Seed"], b.Headers["Label"]}] = b.Bytes
	}
})

// parseKeyFixture parses one committed key and checks that it has the shape
// every derived key has.
func parseKeyFixture(der []byte) (*rsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("loading committed key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() != keyBits || rk.E != publicExponent {
		return nil, errors.New("loading committed key: not an RSA-2048 key with e = 65537")
	}
	return rk, nil
}

// smallPrimes are used to discard most prime candidates before the costly
// probabilistic test.
var smallPrimes = func() []uint64 {
	var ps []uint64
	for n := uint64(3); n < 2000; n += 2 {
		prime := true
		for _, p := range ps {
			if p*p > n {
				break
			}
			if n%p == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, n)
		}
	}
	return ps
}()

// generateKey builds an RSA-2048 key with e = 65537 from the stream: two
// 1024-bit primes with their top two bits set (so the modulus has exactly
// 2048 bits), p ≠ 1 mod e, d = e⁻¹ mod lcm(p-1, q-1).
func generateKey(s *stream) (*rsa.PrivateKey, error) {
	e := big.NewInt(publicExponent)
	p := findPrime(s, e)
	q := findPrime(s, e)
	for p.Cmp(q) == 0 {
		q = findPrime(s, e)
	}
	if p.Cmp(q) < 0 {
		p, q = q, p
	}
	one := big.NewInt(1)
	pm1 := new(big.Int).Sub(p, one)
	qm1 := new(big.Int).Sub(q, one)
	g := new(big.Int).GCD(nil, nil, pm1, qm1)
	lambda := new(big.Int).Mul(pm1, qm1)
	lambda.Div(lambda, g)
	d := new(big.Int).ModInverse(e, lambda)
	if d == nil {
		return nil, errors.New("public exponent not invertible")
	}
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: publicExponent},
		D:         d,
		Primes:    []*big.Int{p, q},
	}
	if k.N.BitLen() != keyBits {
		return nil, fmt.Errorf("modulus has %d bits, want %d", k.N.BitLen(), keyBits)
	}
	k.Precompute()
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("validating key: %w", err)
	}
	return k, nil
}

func findPrime(s *stream, e *big.Int) *big.Int {
	buf := make([]byte, keyBits/16)
	c := new(big.Int)
	r := new(big.Int)
	m := new(big.Int)
	for {
		s.Read(buf)
		buf[0] |= 0xC0
		buf[len(buf)-1] |= 1
		c.SetBytes(buf)
		if hasSmallFactor(c, r, m) {
			continue
		}
		if r.Mod(c, e).Cmp(big.NewInt(1)) == 0 {
			continue // gcd(e, p-1) must be 1
		}
		if c.ProbablyPrime(primalityRounds) {
			return new(big.Int).Set(c)
		}
	}
}

func hasSmallFactor(c, r, m *big.Int) bool {
	for _, p := range smallPrimes {
		m.SetUint64(p)
		if r.Mod(c, m).Sign() == 0 {
			return true
		}
	}
	return false
}
