package virtual

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"math/big"
	"testing"
)

// TestSpeculativeECDSASign drives the speculative ECDSA key EFs with the
// same key operations as the RSA card: SELECT, VERIFY, SIGN over a bare
// digest, answered r ‖ s.
func TestSpeculativeECDSASign(t *testing.T) {
	sign, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	auth, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := newTestCard(t, WithSpeculativeECDSAKeys(sign, auth))
	d384 := sha512.Sum384([]byte("message"))
	d256 := sha256.Sum256([]byte("message"))
	signHex := func(p1, p2 string, data []byte, le string) string {
		return fmt.Sprintf("802A%s%s%02X%s%s", p1, p2, len(data), hexOf(data), le)
	}
	// Not verified: 6982.
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("001A"), 0x9000}, {signHex("00", "80", d384[:], "00"), 0x6982}})
	run(t, c, []step{{selEF("001B"), 0x9000}, {verifyHex("80", testSignPIN), 0x9000}, {selEF("001A"), 0x9000}})
	for _, tt := range []struct {
		name string
		apdu string
		sw   uint16
	}{
		{"SHA-1 length", signHex("00", "80", make([]byte, 20), "00"), 0x6985},
		{"Le too short", signHex("00", "80", d384[:], "20"), 0x6C60},
		{"other P1", signHex("01", "80", d384[:], "00"), 0x6A86},
	} {
		if _, sw := send(t, c, h(tt.apdu)); sw != tt.sw {
			t.Errorf("%s: %04X, want %04X", tt.name, sw, tt.sw)
		}
	}
	for _, d := range [][]byte{d384[:], d256[:]} {
		out, sw := send(t, c, h(signHex("00", "80", d, "00")))
		if sw != 0x9000 || len(out) != 96 {
			t.Fatalf("SIGN over %d bytes: %04X, %d bytes", len(d), sw, len(out))
		}
		r, s := new(big.Int).SetBytes(out[:48]), new(big.Int).SetBytes(out[48:])
		if !ecdsa.Verify(&sign.PublicKey, d, r, s) {
			t.Errorf("r ‖ s over %d bytes does not verify", len(d))
		}
	}
	// The auth key by SFI (P2 = 97), P-256: 64 bytes.
	run(t, c, []step{{verifyHex("98", testAuthPIN), 0x9000}})
	out, sw := send(t, c, h(signHex("00", "97", d256[:], "00")))
	if sw != 0x9000 || len(out) != 64 || !ecdsa.Verify(&auth.PublicKey, d256[:], new(big.Int).SetBytes(out[:32]), new(big.Int).SetBytes(out[32:])) {
		t.Errorf("auth key by SFI: %04X, %d bytes", sw, len(out))
	}
	if _, err := NewMyNumberCard(testContents(t), WithSpeculativeECDSAKeys(mustKey(t, elliptic.P521()), nil)); err == nil {
		t.Error("P-521 key accepted")
	}
	// Without the option the card is RSA: a 256-byte answer.
	rc := newTestCard(t)
	run(t, rc, []step{{selJPKI, 0x9000}, {verifyHex("98", testAuthPIN), 0x9000}})
	if out, sw := send(t, rc, h(signHex("00", "97", append(append([]byte(nil), digestInfoSHA256...), d256[:]...), "00"))); sw != 0x9000 || len(out) != 256 {
		t.Errorf("default card: %04X, %d bytes", sw, len(out))
	}
}

func mustKey(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
