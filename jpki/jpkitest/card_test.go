package jpkitest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/mynacard/mynacard/card/virtual"
)

// Raw APDU pieces for talking to a card built from Holder.Contents
// (docs/card.md "Applications" and "Commands"); written out here so the test
// does not depend on the card/ layer it is meant to feed.
const (
	aidJPKI         = "\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01"
	aidText         = "\xD3\x92\x10\x00\x31\x00\x01\x01\x04\x08"
	efAuthCert      = 0x000A
	efAuthCACert    = 0x000B
	efSignCert      = 0x0001
	efAuthKey       = 0x0017
	efAuthPIN       = 0x0018
	efSignPIN       = 0x001B
	efTextNumber    = 0x0001
	efTextPIN       = 0x0011
	swOK            = 0x9000
	swSecurityState = 0x6982
	readChunk       = 0xFF // short READ BINARY chunk (Le = FF)
)

// sha256DigestInfo is the DER DigestInfo prefix for SHA-256.
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

type rawCard struct {
	t        *testing.T
	transmit func([]byte) []byte
}

func (c rawCard) do(capdu []byte) ([]byte, uint16) {
	c.t.Helper()
	r := c.transmit(capdu)
	if len(r) < 2 {
		c.t.Fatalf("response %x to %x", r, capdu[:4])
	}
	return r[:len(r)-2], binary.BigEndian.Uint16(r[len(r)-2:])
}

func (c rawCard) must(capdu []byte) []byte {
	c.t.Helper()
	data, sw := c.do(capdu)
	if sw != swOK {
		c.t.Fatalf("%x: status %04X", capdu[:4], sw)
	}
	return data
}

func (c rawCard) selectAID(aid string) {
	c.t.Helper()
	c.must(append([]byte{0x00, 0xA4, 0x04, 0x0C, byte(len(aid))}, aid...))
}

func (c rawCard) selectEF(fid uint16) {
	c.t.Helper()
	c.must([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, byte(fid >> 8), byte(fid)})
}

func (c rawCard) verify(fid uint16, pin string) {
	c.t.Helper()
	c.selectEF(fid)
	c.must(append([]byte{0x00, 0x20, 0x00, 0x80, byte(len(pin))}, pin...))
}

// readDER reads a DER object from the current EF in short chunks, its
// length from the header.
func (c rawCard) readDER(fid uint16) ([]byte, uint16) {
	c.t.Helper()
	c.selectEF(fid)
	head, sw := c.do([]byte{0x00, 0xB0, 0x00, 0x00, 0x04})
	if sw != swOK {
		return nil, sw
	}
	total := 4 + int(binary.BigEndian.Uint16(head[2:4])) // 30 82 HH LL
	out := head
	for len(out) < total {
		n := min(readChunk, total-len(out))
		out = append(out, c.must([]byte{0x00, 0xB0, byte(len(out) >> 8), byte(len(out)), byte(n)})...)
	}
	return out, swOK
}

// exerciseCard checks that a card built from h.Contents() gives back what
// h holds.
func exerciseCard(t *testing.T, h *Holder, transmit func([]byte) []byte) {
	c := rawCard{t, transmit}
	c.selectAID(aidJPKI)
	if got, _ := c.readDER(efAuthCert); !bytes.Equal(got, h.AuthCert.Raw) {
		t.Error("EF 000A differs from AuthCert")
	}
	if got, _ := c.readDER(efAuthCACert); !bytes.Equal(got, h.AuthCA.Raw) {
		t.Error("EF 000B differs from AuthCA")
	}
	if _, sw := c.readDER(efSignCert); sw != swSecurityState {
		t.Errorf("signing certificate before the signing PIN: %04X, want %04X", sw, swSecurityState)
	}
	c.verify(efSignPIN, h.Spec.SignPIN)
	if got, _ := c.readDER(efSignCert); !bytes.Equal(got, h.SignCert.Raw) {
		t.Error("EF 0001 differs from SignCert")
	}
	c.verify(efAuthPIN, h.Spec.AuthPIN)
	c.selectEF(efAuthKey)
	digest := sha256.Sum256([]byte("jpkitest"))
	di := append(append([]byte(nil), sha256DigestInfo...), digest[:]...)
	sig := c.must(append(append([]byte{0x80, 0x2A, 0x00, 0x80, byte(len(di))}, di...), 0x00))
	if err := rsa.VerifyPKCS1v15(h.AuthCert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("card signature does not verify with AuthCert: %v", err)
	}

	c.selectAID(aidText)
	c.verify(efTextPIN, h.Spec.AuthPIN)
	c.selectEF(efTextNumber)
	if got := c.must([]byte{0x00, 0xB0, 0x00, 0x00, 0x11}); len(got) < 15 || string(got[3:15]) != h.Spec.Number {
		t.Errorf("text EF 0001 = %x, want the number", got)
	}
}

// TestVirtualCard builds virtual cards from holders' Contents and checks,
// with raw APDUs, that they give back what the holders hold.
func TestVirtualCard(t *testing.T) {
	for name, spec := range map[string]HolderSpec{
		"default":      {},
		"octet string": {OctetStringSAN: true, Generation: 1, SignPIN: "pass1234", Number: "123456789018"},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := Default().Issue(spec)
			if err != nil {
				t.Fatal(err)
			}
			card, err := virtual.NewMyNumberCard(h.Contents())
			if err != nil {
				t.Fatalf("building virtual card: %v", err)
			}
			exerciseCard(t, h, card.Transmit)
		})
	}
}
