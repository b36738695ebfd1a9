package main

import (
	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/jpki"
)

// textJSON is what `text --json` prints.
type textJSON struct {
	TestCard bool `json:"test_card"`
	// Number is the Individual Number, "************" unless
	// --show-number.
	Number            string `json:"number"`
	NumberShown       bool   `json:"number_shown"`
	Name              string `json:"name"`
	Address           string `json:"address"`
	BirthDate         string `json:"birth_date"`
	BirthDateJapanese string `json:"birth_date_japanese"`
	// Sex is the ISO/IEC 5218 code: 1 male, 2 female, 9 not applicable.
	Sex string `json:"sex"`
	// Integrity says whether the record's hashes and signature check
	// with the card's own certificate (self-consistency, not issuance
	// by J-LIS: no J-LIS key is configured).
	IntegrityOK    bool   `json:"integrity_ok"`
	IntegrityError string `json:"integrity_error,omitempty"`
}

func newTextCmd(g *globals) *cobra.Command {
	var showNumber bool
	cmd := &cobra.Command{
		Use:   "text",
		Short: "read the Individual Number and the basic four (name, address, birth date, sex) with the 4-digit PIN",
		Long: `text reads the card input support application (券面事項入力補助AP) after the
4-digit card-information PIN: the Individual Number (masked unless
--show-number: it is personal data regulated by law) and the basic four.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			rec, err := s.jpki.Text().ReadText(ctx, card.TextPIN, g.prompt(src))
			if err != nil {
				return withPIN(card.TextPIN, err)
			}
			out := textJSON{
				TestCard: g.testCard(s), Number: rec.Number.String(),
				Name: rec.Basic.Name, Address: rec.Basic.Address,
				BirthDate: rec.Basic.Birth.Format("2006-01-02"), BirthDateJapanese: jpki.FormatJapaneseDate(rec.Basic.Birth),
				Sex: sexCode(rec.Basic.Sex),
			}
			if showNumber {
				out.Number, out.NumberShown = rec.Number.Reveal(), true
			}
			if _, ierr := rec.VerifyIntegrity(nil); ierr != nil {
				out.IntegrityError = ierr.Error()
			} else {
				out.IntegrityOK = true
			}
			if g.JSON {
				return g.printJSON(out)
			}
			g.testBanner(g.stdout, out.TestCard)
			t := g.newTable()
			num := out.Number
			if !showNumber {
				num = g.tr(msgNumberMasked, num)
			}
			t.row(g.p.Sprintf(i18n.FieldIndividualNumber), num)
			t.row(g.p.Sprintf(i18n.FieldName), out.Name)
			t.row(g.p.Sprintf(i18n.FieldAddress), out.Address)
			t.row(g.p.Sprintf(i18n.FieldBirthDate), g.dateBothTime(rec.Basic.Birth))
			t.row(g.p.Sprintf(i18n.FieldSex), g.sexWord(out.Sex))
			t.flush()
			if out.IntegrityOK {
				g.notef("%s", g.tr(msgIntegrityOK))
			} else {
				g.warnf("%s", g.tr(msgIntegrityFailed, out.IntegrityError))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&showNumber, "show-number", false, "show the Individual Number instead of masking it")
	return cmd
}

// sexCode writes an ISO/IEC 5218 code.
func sexCode(s card.Sex) string {
	switch s {
	case card.SexMale:
		return "1"
	case card.SexFemale:
		return "2"
	case card.SexNotApplicable:
		return "9"
	}
	return "0"
}
