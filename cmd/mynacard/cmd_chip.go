package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/jp2"
)

// chipJSON is what `identify --chip --json` prints.
type chipJSON struct {
	TestCard bool `json:"test_card"`
	*confirm.ChipIdentification
	// Written names the files written for the clerk: photo_png,
	// name_png, address_png.
	Written map[string]string `json:"written"`
}

// Files identify --chip writes into --out, mode 0600 (personal data).
const (
	chipPhotoFile   = "face.png"
	chipNameFile    = "name.png"
	chipAddressFile = "address.png"
)

// runChipIdentify is identify --chip: 照合番号B from the terminal (no
// echo) or --pin-stdin, the card face verified to the pinned CV CA key,
// the card-present challenge, expiry and the authentication certificate's
// revocation; the photo and the name and address images are written to
// out only when every check passed.
func (g *globals) runChipIdentify(ctx context.Context, out string) error {
	if out == "" {
		return usageErrorf("%s", g.tr(msgChipNeedOut))
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	for _, f := range []string{chipPhotoFile, chipNameFile, chipAddressFile} {
		if err := g.checkWritable(filepath.Join(out, f)); err != nil {
			return err
		}
	}
	return g.withConfirmer(ctx, nil, func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error {
		keys, err := g.cvKeys(s)
		if err != nil {
			return err
		}
		id, err := conf.IdentifyChip(ctx, s.jpki, confirm.ChipOptions{Prompt: prompt, CVKeys: keys})
		if err != nil {
			return withPIN(card.SurfacePINB, err)
		}
		res := chipJSON{TestCard: g.testCard(s), ChipIdentification: id, Written: map[string]string{}}
		if id.Verdict.OK {
			if err := g.writeChipFiles(out, id.Face, res.Written); err != nil {
				return err
			}
		}
		if g.JSON {
			if err := g.printJSON(res); err != nil {
				return err
			}
		} else {
			g.printChip(id, res.TestCard, res.Written)
		}
		return g.chipError(id.Verdict.Refusal, id.Verdict.AuthRevocation.Status == confirm.RevocationRevoked)
	})
}

// writeChipFiles writes the face photo decoded to PNG and the name and
// address images as on the card.
func (g *globals) writeChipFiles(dir string, sf *card.Surface, written map[string]string) error {
	photo, err := jp2.ToPNG(sf.FacePhoto)
	if err != nil {
		return fmt.Errorf("decoding the face photo: %w", err)
	}
	for _, f := range []struct {
		key, name string
		b         []byte
	}{{"photo_png", chipPhotoFile, photo}, {"name_png", chipNameFile, sf.NameImage}, {"address_png", chipAddressFile, sf.AddressImage}} {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, f.b, 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", p, err)
		}
		written[f.key] = p
	}
	return nil
}

// chipError is the exit of a refused chip identification or age check:
// 4 for a revoked certificate, 3 for any other refusal.
func (g *globals) chipError(refusal confirm.RefusalCode, revoked bool) error {
	if refusal == "" {
		return nil
	}
	code := exitVerificationFailed
	if revoked {
		code = exitRevoked
	}
	return &codedError{code: code, msg: g.tr(msgChipRefused, g.tr(chipRefusalMessages[refusal])), hint: g.tr(msgHintChipRefused)}
}

// printChip writes the verdict, one row per check, and what was read.
func (g *globals) printChip(id *confirm.ChipIdentification, test bool, written map[string]string) {
	g.testBanner(g.stdout, test)
	v := id.Verdict
	if v.OK {
		fmt.Fprintln(g.stdout, g.tr(msgChipIdentified))
	}
	okWord := func(ok bool) string {
		if ok {
			return g.tr(msgChipOK)
		}
		return g.tr(msgChipNG)
	}
	t := g.newTable()
	t.row(g.tr(msgChipMethod), g.tr(msgChipMethodValue))
	if id.Face != nil {
		face := g.tr(msgChipFaceFailed, v.Face.Reason)
		switch {
		case v.Face.Verified && v.Face.TestKey:
			face = g.tr(msgChipFaceOKTest, v.Face.CAKey)
		case v.Face.Verified:
			face = g.tr(msgChipFaceOK, v.Face.CAKey)
		}
		t.row(g.tr(msgChipFace), face)
		t.row(g.tr(msgChipCredential), okWord(v.CredentialMatches))
		t.row(g.tr(msgChipPresent), okWord(v.CardPresent.OK))
		t.row(g.tr(msgChipExpiry), id.Expiry+"  "+okWord(v.Expiry.OK))
		t.note(g.tr(msgChipExpiryUnsigned))
		t.row(g.tr(msgChipAuthCert), g.revocationText(v.AuthRevocation))
		if v.Face.Verified {
			t.row(g.tr(msgChipBirth), g.dateBothTime(id.Face.Birth))
			t.row(g.tr(msgChipSex), g.sexWord(id.Sex))
		}
		t.row(g.tr(msgChipCardKey), id.CardKeyID)
	}
	t.flush()
	for _, k := range []string{"photo_png", "name_png", "address_png"} {
		if p, ok := written[k]; ok {
			g.notef("%s", g.tr(msgChipWritten, p))
		}
	}
	if len(written) > 0 {
		g.notef("%s", g.tr(msgChipCompare))
	}
	if id.RecordSeq != 0 {
		g.notef("%s", g.tr(msgChipRecord, id.RecordSeq))
	}
}

// addChipFlags adds identify's --chip and --out.
func addChipFlags(f *pflag.FlagSet, chip *bool, out *string) {
	f.BoolVar(chip, "chip", false, "identify by reading the IC chip (照合番号B): the card face verified to the issuer's key, the chip's presence, expiry and revocation; the photo is written to --out for the clerk to compare")
	f.StringVar(out, "out", "", "with --chip: folder for face.png, name.png and address.png (mode 0600)")
}
