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
	var attached, force bool
	var pf pdfSignFlags
	cmd := &cobra.Command{
		Use:   "sign FILE | sign --pdf IN.pdf [-o OUT.pdf]",
		Short: "sign FILE with the card's signing key as CMS (detached by default), after one signing-password entry",
		Long: `sign makes a CMS (PKCS #7) SignedData over FILE with the signing key
(署名用電子証明書), with the hash of the certificate's key (SHA-256 for the
RSA-2048 card), signed attributes binding the signing certificate.
The password is asked once: it unlocks reading the signing certificate and
then the signature (two VERIFYs of the same entry). The signature goes to
--out (default FILE.p7s); --attached puts FILE's content inside it.

With --pdf IN.pdf it signs the PDF itself at PAdES baseline (--level B-B,
B-T with an RFC 3161 timestamp from --tsa URL, or B-LT which also keeps the
chain and the revocation data from --ocsp or --crl in the PDF's DSS), as an
incremental update with an invisible signature field, written to --out
(default IN-signed.pdf). The file name, SHA-256 and page count are shown
before the password is asked.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if pf.in != "" {
				return g.noArgs(cmd, args)
			}
			return g.exactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if pf.in != "" {
				if attached {
					return usageErrorf("%s", g.tr(msgAttachedPDF))
				}
				pf.out, pf.force = out, force
				return g.runSignPDF(cmd.Context(), pf)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if out == "" {
				out = args[0] + ".p7s"
			}
			if err := g.refuseOverwrite(out, force); err != nil {
				return err
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
			f, err := createOutput(out, force, 0o644)
			if err != nil {
				return fmt.Errorf("writing the signature: %w", err)
			}
			if _, err := f.Write(sig); err != nil {
				f.Close()
				return fmt.Errorf("writing the signature: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("writing the signature: %w", err)
			}
			if g.JSON {
				return g.printJSON(map[string]any{"file": args[0], "output": out, "detached": !attached, "test_card": g.testCard(s), "bytes": len(sig)})
			}
			g.testBanner(g.stdout, g.testCard(s))
			fmt.Fprintln(g.stdout, g.tr(msgSigWritten, out))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "signature file (default FILE.p7s)")
	cmd.Flags().BoolVar(&attached, "attached", false, "include FILE's content in the signature")
	cmd.Flags().BoolVar(&force, "force", false, "replace the output file if it exists (by default an existing file is kept and nothing is signed)")
	cmd.Flags().StringVar(&pf.in, "pdf", "", "sign this PDF (PAdES) instead of making a CMS file")
	cmd.Flags().StringVar(&pf.level, "level", "B-B", "PDF: PAdES baseline level B-B, B-T or B-LT")
	cmd.Flags().StringVar(&pf.tsa, "tsa", "", "PDF: RFC 3161 time-stamping authority URL (B-T, B-LT)")
	cmd.Flags().StringVar(&pf.tsaRoots, "tsa-roots", "", "PDF: PEM file of roots the time-stamping authority must chain to")
	cmd.Flags().StringVar(&pf.reason, "reason", "", "PDF: reason for signing")
	cmd.Flags().StringVar(&pf.location, "location", "", "PDF: where it is signed")
	cmd.Flags().StringVar(&pf.contactInfo, "contact", "", "PDF: the signer's contact information")
	cmd.Flags().IntVar(&pf.page, "page", 1, "PDF: page that holds the signature field")
	cmd.Flags().IntVar(&pf.certify, "certify", 0, "PDF: a certification signature allowing 1 no change, 2 form filling and signing, 3 also annotations")
	cmd.Flags().StringVar(&pf.rect, "rect", "", "PDF: X1,Y1,X2,Y2 in points from the page's lower left: a visible appearance (default invisible)")
	cmd.Flags().StringVar(&pf.text, "text", "", `PDF: text in the visible appearance ("\n" starts a line), drawn with an embedded font subset`)
	cmd.Flags().StringVar(&pf.font, "font", "", "PDF: TrueType font file for --text (default IPA Gothic from fonts-ipafont-gothic)")
	return cmd
}
