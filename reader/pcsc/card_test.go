package pcsc_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// holder is the test holder every card in these tests carries (issuing
// it generates keys, so once per test binary).
var holder = sync.OnceValue(func() virtual.Contents { return jpkitest.DefaultHolder().Contents() })

// Commands of docs/card.md against the virtual Individual Number Card,
// spelled out here on purpose: this package tests the transport, not
// package card.
var (
	aidJPKI       = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	efAuthPIN     = []byte{0x00, 0x18}
	efAuthKey     = []byte{0x00, 0x17}
	efAuthCert    = []byte{0x00, 0x0A}
	sha256Prefix  = []byte{0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	testDigest    = sha256.Sum256([]byte("mynacard pc/sc test"))
	selectJPKI    = apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: aidJPKI}
	selectAuthPIN = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: efAuthPIN}
	selectAuthKey = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: efAuthKey}
	selectCert    = apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: efAuthCert}
	verifyAuth    = apdu.Command{INS: apdu.InsVerify, P2: 0x80, Data: []byte(jpkitest.DefaultAuthPIN)}
	signAuth      = apdu.Command{CLA: 0x80, INS: apdu.InsComputeSignature, P2: 0x80, Data: append(append([]byte(nil), sha256Prefix...), testDigest[:]...), Ne: apdu.MaxShortNe}
	// loginAndSign is the VERIFY..SIGN sequence a transaction must hold
	// together.
	loginAndSign = []apdu.Command{selectJPKI, selectAuthPIN, verifyAuth, selectAuthKey, signAuth}
)

// newCard returns a virtual card for the test holder, wrapped so the test
// can see the commands it received.
func newCard(t testing.TB, opts ...virtual.Option) *loggingCard {
	t.Helper()
	c, err := virtual.NewMyNumberCard(holder(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &loggingCard{Card: c}
}

// loggingCard records the instruction bytes the card received and counts
// resets.
type loggingCard struct {
	*virtual.Card
	mu     sync.Mutex
	ins    []byte
	resets int
}

func (c *loggingCard) Transmit(capdu []byte) []byte {
	if len(capdu) >= 2 {
		c.mu.Lock()
		c.ins = append(c.ins, capdu[1])
		c.mu.Unlock()
	}
	return c.Card.Transmit(capdu)
}

func (c *loggingCard) Reset() {
	c.mu.Lock()
	c.resets++
	c.mu.Unlock()
	c.Card.Reset()
}

func (c *loggingCard) instructions() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.ins...)
}

func (c *loggingCard) resetCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resets
}

// checkSignature verifies a SIGN result against the holder's
// authentication certificate.
func checkSignature(t *testing.T, sig []byte) {
	t.Helper()
	cert, err := x509.ParseCertificate(holder().AuthCert)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, testDigest[:], sig); err != nil {
		t.Fatalf("signature does not verify with the authentication certificate: %v", err)
	}
}
