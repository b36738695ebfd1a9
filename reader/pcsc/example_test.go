package pcsc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// Open a card in the reader whose name contains "PICC", waiting up to a
// minute for it, and run two commands inside one transaction.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	card, err := pcsc.Open(ctx, "PICC")
	if err != nil {
		fmt.Println(err) // errors.Is(err, reader.ErrNoService), ErrReaderNotFound, …
		return
	}
	defer card.Close()
	selectJPKI := apdu.Command{INS: apdu.InsSelect, P1: 0x04, P2: 0x0C,
		Data: []byte{0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}}
	err = card.Transaction(ctx, func(ctx context.Context, t reader.Transport) error {
		_, err := reader.Do(ctx, t, selectJPKI, card.Capabilities().ExtendedLength)
		return err
	})
	fmt.Println(err)
}

// Watch every reader until the context ends.
func ExampleContext_Watch() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pcsc.Establish(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Release()
	err = c.Watch(ctx, func(e reader.Event) error {
		fmt.Println(e) // card-inserted "Virtual PCD 00 00" atr=3B…
		return nil
	})
	fmt.Println(err) // watching readers: context deadline exceeded
}
