package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/vpcd"
)

// vpcdWarning is printed whenever the virtual card is put on vpcd.
const vpcdWarning = `warning: vpcd (the virtual reader driver) listens on all network interfaces:
anyone who can reach TCP ports %d-%d of this machine can insert a card.
use it only on a trusted network, and never on a production kiosk
`

func newVirtualCardCmd(g *globals) *cobra.Command {
	var slot int
	cmd := &cobra.Command{
		Use:   "virtual-card",
		Short: "put a virtual Individual Number Card (test holder) in the virtual reader until interrupted",
		Long: `virtual-card runs a virtual Individual Number Card holding the fictional
test holder of jpki/jpkitest (test certificates, never valid in production) and
inserts it in vpcd's virtual reader, so every PC/SC program on this machine
sees a reader with a My Number card in it. Press Ctrl-C to remove it.

It needs pcscd with the vpcd driver (Debian packages pcscd and
vsmartcard-vpcd). The test holder's PINs are documented in jpki/jpkitest.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if slot < 0 || slot >= vpcd.Slots {
				return fmt.Errorf("--slot must be 0 to %d", vpcd.Slots-1)
			}
			card, err := g.newVirtualMyNumberCard()
			if err != nil {
				return err
			}
			return runVirtualCard(cmd.Context(), g, slot, card)
		},
	}
	cmd.Flags().IntVar(&slot, "slot", 0, fmt.Sprintf("vpcd slot (0 is %q, 1 is %q)", vpcd.ReaderName(0), vpcd.ReaderName(1)))
	return cmd
}

func runVirtualCard(ctx context.Context, g *globals, slot int, card vpcd.Card) error {
	fmt.Fprintf(g.stderr, vpcdWarning, vpcd.Port(0), vpcd.Port(vpcd.Slots-1))
	if hook := g.traceHook(); hook != nil {
		card = tracedCard{card, hook}
	}
	status := func(err error) {
		if err == nil {
			fmt.Fprintf(g.stderr, "virtual card inserted in %q; press Ctrl-C to remove it\n", vpcd.ReaderName(slot))
			return
		}
		fmt.Fprintf(g.stderr, "vpcd slot %d not reachable (%v); is pcscd running? retrying\n", slot, err)
	}
	err := vpcd.Run(ctx, vpcd.Addr(slot), card, status)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(g.stderr, "virtual card removed")
		return nil
	}
	return err
}

// tracedCard logs what the card side sees, redacted as reader.Traced does.
type tracedCard struct {
	vpcd.Card
	hook func(reader.TraceEvent)
}

func (t tracedCard) Transmit(capdu []byte) []byte {
	resp := t.Card.Transmit(capdu)
	cmd, red := reader.Redact(capdu)
	t.hook(reader.TraceEvent{Command: cmd, Response: resp, Redacted: red})
	return resp
}

// Reset forwards power-on and reset to the card.
func (t tracedCard) Reset() {
	if r, ok := t.Card.(vpcd.Resetter); ok {
		r.Reset()
	}
}
