package virtual

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// TestOpenSCSequence replays the APDUs OpenSC's jpki driver
// (card-jpki.c, pkcs15-jpki.c) sends to a real card: match by SELECT of
// the AP, PIN GET_INFO by an empty VERIFY after selecting the PIN EF,
// certificate size from the first four bytes, short reads, VERIFY, and
// SIGN after selecting the key EF with CASE_4_SHORT and Le 00.
func TestOpenSCSequence(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t)
	run(t, c, []step{
		{selJPKI, 0x9000},
		{selEF("0018"), 0x9000}, {"00200080", 0x63C3},
		{selEF("001B"), 0x9000}, {"00200080", 0x63C5},
		{selEF("000A"), 0x9000},
	})
	hdr, sw := send(t, c, h("00B0000004"))
	if sw != 0x9000 || len(hdr) != 4 {
		t.Fatalf("size probe: % X %04X", hdr, sw)
	}
	size := int(binary.BigEndian.Uint16(hdr[2:])) + 4
	var cert []byte
	for len(cert) < size {
		n := min(256, size-len(cert))
		data, sw := send(t, c, []byte{0x00, 0xB0, byte(len(cert) >> 8), byte(len(cert)), byte(n)})
		if sw != 0x9000 || len(data) != n {
			t.Fatalf("read at %d: %d bytes %04X", len(cert), len(data), sw)
		}
		cert = append(cert, data...)
	}
	if !bytes.Equal(cert, ct.AuthCert) {
		t.Fatal("certificate differs")
	}
	// The signing certificate is private: the size probe fails.
	run(t, c, []step{{selEF("0001"), 0x9000}, {"00B0000004", 0x6982}})

	digest := sha256.Sum256([]byte("opensc"))
	di := append(append([]byte(nil), digestInfoSHA256...), digest[:]...)
	run(t, c, []step{{selEF("0018"), 0x9000}, {"0020008004" + hexOf([]byte(testAuthPIN)), 0x9000}, {selEF("0017"), 0x9000}})
	sig, sw := send(t, c, append(append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...), 0x00))
	if sw != 0x9000 {
		t.Fatalf("SIGN %04X", sw)
	}
	if err := rsa.VerifyPKCS1v15(&ct.AuthKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Error(err)
	}
}

// TestMynaSequence replays jpki/myna's signing flow: SELECT AP, SELECT
// the signing PIN EF, VERIFY, SELECT the key EF, SIGN; then CHANGE PIN
// after VERIFY in the same selection.
func TestMynaSequence(t *testing.T) {
	ct := testContents(t)
	c := newTestCard(t)
	digest := sha256.Sum256([]byte("myna"))
	di := append(append([]byte(nil), digestInfoSHA256...), digest[:]...)
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("001B"), 0x9000}, {verifyHex("80", testSignPIN), 0x9000}, {selEF("001A"), 0x9000}})
	sig, sw := send(t, c, append(append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...), 0x00))
	if sw != 0x9000 {
		t.Fatalf("SIGN %04X", sw)
	}
	if err := rsa.VerifyPKCS1v15(&ct.SignKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Error(err)
	}
	run(t, c, []step{{selEF("001B"), 0x9000}, {verifyHex("80", testSignPIN), 0x9000},
		{"0024018008" + hexOf([]byte("NEWPASS1")), 0x9000}})
	if c.TriesLeft(PINJPKISign) != MaxTriesJPKISign {
		t.Error("counter not at maximum after CHANGE")
	}
}
