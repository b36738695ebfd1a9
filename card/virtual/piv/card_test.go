package piv_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card/virtual/piv"
)

const pin = "123456"

var (
	selectPIV   = []byte{0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08}
	getVersion  = []byte{0x00, 0xFD, 0x00, 0x00}
	getSerial   = []byte{0x00, 0xF8, 0x00, 0x00}
	verifyEmpty = []byte{0x00, 0x20, 0x00, 0x80}
)

func verifyPIN(p string) []byte {
	data := bytes.Repeat([]byte{0xFF}, 8)
	copy(data, p)
	return append([]byte{0x00, 0x20, 0x00, 0x80, 0x08}, data...)
}

func getCert(objTail byte) []byte {
	return []byte{0x00, 0xCB, 0x3F, 0xFF, 0x05, 0x5C, 0x03, 0x5F, 0xC1, objTail}
}

func cmd(t testing.TB, c apdu.Command) []byte {
	t.Helper()
	b, err := c.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func generalAuth(t testing.TB, alg, slot byte, challenge []byte) []byte {
	inner := apdu.AppendTLV([]byte{0x82, 0x00}, 0x81, challenge)
	return cmd(t, apdu.Command{CLA: 0x00, INS: 0x87, P1: alg, P2: slot, Data: apdu.AppendTLV(nil, 0x7C, inner)})
}

// send transmits one APDU and splits the answer.
func send(t testing.TB, c *piv.Card, capdu []byte) apdu.Response {
	t.Helper()
	r, err := apdu.ParseResponse(c.Transmit(capdu))
	if err != nil {
		t.Fatalf("response to % X: %v", capdu, err)
	}
	return r
}

// sendAll transmits and follows 61xx with GET RESPONSE, as piv-go does.
func sendAll(t testing.TB, c *piv.Card, capdu []byte) apdu.Response {
	t.Helper()
	r := send(t, c, capdu)
	data := append([]byte(nil), r.Data...)
	for r.SW1() == 0x61 {
		r = send(t, c, []byte{0x00, 0xC0, 0x00, 0x00})
		data = append(data, r.Data...)
	}
	return apdu.Response{Data: data, SW: r.SW}
}

func expectSW(t testing.TB, r apdu.Response, sw uint16) {
	t.Helper()
	if r.SW != sw {
		t.Fatalf("SW %04X, want %04X", r.SW, sw)
	}
}

func newCert(t testing.TB, key crypto.Signer) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "operator"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

type fixture struct {
	card    *piv.Card
	sigKey  *ecdsa.PrivateKey
	sigCert []byte
	rsaKey  *rsa.PrivateKey
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	sigKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	f := fixture{sigKey: sigKey, sigCert: newCert(t, sigKey), rsaKey: rsaKey}
	c, err := piv.NewCard(
		piv.WithKey(piv.SlotSignature, sigKey, f.sigCert, piv.PINPolicyAlways),
		piv.WithKey(piv.SlotAuthentication, rsaKey, newCert(t, rsaKey), piv.PINPolicyOnce),
		piv.WithKey(piv.SlotCardAuthentication, sigKey, nil, piv.PINPolicyNever),
		piv.WithSerial(0x01020304),
	)
	if err != nil {
		t.Fatal(err)
	}
	f.card = c
	return f
}

func TestSelectAndYubiKeyInfo(t *testing.T) {
	f := newFixture(t)
	expectSW(t, send(t, f.card, getVersion), 0x6D00) // nothing selected yet
	expectSW(t, send(t, f.card, []byte{0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x05, 0x27}), 0x6A82)
	expectSW(t, send(t, f.card, []byte{0x00, 0xA4, 0x04, 0x00, 0x03, 0xA0, 0x00, 0x00}), 0x6A82)
	expectSW(t, send(t, f.card, []byte{0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00}), 0x6A86)

	r := send(t, f.card, selectPIV)
	expectSW(t, r, 0x9000)
	apt, _, err := apdu.ReadTLV(r.Data)
	if err != nil || apt.Tag != 0x61 {
		t.Fatalf("SELECT answered % X, want an APT", r.Data)
	}
	full := []byte{0x00, 0xA4, 0x04, 0x00, 0x0B, 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00}
	expectSW(t, send(t, f.card, full), 0x9000)

	r = send(t, f.card, getVersion)
	if expectSW(t, r, 0x9000); string(r.Data) != piv.DefaultVersion {
		t.Errorf("version % X", r.Data)
	}
	r = send(t, f.card, getSerial)
	if expectSW(t, r, 0x9000); binary.BigEndian.Uint32(r.Data) != 0x01020304 {
		t.Errorf("serial % X", r.Data)
	}
	if string(f.card.ATR()) != piv.DefaultATR {
		t.Error("ATR")
	}
}

func TestGetCertificate(t *testing.T) {
	f := newFixture(t)
	send(t, f.card, selectPIV)
	first := send(t, f.card, getCert(0x0A))
	if first.SW1() != 0x61 || len(first.Data) != 256 {
		t.Fatalf("first piece: %d bytes, SW %04X; want 256 and 61xx", len(first.Data), first.SW)
	}
	send(t, f.card, selectPIV)
	r := sendAll(t, f.card, getCert(0x0A))
	expectSW(t, r, 0x9000)
	obj, _, err := apdu.ReadTLV(r.Data)
	if err != nil || obj.Tag != 0x53 {
		t.Fatalf("GET DATA answered % X", r.Data)
	}
	tlvs, err := apdu.ParseTLVs(obj.Value)
	if err != nil {
		t.Fatal(err)
	}
	if der, _ := apdu.Find(tlvs, 0x70); !bytes.Equal(der, f.sigCert) {
		t.Fatal("certificate differs")
	}
	for _, tc := range []struct {
		name  string
		capdu []byte
		sw    uint16
	}{
		{"empty slot 9d", getCert(0x0B), 0x6A82},
		{"key without certificate 9e", getCert(0x01), 0x6A82},
		{"unknown object", getCert(0x02), 0x6A82},
		{"wrong P1P2", []byte{0x00, 0xCB, 0x00, 0x00, 0x05, 0x5C, 0x03, 0x5F, 0xC1, 0x0A}, 0x6A86},
		{"no tag list", []byte{0x00, 0xCB, 0x3F, 0xFF, 0x02, 0x53, 0x00}, 0x6A80},
		{"get response with nothing pending", []byte{0x00, 0xC0, 0x00, 0x00}, 0x6985},
	} {
		t.Run(tc.name, func(t *testing.T) { expectSW(t, send(t, f.card, tc.capdu), tc.sw) })
	}
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	send(t, f.card, selectPIV)
	steps := []struct {
		name  string
		capdu []byte
		sw    uint16
	}{
		{"status before", verifyEmpty, 0x63C3},
		{"wrong", verifyPIN("000000"), 0x63C2},
		{"status after wrong", verifyEmpty, 0x63C2},
		{"wrong length", []byte{0x00, 0x20, 0x00, 0x80, 0x04, '1', '2', '3', '4'}, 0x6A80},
		{"PUK reference", []byte{0x00, 0x20, 0x00, 0x81, 0x08, '1', '2', '3', '4', '5', '6', '7', '8'}, 0x6A88},
		{"right", verifyPIN(pin), 0x9000},
		{"status verified", verifyEmpty, 0x9000},
		{"reset status", []byte{0x00, 0x20, 0xFF, 0x80}, 0x9000},
		{"status reset", verifyEmpty, 0x63C3},
		{"wrong 1", verifyPIN("999999"), 0x63C2},
		{"wrong 2", verifyPIN("999999"), 0x63C1},
		{"wrong 3", verifyPIN("999999"), 0x63C0},
		{"blocked", verifyPIN(pin), 0x6983},
		{"status blocked", verifyEmpty, 0x6983},
	}
	for _, s := range steps {
		if r := send(t, f.card, s.capdu); r.SW != s.sw {
			t.Fatalf("%s: SW %04X, want %04X", s.name, r.SW, s.sw)
		}
	}
	if f.card.PINTriesLeft() != 0 {
		t.Fatal("tries left after blocking")
	}
}

func TestGeneralAuthenticate(t *testing.T) {
	f := newFixture(t)
	send(t, f.card, selectPIV)
	digest := sha256.Sum256([]byte("record"))
	const algP256, algRSA2048, slot9c, slot9a, slot9e = 0x11, 0x07, 0x9C, 0x9A, 0x9E

	expectSW(t, send(t, f.card, generalAuth(t, algP256, slot9c, digest[:])), 0x6982)
	send(t, f.card, verifyPIN(pin))
	r := send(t, f.card, generalAuth(t, algP256, slot9c, digest[:]))
	expectSW(t, r, 0x9000)
	tmpl, _, _ := apdu.ReadTLV(r.Data)
	inner, _ := apdu.ParseTLVs(tmpl.Value)
	sig, _ := apdu.Find(inner, 0x82)
	if tmpl.Tag != 0x7C || !ecdsa.VerifyASN1(&f.sigKey.PublicKey, digest[:], sig) {
		t.Fatalf("signature % X does not verify", r.Data)
	}
	// PIN always: the next signature needs a new VERIFY.
	expectSW(t, send(t, f.card, generalAuth(t, algP256, slot9c, digest[:])), 0x6982)
	// PIN never: no VERIFY.
	expectSW(t, send(t, f.card, generalAuth(t, algP256, slot9e, digest[:])), 0x9000)

	// RSA 2048 in 9a (PIN once, verified above): the padded block is 256
	// bytes, so the command is chained (CLA 10) as piv-go does.
	em := pkcs1v15(t, f.rsaKey, digest[:])
	full := apdu.AppendTLV(nil, 0x7C, apdu.AppendTLV([]byte{0x82, 0x00}, 0x81, em))
	head := cmd(t, apdu.Command{CLA: 0x10, INS: 0x87, P1: algRSA2048, P2: slot9a, Data: full[:255]})
	expectSW(t, send(t, f.card, head), 0x9000)
	r = sendAll(t, f.card, cmd(t, apdu.Command{CLA: 0x00, INS: 0x87, P1: algRSA2048, P2: slot9a, Data: full[255:]}))
	expectSW(t, r, 0x9000)
	tmpl, _, _ = apdu.ReadTLV(r.Data)
	inner, _ = apdu.ParseTLVs(tmpl.Value)
	sig, _ = apdu.Find(inner, 0x82)
	if err := rsa.VerifyPKCS1v15(&f.rsaKey.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("RSA signature: %v", err)
	}

	for _, tc := range []struct {
		name  string
		capdu []byte
		sw    uint16
	}{
		{"wrong algorithm", generalAuth(t, algRSA2048, slot9e, digest[:]), 0x6A86},
		{"empty slot", generalAuth(t, algP256, 0x9D, digest[:]), 0x6A82},
		{"not a slot", generalAuth(t, algP256, 0x42, digest[:]), 0x6A86},
		{"management key", generalAuth(t, 0x03, 0x9B, digest[:8]), 0x6A81},
		{"digest too long", generalAuth(t, algP256, slot9e, make([]byte, 33)), 0x6A80},
		{"RSA block too short", generalAuth(t, algRSA2048, slot9a, digest[:]), 0x6A80},
		{"no template", cmd(t, apdu.Command{INS: 0x87, P1: algP256, P2: slot9e, Data: []byte{0x81, 0x01, 0x00}}), 0x6A80},
		{"no response tag", cmd(t, apdu.Command{INS: 0x87, P1: algP256, P2: slot9e, Data: []byte{0x7C, 0x03, 0x81, 0x01, 0x00}}), 0x6A80},
	} {
		t.Run(tc.name, func(t *testing.T) { expectSW(t, send(t, f.card, tc.capdu), tc.sw) })
	}

	// A reset forgets the PIN.
	f.card.Reset()
	send(t, f.card, selectPIV)
	expectSW(t, send(t, f.card, verifyEmpty), 0x63C3)
}

// pkcs1v15 builds the EMSA-PKCS1-v1_5 block for a SHA-256 digest.
func pkcs1v15(t *testing.T, k *rsa.PrivateKey, digest []byte) []byte {
	prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	t.Helper()
	em := make([]byte, k.Size())
	em[1] = 0x01
	ps := len(em) - 3 - len(prefix) - len(digest)
	for i := 2; i < 2+ps; i++ {
		em[i] = 0xFF
	}
	copy(em[3+ps:], append(prefix, digest...))
	return em
}

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	send(t, f.card, selectPIV)
	r := send(t, f.card, []byte{0x00, 0xF7, 0x00, 0x9C})
	expectSW(t, r, 0x9000)
	tlvs, err := apdu.ParseTLVs(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	alg, _ := apdu.Find(tlvs, 0x01)
	pol, _ := apdu.Find(tlvs, 0x02)
	pub, _ := apdu.Find(tlvs, 0x04)
	point, _, _ := apdu.ReadTLV(pub)
	want, _ := f.sigKey.PublicKey.ECDH()
	if !bytes.Equal(alg, []byte{0x11}) || !bytes.Equal(pol, []byte{0x03, 0x01}) || point.Tag != 0x86 || !bytes.Equal(point.Value, want.Bytes()) {
		t.Fatalf("metadata % X", r.Data)
	}
	r = send(t, f.card, []byte{0x00, 0xF7, 0x00, 0x80})
	tlvs, _ = apdu.ParseTLVs(r.Data)
	if tries, _ := apdu.Find(tlvs, 0x06); !bytes.Equal(tries, []byte{3, 3}) {
		t.Fatalf("PIN metadata % X", r.Data)
	}
	expectSW(t, send(t, f.card, []byte{0x00, 0xF7, 0x00, 0x9B}), 0x9000)
	expectSW(t, send(t, f.card, []byte{0x00, 0xF7, 0x00, 0x9D}), 0x6A82)
	expectSW(t, send(t, f.card, []byte{0x00, 0xF7, 0x01, 0x9C}), 0x6A86)
}

func TestUnknownCommands(t *testing.T) {
	f := newFixture(t)
	send(t, f.card, selectPIV)
	for _, tc := range []struct {
		name  string
		capdu []byte
		sw    uint16
	}{
		{"generate key", []byte{0x00, 0x47, 0x00, 0x9A, 0x05, 0xAC, 0x03, 0x80, 0x01, 0x11}, 0x6D00},
		{"put data", []byte{0x00, 0xDB, 0x3F, 0xFF, 0x02, 0x5C, 0x00}, 0x6D00},
		{"proprietary class", []byte{0x80, 0xFD, 0x00, 0x00}, 0x6E00},
		{"malformed", []byte{0x00, 0xFD, 0x00}, 0x6700},
		{"bad length", []byte{0x00, 0xCB, 0x3F, 0xFF, 0x09, 0x5C}, 0x6700},
	} {
		t.Run(tc.name, func(t *testing.T) { expectSW(t, send(t, f.card, tc.capdu), tc.sw) })
	}
}

func TestNewCardOptions(t *testing.T) {
	ec224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name string
		opt  piv.Option
		want error
	}{
		{"P-224", piv.WithKey(piv.SlotSignature, ec224, nil, piv.PINPolicyOnce), piv.ErrUnsupportedKey},
		{"Ed25519", piv.WithKey(piv.SlotSignature, ed, nil, piv.PINPolicyOnce), piv.ErrUnsupportedKey},
		{"bad slot", piv.WithKey(0x9B, ec, nil, piv.PINPolicyOnce), piv.ErrUnsupportedKey},
		{"bad policy", piv.WithKey(piv.SlotSignature, ec, nil, 9), piv.ErrUnsupportedKey},
		{"empty PIN", piv.WithPIN(nil), piv.ErrBadPIN},
		{"long PIN", piv.WithPIN([]byte("123456789")), piv.ErrBadPIN},
		{"PIN with FF", piv.WithPIN([]byte{'1', 0xFF}), piv.ErrBadPIN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := piv.NewCard(tc.opt); !errors.Is(err, tc.want) {
				t.Fatalf("NewCard = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := piv.NewCard(piv.WithPINTries(0)); err == nil {
		t.Fatal("WithPINTries(0) accepted")
	}
	c, err := piv.NewCard(piv.WithPIN([]byte("87654321")), piv.WithPINTries(5), piv.WithATR([]byte{0x3B, 0x00}))
	if err != nil {
		t.Fatal(err)
	}
	send(t, c, selectPIV)
	expectSW(t, send(t, c, verifyPIN(pin)), 0x63C4)
	expectSW(t, send(t, c, verifyPIN("87654321")), 0x9000)
	if !bytes.Equal(c.ATR(), []byte{0x3B, 0x00}) || c.PINTriesLeft() != 5 {
		t.Fatal("options not applied")
	}
}

// FuzzTransmit sends arbitrary APDUs after SELECT: the card must always
// answer with at least a status word and never panic.
func FuzzTransmit(f *testing.F) {
	f.Add(getCert(0x0A))
	f.Add(verifyPIN(pin))
	f.Add([]byte{0x00, 0x87, 0x11, 0x9E, 0x05, 0x7C, 0x03, 0x82, 0x00, 0x81})
	f.Add([]byte{0x10, 0x87, 0x07, 0x9A, 0x01, 0x7C})
	f.Add([]byte{0x00, 0xF7, 0x00, 0x80})
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, capdu []byte) {
		fx.card.Reset()
		send(t, fx.card, selectPIV)
		if r := fx.card.Transmit(capdu); len(r) < 2 {
			t.Fatalf("answer % X to % X", r, capdu)
		}
		// A following GET RESPONSE must be answered too.
		if r := fx.card.Transmit([]byte{0x00, 0xC0, 0x00, 0x00}); len(r) < 2 {
			t.Fatalf("answer % X to GET RESPONSE", r)
		}
	})
}
