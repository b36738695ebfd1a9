package main

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

func newReadersCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "readers",
		Short: "list the smart-card readers and whether a card is in each",
		Long: `readers lists the PC/SC readers, one per line: index, name, and whether a
card is in it (with its ATR). The index and any unique part of the name work
with --reader. With --json it prints a JSON array of
{"name", "card_present", "atr" (lower-case hex), "in_use"}; with no reader, [].
To follow readers and cards as they change, see mynacard watch.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := pcsc.Establish(ctx)
			if err != nil {
				return err
			}
			defer c.Release()
			infos, err := c.Readers(ctx)
			if errors.Is(err, reader.ErrNoReaders) {
				// Not a failure of this command: the list is empty.
				if !g.JSON {
					g.notef("%s", g.tr(msgNoReadersFound))
				}
				return printReaders(g, nil)
			}
			if err != nil {
				return err
			}
			return printReaders(g, infos)
		},
	}
}

// readerJSON is one reader in `readers --json`: the ATR in lower-case
// hex, as watch and the agent's events give it.
type readerJSON struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"card_present"`
	ATR         string `json:"atr,omitempty"`
	InUse       bool   `json:"in_use"`
}

func printReaders(g *globals, infos []reader.Info) error {
	if g.JSON {
		out := make([]readerJSON, 0, len(infos))
		for _, in := range infos {
			out = append(out, readerJSON{Name: in.Name, CardPresent: in.CardPresent, ATR: hex.EncodeToString(in.ATR), InUse: in.InUse})
		}
		return g.printJSON(out)
	}
	for i, in := range infos {
		state := g.tr(msgReaderEmpty)
		switch {
		case in.CardPresent && in.InUse:
			state = g.tr(msgReaderCardInUse, hex.EncodeToString(in.ATR))
		case in.CardPresent:
			state = g.tr(msgReaderCardATR, hex.EncodeToString(in.ATR))
		}
		fmt.Fprintf(g.stdout, "%d  %s  %s\n", i, in.Name, state)
	}
	return nil
}
