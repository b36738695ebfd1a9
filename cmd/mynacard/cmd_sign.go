package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
)

func newSignCmd(g *globals) *cobra.Command {
	var out string
	var attached bool
	cmd := &cobra.Command{
		Use:   "sign FILE",
		Short: "sign FILE with the card's signing key as CMS (detached by default), after one signing-password entry",
		Long: `sign makes a CMS (PKCS #7) SignedData over FILE with the signing key
(署名用電子証明書), SHA-256, signed attributes binding the signing certificate.
The password is asked once: it unlocks reading the signing certificate and
then the signature (two VERIFYs of the same entry). The signature goes to
--out (default FILE.p7s); --attached puts FILE's content inside it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if out == "" {
				out = args[0] + ".p7s"
			}
			if err := g.checkWritable(out); err != nil {
				return err
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
			pin := &cachedPIN{g: g, src: src}
			defer pin.wipe()
			cert, err := jpki.ReadSignCertificate(ctx, s.jpki, pin.prompt)
			if err != nil {
				return withPIN(card.SignPIN, err)
			}
			signer, err := jpki.NewSigner(ctx, s.jpki, card.SignKey, cert, pin.prompt)
			if err != nil {
				return err
			}
			sig, err := jpki.SignCMS(data, signer, cert.Certificate, nil, jpki.CMSOptions{Detached: !attached})
			if err != nil {
				return withPIN(card.SignPIN, err)
			}
			if err := os.WriteFile(out, sig, 0o644); err != nil {
				return fmt.Errorf("writing the signature: %w", err)
			}
			if g.JSON {
				return g.printJSON(map[string]any{"signature_file": out, "detached": !attached, "test_card": g.testCard(s), "bytes": len(sig)})
			}
			g.testBanner(g.stdout, g.testCard(s))
			fmt.Fprintln(g.stdout, g.tr(msgSigWritten, out))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "signature file (default FILE.p7s)")
	cmd.Flags().BoolVar(&attached, "attached", false, "include FILE's content in the signature")
	return cmd
}
