package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/jp2"
	"github.com/mynacard/mynacard/store"
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

// chipFlags are identify's flags of a chip identification.
type chipFlags struct {
	on bool
	// out is the folder the photo and images are written to.
	out string
	// withText asks for the holder's text PIN too.
	withText bool
	// keepPhoto is "", "jp2" (as read) or "png".
	keepPhoto string
	// noRecord runs without a store: nothing is recorded.
	noRecord bool
}

// set reports whether a flag that needs --chip was given.
func (f *chipFlags) set() bool {
	return f.withText || f.keepPhoto != "" || f.out != "" || f.noRecord
}

// photoKeep maps --keep-photo.
func (f *chipFlags) photoKeep() (confirm.PhotoKeep, bool) {
	switch f.keepPhoto {
	case "":
		return confirm.PhotoHashOnly, true
	case "jp2", "as-read":
		return confirm.PhotoAsRead, true
	case "png":
		return confirm.PhotoPNG, true
	}
	return 0, false
}

// runChipIdentify is identify --chip: 照合番号B from the terminal (no
// echo) or --pin-stdin, the card face verified to the pinned CV CA key,
// the card-present challenge, expiry and the authentication certificate's
// revocation; with --with-text the holder's text PIN (asked after
// 照合番号B) and the basic four as text, verified to the text CV key. The
// photo and the name and address images are written to out only when
// every check passed.
func (g *globals) runChipIdentify(ctx context.Context, cf chipFlags) error {
	out := cf.out
	if out == "" {
		return usageErrorf("%s", g.tr(msgChipNeedOut))
	}
	keep, ok := cf.photoKeep()
	if !ok {
		return usageErrorf("%s", g.tr(msgChipKeepPhotoUsage))
	}
	if cf.noRecord && keep != confirm.PhotoHashOnly {
		return usageErrorf("%s", g.tr(msgChipKeepNoRecord))
	}
	if err := os.MkdirAll(out, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	for _, f := range []string{chipPhotoFile, chipNameFile, chipAddressFile} {
		if err := g.checkWritable(filepath.Join(out, f)); err != nil {
			return err
		}
	}
	return g.withChipConfirmer(ctx, !cf.noRecord, func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error {
		keys, err := g.cvKeys(s)
		if err != nil {
			return err
		}
		opts := confirm.ChipOptions{Prompt: prompt, CVKeys: keys, KeepPhoto: keep}
		if cf.withText {
			opts.TextPrompt = prompt
		}
		id, err := conf.IdentifyChip(ctx, s.jpki, opts)
		if err != nil {
			kind := card.SurfacePINB
			var pk *card.PINKindError
			if errors.As(err, &pk) {
				kind = pk.Kind
			}
			return withPIN(kind, err)
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
			if cf.noRecord {
				g.notef("%s", g.tr(msgChipNoRecord))
			}
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
		if v.Text != nil {
			t.row(g.tr(msgChipText), g.chipTextResult(v))
		}
		if v.Face.Verified {
			if id.Text != nil {
				t.row(g.tr(msgChipName), id.Text.Name)
				t.row(g.tr(msgChipAddress), id.Text.Address)
			}
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
	switch {
	case len(written) > 0 && id.Text != nil:
		g.notef("%s", g.tr(msgChipTextBeside))
	case len(written) > 0:
		g.notef("%s", g.tr(msgChipCompare))
	}
	if id.RecordSeq != 0 {
		g.notef("%s", g.tr(msgChipRecord, id.RecordSeq))
		if id.PhotoKept != "" {
			g.notef("%s", g.tr(msgChipPhotoKept, id.PhotoKept))
		}
	}
}

// chipStore opens the store a chip identification or an age check
// records into. need: a record is asked for, so the store must exist
// (the error says why it is needed and how to go without). Otherwise an
// existing store is used when --db names it or the per-user one exists,
// and none is fine.
func (g *globals) chipStore(ctx context.Context, need bool) (store.Store, error) {
	st, err := g.openStore(ctx)
	var ns *noStoreError
	switch {
	case err == nil:
		return st, nil
	case !errors.As(err, &ns):
		return nil, err
	case need:
		return nil, &codedError{code: exitError, msg: g.tr(msgChipNeedStore, ns.where), hint: g.tr(msgHintChipNeedStore)}
	case g.DB != "":
		return nil, err // a store named by --db that is not there: a mistyped --db
	}
	return nil, nil
}

// withChipConfirmer is withConfirmer for identify --chip and age: record
// says whether a record is kept (then the store must exist, chipStore);
// without it no store is opened.
func (g *globals) withChipConfirmer(ctx context.Context, record bool, fn func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error) error {
	if _, err := g.checkRevocationFlags(); err != nil {
		return err
	}
	var st store.Store
	if record {
		var err error
		if st, err = g.chipStore(ctx, true); err != nil {
			return err
		}
		defer st.Close()
	}
	return g.onCard(ctx, st, fn)
}

// chipTextResult is the text verification's row: the key it verified
// to, or why it did not, and whether it matches the card face.
func (g *globals) chipTextResult(v confirm.ChipVerdict) string {
	t := v.Text
	switch {
	case !t.Verified:
		return g.tr(msgChipFaceFailed, t.Reason)
	case v.TextMatchesFace != nil && !v.TextMatchesFace.OK:
		return g.tr(msgChipTextMismatch)
	case t.TestKey:
		return g.tr(msgChipFaceOKTest, t.CAKey)
	}
	return g.tr(msgChipFaceOK, t.CAKey)
}

// addChipFlags adds identify's --chip, --out, --with-text and
// --keep-photo.
func addChipFlags(f *pflag.FlagSet, cf *chipFlags) {
	f.BoolVar(&cf.on, "chip", false, "identify by reading the IC chip (照合番号B): the card face verified to the issuer's key, the chip's presence, expiry and revocation; the photo is written to --out for the clerk to compare")
	f.StringVar(&cf.out, "out", "", "with --chip: folder for face.png, name.png and address.png (mode 0600)")
	f.BoolVar(&cf.withText, "with-text", false, "with --chip: the holder also enters the 4-digit PIN (asked after 照合番号B, never an argument); name, address, birth date and sex are read as text and verified to the issuer's text key")
	f.StringVar(&cf.keepPhoto, "keep-photo", "", "with --chip: the record also keeps the face photo, as read from the card (jp2) or as PNG (png); by default it keeps only the photo's SHA-256")
	f.BoolVar(&cf.noRecord, "no-record", false, "with --chip: keep no record, and need no store (the rules for this method ask for a record: use it only where another record is kept)")
}
