package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

func newReadersCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "readers",
		Short: "list the smart-card readers and whether a card is in each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := pcsc.Establish(ctx)
			if err != nil {
				return err
			}
			defer c.Release()
			infos, err := c.Readers(ctx)
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
