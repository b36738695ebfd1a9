package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// errEnoughEvents ends a watch after --count events.
var errEnoughEvents = errors.New("enough events")

func newWatchCmd(g *globals) *cobra.Command {
	var noDetect bool
	var count int
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "print reader and card events (JSON lines) until interrupted",
		Long: `watch prints one JSON object a line for every change in the readers:
reader-added, reader-removed, card-inserted (with card_type, from the card's
JPKI token label, never from the ATR) and card-removed. It starts with the
current state and runs until interrupted (or until --count events).

--reader limits it to the readers whose name contains the value; --reader
virtual watches the built-in virtual card's reader.

Each line: {"kind":"card-inserted","reader":"...","atr":"3be0...",
"card_type":"my_number_card","label":"JPKIAPICCTOKEN2","usable":true,
"time":"..."}; card_type is my_number_card, phone_token, old_resident_card,
other or unreadable (with "error").`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if count < 0 {
				return usageErrorf("%s", g.tr(msgCountNegative))
			}
			ctx := cmd.Context()
			b, filter, release, err := g.agentBackend(ctx)
			if err != nil {
				return err
			}
			defer release()
			enc := json.NewEncoder(g.stdout)
			enc.SetEscapeHTML(false)
			n := 0
			err = agent.Watch(ctx, b, agent.WatchOptions{NoDetect: noDetect, CardOptions: g.cardOptions(), Readers: filter}, func(e agent.Event) error {
				if err := enc.Encode(e); err != nil {
					return err
				}
				n++
				if count > 0 && n >= count {
					return errEnoughEvents
				}
				return nil
			})
			if errors.Is(err, errEnoughEvents) {
				return nil
			}
			if ctx.Err() != nil {
				// Interrupted (Ctrl-C, SIGTERM): exit 130 as every
				// command does.
				return ctx.Err()
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&noDetect, "no-detect", false, "do not talk to inserted cards (card_type stays empty)")
	f.IntVar(&count, "count", 0, "stop after this many events (0: until interrupted)")
	return cmd
}

// agentBackend returns the backend watch and serve use: the built-in
// virtual card in its own in-process reader for --reader virtual, else
// PC/SC. filter keeps the readers --reader names (nil: all); release frees
// the PC/SC context.
func (g *globals) agentBackend(ctx context.Context) (b agent.Backend, filter func(string) bool, release func(), err error) {
	if strings.EqualFold(g.Reader, virtualReader) {
		vc, err := g.newVirtualMyNumberCard()
		if err != nil {
			return nil, nil, nil, err
		}
		m := agent.NewMemory(reader.Capabilities{}, virtualReaderName)
		if err := m.Insert(virtualReaderName, vc); err != nil {
			return nil, nil, nil, err
		}
		return m, nil, func() {}, nil
	}
	pc, err := pcsc.Establish(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if sel := g.Reader; sel != "" {
		filter = func(name string) bool {
			return name == sel || strings.Contains(strings.ToLower(name), strings.ToLower(sel))
		}
	}
	return agent.PCSC(pc, pcsc.WithExtendedLength(false)), filter, func() { _ = pc.Release() }, nil
}
