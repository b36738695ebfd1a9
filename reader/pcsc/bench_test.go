package pcsc_test

import (
	"context"
	"testing"

	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/reader/vpcd"
)

// BenchmarkRoundTrip measures one short APDU through pcscd and vpcd to
// the in-process test card and back. Without re-arming TCP_QUICKACK on
// the card side each APDU waits for a delayed ACK.
//
// Measured on the 2-core development machine (go test -run '^$' -bench
// RoundTrip -benchtime 100x ./reader/pcsc): quick-ack 0.11 ms/op,
// no-quick-ack 48.8 ms/op. Quick ACKs must be re-armed before every read
// (after the answer was written), not only after it: re-arming only after
// reads measured 50 ms/op.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []vpcd.Option
	}{
		{"quick-ack", nil},
		{"no-quick-ack", []vpcd.Option{vpcd.WithoutQuickAck()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			slot := pcsctest.Slot(b)
			pcsctest.Insert(b, slot, newCard(b), bc.opts...)
			c := pcsctest.Context(b)
			ctx := context.Background()
			k, err := c.Connect(ctx, slot.Reader)
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			cmd := []byte{0x00, 0x20, 0x00, 0x80} // empty VERIFY: tries left
			b.ResetTimer()
			for b.Loop() {
				if _, err := k.Transmit(ctx, cmd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
