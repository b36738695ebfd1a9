package pcsc_test

import (
	"bytes"
	"sync"

	"github.com/mynacard/mynacard/apdu"
)

// testATR is a minimal ATR announcing T=1 (TS 3B, T0 80, TD1 80, TD2 01,
// TCK 01), enough for pcscd to negotiate with vpcd.
var testATR = []byte{0x3B, 0x80, 0x80, 0x01, 0x01}

// testAID is the only application the test card answers SELECT for.
var testAID = []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}

// testPIN is the test card's PIN; testSignature what its SIGN returns.
var (
	testPIN       = []byte("1234")
	testSignature = bytes.Repeat([]byte{0x5A}, 32)
)

// testCard is a tiny card for the PC/SC tests until they can use
// card/virtual: SELECT by name, VERIFY (with the empty form reporting
// tries), a SIGN that needs the PIN, READ BINARY of a counting pattern of
// any length (short or extended Le). A VERIFY is forgotten on reset, as
// on a real card. A command with INS removeINS makes the card leave.
type testCard struct {
	mu        sync.Mutex
	verified  bool
	resets    int
	removeINS byte
	log       [][]byte
}

func (c *testCard) ATR() []byte { return testATR }

func (c *testCard) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.verified = false
	c.resets++
}

func (c *testCard) commands() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]byte(nil), c.log...)
}

func (c *testCard) resetCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.resets
}

func (c *testCard) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = append(c.log, append([]byte(nil), capdu...))
	cmd, _, err := apdu.ParseCommand(capdu)
	if err != nil {
		return sw(apdu.SWWrongLength)
	}
	if c.removeINS != 0 && cmd.INS == c.removeINS {
		return nil
	}
	switch cmd.INS {
	case apdu.InsSelect:
		if bytes.Equal(cmd.Data, testAID) {
			return sw(apdu.SWOK)
		}
		return sw(apdu.SWFileNotFound)
	case apdu.InsVerify:
		switch {
		case len(cmd.Data) == 0:
			return sw(0x63C3)
		case bytes.Equal(cmd.Data, testPIN):
			c.verified = true
			return sw(apdu.SWOK)
		default:
			return sw(0x63C2)
		}
	case apdu.InsComputeSignature:
		if !c.verified {
			return sw(apdu.SWSecurityStatusNotMet)
		}
		return apdu.Response{Data: testSignature, SW: apdu.SWOK}.Bytes()
	case apdu.InsReadBinary:
		data := make([]byte, cmd.Ne)
		for i := range data {
			data[i] = byte(i)
		}
		return apdu.Response{Data: data, SW: apdu.SWOK}.Bytes()
	}
	return sw(apdu.SWInstructionNotSupported)
}

func sw(w uint16) []byte { return apdu.Response{SW: w}.Bytes() }
