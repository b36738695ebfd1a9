package virtual

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/mynacard/mynacard/apdu"
)

// Test keys are generated once per test binary: RSA-2048 keygen is slow.
var (
	keysOnce sync.Once
	testKeys [4]*rsa.PrivateKey
)

func keys(t testing.TB) (auth, sign, other *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		for i := range testKeys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[i] = k
		}
	})
	return testKeys[0], testKeys[1], testKeys[2]
}

// appKey is the text and surface application key of the test card.
func appKey(t testing.TB) *rsa.PrivateKey {
	keys(t)
	return testKeys[3]
}

// fakeCert returns n bytes that start with a DER SEQUENCE header of the
// right length, filled with a pattern: the card treats certs as opaque.
func fakeCert(n int, seed byte) []byte {
	out := []byte{0x30, 0x82, byte((n - 4) >> 8), byte(n - 4)}
	for i := 4; i < n; i++ {
		out = append(out, seed+byte(i*7))
	}
	return out
}

const (
	testAuthPIN = "1234"
	testSignPIN = "ABC123XYZ"
	testTextPIN = "1234"
	testNumber  = "123456789018"
	testPINB    = "06010120351234"
)

func testContents(t testing.TB) Contents {
	auth, sign, other := keys(t)
	return Contents{
		SignCert:          fakeCert(1800, 1),
		SignCACert:        fakeCert(1200, 2),
		AuthCert:          fakeCert(1550, 3),
		AuthCACert:        fakeCert(1100, 4),
		SignKey:           sign,
		AuthKey:           auth,
		AuthPIN:           testAuthPIN,
		SignPIN:           strings.ToLower(testSignPIN), // stored upper-case
		Number:            testNumber,
		Name:              "試験\u3000太郎",
		Address:           "東京都千代田区霞が関１－２－３",
		BirthDate:         "19800101",
		Sex:               "1",
		TextPIN:           testTextPIN,
		TextKey:           other,
		FacePhoto:         []byte("\x00\x00\x00\x0CjP  \r\n\x87\nfake-jp2"),
		NameImage:         []byte("\x89PNG\r\n\x1a\nname"),
		AddressImage:      []byte("\x89PNG\r\n\x1a\naddress"),
		SecurityCodeImage: []byte("\x89PNG\r\n\x1a\ncode"),
		Expiry:            "20351231",
		SecurityCode:      "1234",
		PINB:              testPINB,
		SurfaceKey:        other,
		SurfaceAppKey:     appKey(t),
		TextAppKey:        appKey(t),
		NumberImage:       []byte("\x89PNG\r\n\x1a\nnumber"),
		CardSerial:        "123456789012345",
		Municipality:      "13101",
	}
}

func newTestCard(t testing.TB, opts ...Option) *Card {
	t.Helper()
	c, err := NewMyNumberCard(testContents(t), opts...)
	if err != nil {
		t.Fatalf("NewMyNumberCard: %v", err)
	}
	return c
}

// h decodes hex with spaces; "%s" parts are not supported, build strings
// with hexOf instead.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// send transmits and splits the answer.
func send(t testing.TB, c *Card, capdu []byte) ([]byte, uint16) {
	t.Helper()
	out := c.Transmit(capdu)
	r, err := apdu.ParseResponse(out)
	if err != nil {
		t.Fatalf("Transmit(% X) = % X: %v", capdu, out, err)
	}
	return r.Data, r.SW
}

// step is one APDU of a script and the status word it must get.
type step struct {
	capdu string
	sw    uint16
}

func run(t *testing.T, c *Card, steps []step) {
	t.Helper()
	for i, s := range steps {
		_, sw := send(t, c, h(s.capdu))
		if sw != s.sw {
			t.Fatalf("step %d: %s -> %04X, want %04X", i, s.capdu, sw, s.sw)
		}
	}
}

// APDU builders in hex.
const (
	selJPKI     = "00A4040C0A D392F000260100000001"
	selText     = "00A4040C0A D392100031000101 0408"
	selSurface  = "00A4040C0A D392100031000101 0402"
	selCommon   = "00A4040C0A D392100031000101 0100"
	selResident = "00A4040C0A D392100031000101 0401"
)

func selEF(fid string) string { return "00A4020C02" + fid }

func verifyHex(p2 string, pin string) string {
	if pin == "" {
		return "0020 00" + p2
	}
	return "002000" + p2 + hex.EncodeToString([]byte{byte(len(pin))}) + hex.EncodeToString([]byte(pin))
}
