package virtual_test

import (
	"context"
	"fmt"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/reader"
)

// A virtual card answers raw APDUs: select the JPKI application, ask how
// many tries the authentication PIN has left, and read the token label.
func ExampleCard_Transmit() {
	c, err := virtual.NewMyNumberCard(virtual.Contents{AuthPIN: "1234"})
	if err != nil {
		panic(err)
	}
	sel := append([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A}, virtual.AIDJPKI...)
	fmt.Printf("% X\n", c.Transmit(sel))
	fmt.Printf("% X\n", c.Transmit([]byte{0x00, 0x20, 0x00, 0x98})) // empty VERIFY of EF 0018
	fmt.Printf("% X\n", c.Transmit([]byte{0x00, 0xA4, 0x00, 0x00})) // inside an application: does nothing
	fmt.Println(c.TriesLeft(virtual.PINJPKIAuth))
	// Output:
	// 90 00
	// 63 C3
	// 90 00
	// 3
}

// Through reader.Loopback, the virtual card is a reader.Card like any
// other.
func ExampleNewMyNumberCard_loopback() {
	c, err := virtual.NewMyNumberCard(virtual.Contents{})
	if err != nil {
		panic(err)
	}
	rc := reader.Loopback("virtual", c, reader.Capabilities{})
	ctx := context.Background()
	err = rc.Transaction(ctx, func(ctx context.Context, t reader.Transport) error {
		if _, err := reader.Do(ctx, t, apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C, Data: []byte(virtual.AIDJPKI)}, false); err != nil {
			return err
		}
		if _, err := reader.Do(ctx, t, apdu.Command{INS: apdu.InsSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x00, 0x06}}, false); err != nil {
			return err
		}
		label, err := reader.Do(ctx, t, apdu.Command{INS: apdu.InsReadBinary, Ne: 32}, false)
		fmt.Printf("%q\n", label)
		return err
	})
	fmt.Println(err)
	// Output:
	// "JPKIAPICCTOKEN2                 "
	// <nil>
}
