package jpkitest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

var updateFixtures = flag.Bool("update-fixtures", false,
	"rewrite testdata/default-keys.pem from fresh derivations (go generate does this)")

const keyFixturesFile = "testdata/default-keys.pem"

// fixtureHolders are the holders whose keys are committed: the default
// holder, and the same holder on the ECDSA generation (the virtual card of
// --speculative-ecdsa).
func fixtureHolders(t *testing.T, p *PKI) []*Holder {
	t.Helper()
	var hs []*Holder
	for _, spec := range []HolderSpec{{}, {Generation: ECDSAGeneration}} {
		h, err := p.Issue(spec)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	return hs
}

// heldRSAKeys are the RSA keys of p's roots and of hs, keyed by modulus.
func heldRSAKeys(p *PKI, hs []*Holder) map[string]*rsa.PrivateKey {
	m := make(map[string]*rsa.PrivateKey)
	for _, rs := range p.roots {
		for _, r := range rs {
			if k, ok := r.key.(*rsa.PrivateKey); ok {
				m[string(k.N.Bytes())] = k
			}
		}
	}
	for _, h := range hs {
		for _, k := range []*rsa.PrivateKey{h.SignKey, h.AuthKey, h.TextKey, h.SurfaceKey, h.SurfaceAppKey, h.TextAppKey} {
			if k != nil {
				m[string(k.N.Bytes())] = k
			}
		}
	}
	return m
}

// writeKeyFixtures derives afresh every key the default PKI and the
// fixture holders ask for and writes them to keyFixturesFile.
func writeKeyFixtures(t *testing.T) {
	keyCache.Clear() // record only what the default PKI and holders derive
	p, err := New(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	fixtureHolders(t, p)
	var labels []string
	keyCache.Range(func(k, _ any) bool {
		if kk := k.(keyCacheKey); kk.seed == DefaultSeed {
			labels = append(labels, kk.label)
		}
		return true
	})
	slices.Sort(labels)
	var buf bytes.Buffer
	for _, label := range labels {
		k, err := generateKey(newStream(DefaultSeed, label))
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY",
			Headers: map[string]string{"Seed": DefaultSeed, "Label": label}, Bytes: der}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(keyFixturesFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d keys to %s", len(labels), keyFixturesFile)
}

// TestKeyFixtures checks the committed keys: each is exactly the key its
// (seed, label) derives, and together they are exactly the RSA keys of the
// default PKI and the fixture holders, so Default and DefaultHolder never
// run the prime search. With -update-fixtures it first rewrites the file.
func TestKeyFixtures(t *testing.T) {
	if *updateFixtures {
		writeKeyFixtures(t)
	}
	raw, err := os.ReadFile(keyFixturesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !*updateFixtures && !bytes.Equal(raw, keyFixturesPEM) {
		t.Fatalf("%s differs from the embedded copy: rebuild", keyFixturesFile)
	}
	committed := make(map[string]string) // modulus -> label
	for rest := raw; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			if len(bytes.TrimSpace(rest)) > 0 {
				t.Errorf("%s: trailing bytes that are not PEM", keyFixturesFile)
			}
			break
		}
		seed, label := b.Headers["Seed"], b.Headers["Label"]
		k, err := parseKeyFixture(b.Bytes)
		if err != nil {
			t.Errorf("%s %q: %v", seed, label, err)
			continue
		}
		want, err := generateKey(newStream(seed, label))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Equal(want) || k.D.Cmp(want.D) != 0 {
			t.Errorf("%s %q: committed key is not the derived one (run go generate ./jpki/jpkitest)", seed, label)
		}
		if err := k.Validate(); err != nil {
			t.Errorf("%s %q: %v", seed, label, err)
		}
		committed[string(k.N.Bytes())] = label
	}
	p, err := New(DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	hs := fixtureHolders(t, p)
	held := heldRSAKeys(p, hs)
	// Every certificate carries the public half of the key it stands for.
	for _, rs := range p.roots {
		for _, r := range rs {
			if !publicEqual(r.cert.PublicKey, r.key.Public()) {
				t.Errorf("root %q: certificate and key differ", r.cert.Subject)
			}
		}
	}
	for _, h := range hs {
		sign, auth := crypto.Signer(h.SignKey), crypto.Signer(h.AuthKey)
		if h.SignKey == nil {
			sign, auth = h.SignKeyECDSA, h.AuthKeyECDSA
		}
		if !publicEqual(h.SignCert.PublicKey, sign.Public()) || !publicEqual(h.AuthCert.PublicKey, auth.Public()) {
			t.Errorf("generation %d holder: certificate and key differ", h.Spec.Generation)
		}
	}
	for n := range held {
		if _, ok := committed[n]; !ok {
			t.Errorf("a key of the default PKI or holders is not committed (run go generate ./jpki/jpkitest)")
		}
	}
	for n, label := range committed {
		if _, ok := held[n]; !ok {
			t.Errorf("committed key %q is used by neither the default PKI nor its holders", label)
		}
	}
	if len(committed) == 0 {
		t.Error("no committed keys")
	}
}

// publicEqual reports whether two public keys are the same key.
func publicEqual(a, b any) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// fixtureLifetimeMargin is how long before the virtual card's certificates
// expire TestFixtureLifetime starts failing, leaving a year to move their
// validity or the default dates.
const fixtureLifetimeMargin = 365 * 24 * time.Hour

// TestFixtureLifetime fails a year before any certificate the built-in
// virtual card shows (the default holder's, on the RSA and the ECDSA
// generation, and their roots) expires, because the CLI verifies them at
// the current time.
func TestFixtureLifetime(t *testing.T) {
	deadline := time.Now().Add(fixtureLifetimeMargin)
	for _, h := range fixtureHolders(t, Default()) {
		for _, c := range []*x509.Certificate{h.SignCert, h.AuthCert, h.SignCA, h.AuthCA} {
			if c.NotAfter.Before(deadline) {
				t.Errorf("generation %d certificate %q expires %s, within a year: move the virtual card's validity",
					h.Spec.Generation, strings.TrimSpace(c.Subject.CommonName), c.NotAfter.Format(time.DateOnly))
			}
			if time.Now().Before(c.NotBefore) {
				t.Errorf("generation %d certificate %q is not valid before %s", h.Spec.Generation, c.Subject.CommonName, c.NotBefore)
			}
		}
	}
}
