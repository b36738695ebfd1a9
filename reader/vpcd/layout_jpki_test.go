package vpcd_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// The JPKI application and the card level, as docs/card.md describes them.
func init() {
	h := jpkitest.DefaultHolder()
	sel := selectAID(virtual.AIDJPKI)
	isd := layoutAPDU{cmd: "00A4040C07A0000001510000", sw: 0x9000}
	blank := func(s string, n int) []byte { return append([]byte(s), bytes.Repeat([]byte(" "), n-len(s))...) }

	rows := []layoutRow{
		{name: "JPKI EF 0006", doc: "EF 0006: token information", apdus: []layoutAPDU{sel,
			{cmd: "00A4020C020006", sw: 0x9000},
			{cmd: "00B0000000", sw: 0x9000, check: at(160, map[int][]byte{
				0:   blank("JPKIAPICCTOKEN2", 32),
				64:  blank("E16R01NJ", 16),
				96:  hx("0000040D"),
				116: hx("00000010 00000006"),
				140: []byte("0301"),
			})},
			{cmd: "00B000A001", sw: 0x6B00},
		}},
		{name: "JPKI EF 0008", doc: "EF 0008: which certificates are present", apdus: append([]layoutAPDU{sel}, readWhole("0008", hx("8F 8F 00"))...)},
		{name: "JPKI EF 0002", doc: "Certificate EFs", apdus: append([]layoutAPDU{sel}, readWhole("0002", h.SignCA.Raw)...)},
		{name: "JPKI EF 000A", doc: "Certificate EFs", apdus: append([]layoutAPDU{sel}, readWhole("000A", h.AuthCert.Raw)...)},
		{name: "JPKI EF 000B", doc: "Certificate EFs", apdus: append([]layoutAPDU{sel}, readWhole("000B", h.AuthCA.Raw)...)},
		{name: "JPKI EF 0001 needs the signing password", doc: "Certificate EFs", apdus: []layoutAPDU{sel,
			{cmd: "00A4020C020001", sw: 0x9000}, {cmd: "00B0000007", sw: 0x6982}}},
		{name: "JPKI PIN EFs", doc: "PIN and key EFs", apdus: []layoutAPDU{sel,
			{cmd: "00A4020C020018", sw: 0x9000}, {cmd: "00200080", sw: 0x63C3},
			{cmd: "00A4020C02001B", sw: 0x9000}, {cmd: "00200080", sw: 0x63C5},
			{cmd: "00200098", sw: 0x63C3}, {cmd: "0020009B", sw: 0x63C5}}},
		{name: "JPKI key EFs", doc: "PIN and key EFs", apdus: []layoutAPDU{sel,
			{cmd: "00A4020C020017", sw: 0x9000}, {cmd: "00B0000001", sw: 0x6981},
			{cmd: "00A4020C02001A", sw: 0x9000}, {cmd: "00B0000001", sw: 0x6981},
			// SIGN without the PIN.
			{cmd: "802A009A0101" + "00", sw: 0x6982}}},
		{name: "SELECT forms", doc: "SELECT", apdus: []layoutAPDU{isd,
			{cmd: "00A40000", sw: 0x6A86},
			{cmd: "00A4040C0AD392F000260100000002", sw: 0x6A82},
			{cmd: "00A4040C05D392F00026", sw: 0x9000},
			{cmd: "00A4020C02000A", sw: 0x9000},
			{cmd: "00A40000", sw: 0x9000},
			{cmd: "00A4000C023F00", sw: 0x6A82},
			{cmd: "00A4020C023F00", sw: 0x6A82},
			{cmd: "00B0000001", sw: 0x9000, check: equals(h.AuthCert.Raw[:1])}}},
		{name: "card level GET DATA", doc: "GET DATA at the card level", apdus: []layoutAPDU{isd,
			{cmd: "00CA5F5100", sw: 0x9000, check: equals([]byte(virtual.DefaultATR)[1:])},
			{cmd: "00CA00F800", sw: 0x9000, check: mfChainUpper},
			{cmd: "00CA7F2100", sw: 0x9000, check: mfChainLower},
			sel, {cmd: "00CA00F800", sw: 0x6A88}, {cmd: "00CA5F5100", sw: 0x9000}}},
		{name: "GET CHALLENGE", doc: "GET CHALLENGE", apdus: []layoutAPDU{
			{cmd: "0084000008", sw: 0x9000, check: length(8)},
			{cmd: "0084000000", sw: 0x9000, check: length(256)}}},
	}
	layoutRows = append(layoutRows, rows...)
}

// mfChain holds the certified key of the 00F8 CVC, for the 7F21 check
// (rows run in order).
var mfChain struct {
	subjectID []byte
	key       *rsa.PublicKey
}

// mfChainUpper checks GET DATA 00F8: the contents of a 7F21 template
// (docs/card.md, "Card-verifiable certificate format"), issued by the
// virtual card-level CV CA 9000020 and signed by it over the 5F4E value.
func mfChainUpper(b []byte) error {
	raw, err := os.ReadFile("../../card/virtual/cvca/cv-ca-9000020.pem")
	if err != nil {
		return err
	}
	blk, _ := pem.Decode(raw)
	if blk == nil {
		return errors.New("no PEM in cv-ca-9000020.pem")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return err
	}
	caID := []byte("9000020\x08\x05001\x00\x00\x00\xA8")
	sub, key, err := checkCVCContents(b, caID, k.(*rsa.PublicKey))
	mfChain.subjectID, mfChain.key = sub, key
	return err
}

// mfChainLower checks GET DATA 7F21, issued by the key 00F8 certifies.
func mfChainLower(b []byte) error {
	if mfChain.key == nil {
		return errors.New("00F8 did not give a key")
	}
	_, _, err := checkCVCContents(b, mfChain.subjectID, mfChain.key)
	return err
}

// checkCVCContents checks 5F4E 82 0129 { issuer ID, subject ID, 90 03
// 010001, 91 82 0100 modulus } 5F37 82 0100 signature, and returns the
// subject key ID and key.
func checkCVCContents(b, issuerID []byte, issuer *rsa.PublicKey) ([]byte, *rsa.PublicKey, error) {
	if len(b) != 563 {
		return nil, nil, fmt.Errorf("%d bytes, want 563", len(b))
	}
	for off, want := range map[int]string{0: "5F 4E 82 01 29", 37: "90 03 01 00 01", 42: "91 82 01 00", 302: "5F 37 82 01 00"} {
		if !bytes.Equal(b[off:off+len(hx(want))], hx(want)) {
			return nil, nil, fmt.Errorf("at %d: % X, want %s", off, b[off:off+len(hx(want))], want)
		}
	}
	body := b[5:302]
	if !bytes.Equal(body[:16], issuerID) {
		return nil, nil, fmt.Errorf("issuer key ID % X, want % X", body[:16], issuerID)
	}
	sum := sha256.Sum256(body)
	if err := rsa.VerifyPKCS1v15(issuer, crypto.SHA256, sum[:], b[307:]); err != nil {
		return nil, nil, fmt.Errorf("signature over the 5F4E value: %w", err)
	}
	return body[16:32], &rsa.PublicKey{N: new(big.Int).SetBytes(body[41:297]), E: 65537}, nil
}
