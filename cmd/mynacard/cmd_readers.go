package main

import (
	"encoding/json"
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
{"name", "card_present", "atr" (base64), "in_use"}; with no reader, [].
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
					fmt.Fprintln(g.stderr, "no smart-card readers found (run `mynacard virtual-card` for a virtual one)")
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

func printReaders(g *globals, infos []reader.Info) error {
	if g.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if infos == nil {
			infos = []reader.Info{}
		}
		return enc.Encode(infos)
	}
	for i, in := range infos {
		state := "empty"
		switch {
		case in.CardPresent && in.InUse:
			state = fmt.Sprintf("card (in exclusive use), atr %X", in.ATR)
		case in.CardPresent:
			state = fmt.Sprintf("card, atr %X", in.ATR)
		}
		fmt.Fprintf(g.stdout, "%d\t%s\t%s\n", i, in.Name, state)
	}
	return nil
}
