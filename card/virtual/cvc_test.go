package virtual

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func TestCVKeyIDLayout(t *testing.T) {
	id := cvKeyID(cvcaMFChain, cvKeyIDFinalMFChain)
	want := []byte("9000020\x08\x05001\x00\x00\x00\xA8")
	if !bytes.Equal(id[:], want) {
		t.Fatalf("cvKeyID = % X, want % X", id, want)
	}
}

func TestCVCAKeysMatchTheirPublicHalves(t *testing.T) {
	for _, d := range []string{cvcaMFChain, cvcaSurface, cvcaText} {
		k, err := cvcaKey(d)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile("cvca/cv-ca-" + d + ".pem")
		if err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode(raw)
		pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		if !k.PublicKey.Equal(pub) {
			t.Errorf("key %s: private and public PEM differ", d)
		}
	}
	if _, err := cvcaKey("1234567"); err == nil {
		t.Error("cvcaKey of an unknown key succeeded")
	}
}

// TestEncodeCVCLayout checks the 568-byte layout byte for byte and that
// the signature covers the 297-byte 5F4E value, not its TLV.
func TestEncodeCVCLayout(t *testing.T) {
	ca, err := cvcaKey(cvcaMFChain)
	if err != nil {
		t.Fatal(err)
	}
	_, _, subj := keys(t)
	iss, sub := cvKeyID(cvcaMFChain, cvKeyIDFinalMFChain), cvKeyID("9000099", cvKeyIDFinalApp)
	cvc := encodeCVC(iss, sub, &subj.PublicKey, ca)
	if len(cvc) != 568 {
		t.Fatalf("CVC of %d bytes, want 568", len(cvc))
	}
	for _, hdr := range []struct {
		off  int
		want string
	}{{0, "7F 21 82 02 33"}, {5, "5F 4E 82 01 29"}, {5 + 5 + 32, "90 03 01 00 01"}, {5 + 5 + 37, "91 82 01 00"}, {5 + 5 + 297, "5F 37 82 01 00"}} {
		if got := cvc[hdr.off : hdr.off+len(h(hdr.want))]; !bytes.Equal(got, h(hdr.want)) {
			t.Errorf("at %d: % X, want %s", hdr.off, got, hdr.want)
		}
	}
	body := cvc[10 : 10+cvBodySize]
	if !bytes.Equal(body[:16], iss[:]) || !bytes.Equal(body[16:32], sub[:]) {
		t.Error("key IDs not where they belong")
	}
	if !bytes.Equal(body[41:], subj.N.Bytes()) {
		t.Error("modulus not the subject's")
	}
	sig := cvc[len(cvc)-256:]
	hv := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(&ca.PublicKey, crypto.SHA256, hv[:], sig); err != nil {
		t.Errorf("signature over the 5F4E value: %v", err)
	}
	ht := sha256.Sum256(cvc[5 : 10+cvBodySize])
	if rsa.VerifyPKCS1v15(&ca.PublicKey, crypto.SHA256, ht[:], sig) == nil {
		t.Error("signature verifies over the 5F4E TLV too")
	}
	tlv, rest, err := apdu.ReadTLV(cvc)
	if err != nil || len(rest) != 0 || tlv.Tag != tagCVC {
		t.Errorf("ReadTLV: %v, %d left", err, len(rest))
	}
}

func TestEncodeCVCRefusesWhatItCannotEncode(t *testing.T) {
	ca, err := cvcaKey(cvcaText)
	if err != nil {
		t.Fatal(err)
	}
	var id [cvKeyIDSize]byte
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if encodeCVC(id, id, &small.PublicKey, ca) != nil {
		t.Error("RSA-1024 subject accepted")
	}
	if encodeCVC(id, id, &ca.PublicKey, nil) != nil {
		t.Error("nil signer accepted")
	}
	if encodeCVC(id, id, nil, ca) != nil {
		t.Error("nil key accepted")
	}
}
