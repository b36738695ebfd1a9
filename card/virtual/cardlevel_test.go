package virtual

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"math/big"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

func TestGetDataCardLevel(t *testing.T) {
	c := newTestCard(t)
	atr, sw := send(t, c, h("00CA5F5100"))
	if sw != 0x9000 || !bytes.Equal(atr, []byte(DefaultATR)[1:]) {
		t.Fatalf("5F51 = % X %04X", atr, sw)
	}
	upper := getDataAll(t, c, "00F8")
	lower := getDataAll(t, c, "7F21")
	ca, err := cvcaKey(cvcaMFChain)
	if err != nil {
		t.Fatal(err)
	}
	caID := cvKeyID(cvcaMFChain, cvKeyIDFinalMFChain)
	interPub := checkCVCContents(t, upper, caID[:], &ca.PublicKey)
	checkCVCContents(t, lower, upper[5+16:5+32], interPub)

	// Inside an application only 5F51 answers.
	run(t, c, []step{{selJPKI, 0x9000}, {"00CA5F5100", 0x9000}, {"00CA00F800", 0x6A88}, {"00CA7F2100", 0x6A88},
		// Selecting the ISD brings the card level back.
		{"00A4040C07A0000001510000", 0x9000}, {"00CA00F800", 0x6100}})
	run(t, c, []step{{"00CA004200", 0x6A88}, {"00CA5F51", 0x6700}})

	c24 := newTestCard(t, WithATR([]byte(ATR2024)))
	if atr, _ := send(t, c24, h("00CA5F5100")); !bytes.Equal(atr, []byte(ATR2024)[1:]) {
		t.Errorf("2024 card 5F51 = % X", atr)
	}
	if !bytes.Equal(c24.ATR(), []byte(ATR2024)) {
		t.Error("ATR option ignored")
	}
}

// getDataAll sends GET DATA with Le 00 and follows 61xx.
func getDataAll(t *testing.T, c *Card, tag string) []byte {
	t.Helper()
	data, sw := send(t, c, h("00CA"+tag+"00"))
	for sw&0xFF00 == 0x6100 {
		var more []byte
		more, sw = send(t, c, []byte{0x00, 0xC0, 0x00, 0x00, byte(sw)})
		data = append(data, more...)
	}
	if sw != 0x9000 {
		t.Fatalf("GET DATA %s: %04X", tag, sw)
	}
	return data
}

// checkCVCContents checks the contents of a 7F21 template (5F4E, 5F37)
// against the issuer key ID and key, and returns the certified key.
func checkCVCContents(t *testing.T, b, issuerID []byte, issuer *rsa.PublicKey) *rsa.PublicKey {
	t.Helper()
	if len(b) != 563 || !bytes.Equal(b[:5], h("5F4E820129")) || !bytes.Equal(b[302:307], h("5F37820100")) {
		t.Fatalf("CVC contents of %d bytes: % X", len(b), b[:5])
	}
	body := b[5:302]
	if !bytes.Equal(body[:16], issuerID) {
		t.Errorf("issuer key ID % X, want % X", body[:16], issuerID)
	}
	hv := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(issuer, crypto.SHA256, hv[:], b[307:]); err != nil {
		t.Errorf("CVC signature: %v", err)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(body[41:]), E: 65537}
}

func TestGetChallenge(t *testing.T) {
	c := newTestCard(t)
	for _, le := range []int{1, 8, 255, 256} {
		data, sw := send(t, c, []byte{0x00, 0x84, 0x00, 0x00, byte(le)})
		if sw != 0x9000 || len(data) != le {
			t.Errorf("Le %d: %d bytes %04X", le, len(data), sw)
		}
	}
	a, _ := send(t, c, h("0084000010"))
	b, _ := send(t, c, h("0084000010"))
	if bytes.Equal(a, b) {
		t.Error("two challenges are equal")
	}
	run(t, c, []step{{"00840000000010", 0x6985}, {"00840000", 0x6700}, {"0084010008", 0x6A86}, {selJPKI, 0x9000}, {"0084000008", 0x9000}})
}

func TestEndOfFileVariants(t *testing.T) {
	cert := testContents(t).AuthCert
	tail := fmt.Sprintf("00B0%04X00", len(cert)-10)
	for _, tc := range []struct {
		a    EndOfFileAnswer
		want []byte
		sw   uint16
	}{
		{EndOfFileShort, cert[len(cert)-10:], 0x9000},
		{EndOfFileWarning, cert[len(cert)-10:], 0x6282},
		{EndOfFileWrongLe, nil, 0x6C0A},
		{EndOfFileRefused, nil, 0x6B00},
	} {
		t.Run(tc.a.String(), func(t *testing.T) {
			c := newTestCard(t, WithEndOfFile(tc.a))
			run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}})
			data, sw := send(t, c, h(tail))
			if sw != tc.sw || !bytes.Equal(data, tc.want) {
				t.Errorf("%s -> %d bytes %04X, want %04X", tail, len(data), sw, tc.sw)
			}
			// Offsets at the end are refused and exact reads answered
			// whatever the variant.
			run(t, c, []step{{fmt.Sprintf("00B0%04X01", len(cert)), 0x6B00}, {fmt.Sprintf("00B0%04X0A", len(cert)-10), 0x9000}})
		})
	}
	c := newTestCard(t, WithEndOfFile(EndOfFileWrongLe))
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {"00B00000000000", 0x6C00}})
	c = newTestCard(t, WithShortReadStatus(apdu.SWWrongLength))
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("000A"), 0x9000}, {tail, 0x6700}})
}

func TestBlockedQueryVariants(t *testing.T) {
	for _, a := range BlockedQueryAnswers {
		t.Run(fmt.Sprintf("%04X", uint16(a)), func(t *testing.T) {
			c := newTestCard(t, WithBlockedQuery(a), WithMaxTries(PINJPKIAuth, 1))
			run(t, c, []step{{selJPKI, 0x9000}, {verifyHex("98", "9999"), 0x63C0},
				{verifyHex("98", ""), uint16(a)}, {verifyHex("98", testAuthPIN), 0x6984}})
		})
	}
}

func TestPresenceFileOptions(t *testing.T) {
	c := newTestCard(t, WithPresenceFile([]byte{1, 1, 1, 1}))
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("0008"), 0x9000}})
	if data, _ := send(t, c, h("00B0000000")); !bytes.Equal(data, []byte{1, 1, 1, 1}) {
		t.Errorf("EF 0008 = % X", data)
	}
	c = newTestCard(t, WithPresenceFile(nil))
	run(t, c, []step{{selJPKI, 0x9000}, {selEF("0008"), 0x6A82}})
}
