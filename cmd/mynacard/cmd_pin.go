package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
)

// changeablePINs maps `pin change`'s argument to the PIN.
var changeablePINs = map[string]card.PINKind{
	"sign": card.SignPIN,
	"auth": card.AuthPIN,
	"text": card.TextPIN,
}

func newPINCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pin",
		Short: "show the tries left of every PIN, or change a PIN",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "status",
		Short: "show the tries left of every PIN (spends none)",
		Args:  g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runStatus(cmd.Context(), false)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "change sign|auth|text",
		Short: "change the signing password, the user-authentication PIN or the card-information PIN",
		Long: `pin change asks for the current PIN once and the new one twice (on the
terminal, or three lines with --pin-stdin). The new PIN's format is checked
before the current one is sent to the card.`,
		Args:      g.exactArgs(1),
		ValidArgs: []string{"sign", "auth", "text"},
		RunE: func(cmd *cobra.Command, args []string) error {
			k, ok := changeablePINs[args[0]]
			if !ok {
				return usageErrorf("%s", g.tr(msgPINUnknown, args[0]))
			}
			ctx := cmd.Context()
			s, err := g.openCard(ctx)
			if err != nil {
				return err
			}
			defer s.close()
			src, err := g.pinSource()
			if err != nil {
				return err
			}
			defer src.Close()
			newPrompt := func(ctx context.Context, k card.PINKind, _ int) ([]byte, error) {
				return src.ReadNew(ctx, g.pinLabel(k))
			}
			if err := s.jpki.ChangePIN(ctx, k, g.prompt(src), newPrompt); err != nil {
				return withPIN(k, err)
			}
			if g.JSON {
				return g.printJSON(map[string]any{"pin": args[0], "changed": true})
			}
			fmt.Fprintln(g.stdout, g.p.Sprintf(i18n.PINChanged, g.pinLabel(k)))
			return nil
		},
	})
	return cmd
}
