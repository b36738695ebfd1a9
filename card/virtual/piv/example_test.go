package piv_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/mynacard/mynacard/card/virtual/piv"
)

// Example selects the PIV application and asks the YubiKey version and
// the PIN tries, as piv-go does when it opens a token. Attach the card to
// vpcd (pcsctest.Insert, vpcd.Attach) for PC/SC clients to see it.
func Example() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	card, err := piv.NewCard(piv.WithKey(piv.SlotSignature, key, nil, piv.PINPolicyAlways))
	if err != nil {
		panic(err)
	}
	for _, capdu := range [][]byte{
		{0x00, 0xFD, 0x00, 0x00}, // GET VERSION before SELECT
		{0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x03, 0x08},
		{0x00, 0xFD, 0x00, 0x00},
		{0x00, 0x20, 0x00, 0x80}, // VERIFY without data: tries left
	} {
		fmt.Printf("% X\n", card.Transmit(capdu))
	}
	// Output:
	// 6D 00
	// 61 11 4F 06 00 00 10 00 01 00 79 07 4F 05 A0 00 00 03 08 90 00
	// 05 07 02 90 00
	// 63 C3
}
