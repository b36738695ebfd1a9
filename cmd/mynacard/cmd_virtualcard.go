package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/vpcd"
)

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
				return usageErrorf("%s", g.tr(msgSlotRange, vpcd.Slots-1))
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
	g.warnf("%s", g.tr(msgVirtualVPCDWarn, vpcd.Port(0), vpcd.Port(vpcd.Slots-1)))
	if hook := g.traceHook(); hook != nil {
		card = tracedCard{card, hook}
	}
	status := func(err error) {
		if err == nil {
			g.notef("%s", g.tr(msgVirtualInserted, vpcd.ReaderName(slot)))
			return
		}
		g.notef("%s", g.tr(msgVirtualRetry, slot))
	}
	err := vpcd.Run(ctx, vpcd.Addr(slot), card, status)
	if errors.Is(err, context.Canceled) {
		g.notef("%s", g.tr(msgVirtualRemoved))
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
