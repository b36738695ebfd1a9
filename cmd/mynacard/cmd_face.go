package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/jp2"
)

// faceJSON is what `face --json` prints: the files written.
type faceJSON struct {
	TestCard bool `json:"test_card"`
	// Credential is what opened the application: "pin", "a" or "b".
	Credential string            `json:"credential"`
	Written    map[string]string `json:"written"`
	Format     string            `json:"photo_format"`
	// Expiry is DF29, which the card face's signature does not cover.
	Expiry string `json:"card_expiry"`
	// Verification is the card face (DF28) verified to a pinned CV CA key
	// through the surface application's EF 0004.
	Verification cvJSON `json:"verification"`
}

func newFaceCmd(g *globals) *cobra.Command {
	var out, png, namePNG, addressPNG, credential string
	cmd := &cobra.Command{
		Use:   "face --out FILE | --png FILE [--credential pin|a|b]",
		Short: "write the card face photo (JPEG 2000 as on the card, or decoded to PNG) and the name and address images",
		Long: `face reads the card surface application (券面事項確認AP) with the 4-digit
card-information PIN (the Individual Number it releases opens the surface
application as 照合番号A), and writes the face photo: --out as the JPEG 2000
bytes on the card, --png decoded to PNG (OpenJPEG). --name-png and
--address-png write the card face's name and address images. --credential a or b opens the surface application
with 照合番号A or 照合番号B typed directly. Files are created with mode
0600: they are personal data. The card face is verified through the
card's card-verifiable certificate to the pinned J-LIS key 5000023 (or a
test key, labelled, in test mode); when it fails nothing is written and
the command exits 3.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" && png == "" && namePNG == "" && addressPNG == "" {
				return usageErrorf("%s", g.tr(msgFaceNoOutput))
			}
			cred, err := g.parseCredential(credential)
			if err != nil {
				return err
			}
			for _, p := range []string{out, png, namePNG, addressPNG} {
				if err := g.checkWritable(p); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			s, err := g.openCard(ctx)
			if err != nil {
				return err
			}
			defer s.close()
			keys, err := g.cvKeys(s)
			if err != nil {
				return err
			}
			src, err := g.pinSource()
			if err != nil {
				return err
			}
			defer src.Close()
			kind := cred.surfaceKind()
			var sf *card.Surface
			if cred == credentialPIN {
				sf, err = s.jpki.Surface().ReadSurfaceWithTextPIN(ctx, g.prompt(src))
			} else {
				sf, err = s.jpki.Surface().ReadSurface(ctx, kind, g.prompt(src))
			}
			if err != nil {
				return withPIN(kind, err)
			}
			res := faceJSON{TestCard: g.testCard(s), Credential: string(cred), Written: map[string]string{}, Format: sf.PhotoFormat.String(), Expiry: sf.Expiry}
			v, verr := sf.Verify(keys)
			if res.Verification, verr = g.cvResult(msgCVRecordFace, v, verr); verr != nil {
				// Nothing is written from a card face that did not verify.
				if g.JSON && res.Verification.Message != "" {
					_ = g.printJSON(res)
				}
				return verr
			}
			write := func(what, path string, b []byte) error {
				if path == "" {
					return nil
				}
				if err := os.WriteFile(path, b, 0o600); err != nil {
					return fmt.Errorf("writing %s: %w", path, err)
				}
				res.Written[what] = path
				if !g.JSON {
					g.notef("%s", g.tr(msgFaceWritten, path, len(b)))
				}
				return nil
			}
			if err := write("photo", out, sf.FacePhoto); err != nil {
				return err
			}
			if png != "" {
				b, err := jp2.ToPNG(sf.FacePhoto)
				if err != nil {
					return fmt.Errorf("decoding the face photo: %w", err)
				}
				if err := write("photo_png", png, b); err != nil {
					return err
				}
			}
			if err := write("name_png", namePNG, sf.NameImage); err != nil {
				return err
			}
			if err := write("address_png", addressPNG, sf.AddressImage); err != nil {
				return err
			}
			if g.JSON {
				if err := g.printJSON(res); err != nil {
					return err
				}
				return nil
			}
			g.testBanner(g.stdout, res.TestCard)
			g.printCV(res.Verification)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "write the face photo as on the card (JPEG 2000) to FILE")
	f.StringVar(&png, "png", "", "write the face photo decoded to PNG to FILE")
	f.StringVar(&namePNG, "name-png", "", "write the card face's name image to FILE")
	f.StringVar(&addressPNG, "address-png", "", "write the card face's address image to FILE")
	f.StringVar(&credential, "credential", string(credentialPIN), credentialHelp)
	return cmd
}
