package virtual

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"testing"
)

var updateFixtures = flag.Bool("update-fixtures", false,
	"make new MF chain keys in cvca/ (go generate does this)")

// mfKeyFiles are the MF chain's committed keys, by their seven digits.
var mfKeyFiles = map[string]string{
	mfIntermediateDigits: "cvca/cv-" + mfIntermediateDigits + ".key.pem",
	mfCardKeyDigits:      "cvca/cv-" + mfCardKeyDigits + ".key.pem",
}

// writeMFKeys makes new RSA-2048 keys for the MF chain (random: keys
// cannot be derived from a seed with crypto/rsa) and writes them.
func writeMFKeys(t *testing.T) {
	for _, file := range mfKeyFiles {
		k, err := rsa.GenerateKey(rand.Reader, 8*cvModulusSize)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", file)
	}
}

// TestMFChainFixtures checks the committed MF chain keys: each is the
// embedded copy of its file, a valid RSA-2048 key distinct from every
// other committed key, and a card with no keys of its own answers a chain
// that verifies from the pinned CA key through the intermediate to the
// committed card key. With -update-fixtures it only makes new keys.
func TestMFChainFixtures(t *testing.T) {
	if *updateFixtures {
		writeMFKeys(t)
		return // the embedded copies are the old keys until the next build
	}
	moduli := make(map[string]string)
	for _, d := range []string{cvcaMFChain, cvcaSurface, cvcaText} {
		k, err := cvcaKey(d)
		if err != nil {
			t.Fatal(err)
		}
		moduli[string(k.N.Bytes())] = d
	}
	committed := make(map[string]*rsa.PrivateKey)
	for d, file := range mfKeyFiles {
		k, err := cvKey(d)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if embedded, _ := cvcaFiles.ReadFile(file); !bytes.Equal(raw, embedded) {
			t.Fatalf("%s differs from the embedded copy: rebuild", file)
		}
		if err := k.Validate(); err != nil {
			t.Errorf("%s: %v", file, err)
		}
		if other, ok := moduli[string(k.N.Bytes())]; ok {
			t.Errorf("%s is the same key as %s", file, other)
		}
		moduli[string(k.N.Bytes())] = d
		committed[d] = k
	}
	c := newTestCard(t)
	upper, lower := getDataAll(t, c, "00F8"), getDataAll(t, c, "7F21")
	ca, err := cvcaKey(cvcaMFChain)
	if err != nil {
		t.Fatal(err)
	}
	caID := cvKeyID(cvcaMFChain, cvKeyIDFinalMFChain)
	inter := checkCVCContents(t, upper, caID[:], &ca.PublicKey)
	interID := cvKeyID(mfIntermediateDigits, cvKeyIDFinalMFChain)
	if !inter.Equal(&committed[mfIntermediateDigits].PublicKey) || !bytes.Equal(upper[5+16:5+32], interID[:]) {
		t.Error("00F8 does not certify the committed intermediate key")
	}
	cardKey := checkCVCContents(t, lower, interID[:], inter)
	cardID := cvKeyID(mfCardKeyDigits, cvKeyIDFinalMFChain)
	if !cardKey.Equal(&committed[mfCardKeyDigits].PublicKey) || !bytes.Equal(lower[5+16:5+32], cardID[:]) {
		t.Error("7F21 does not certify the committed card key")
	}

	// Keys given in Contents still take the place of the committed ones.
	_, _, own := keys(t)
	contents := testContents(t)
	contents.MFCardKey = own
	c2, err := NewMyNumberCard(contents)
	if err != nil {
		t.Fatal(err)
	}
	if got := checkCVCContents(t, getDataAll(t, c2, "7F21"), interID[:], inter); !got.Equal(&own.PublicKey) {
		t.Error("7F21 ignores Contents.MFCardKey")
	}
}
