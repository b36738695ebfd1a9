package main

import (
	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
)

// textJSON is what `text --json` prints.
type textJSON struct {
	TestCard bool `json:"test_card"`
	// Credential is what opened the application: "pin", "a" or "b".
	Credential string `json:"credential"`
	// Read lists what the credential opened: "number" (照合番号A or the
	// PIN) and "basic" (照合番号B or the PIN). Fields of what was not
	// read are empty.
	Read []string `json:"read"`
	// Number is the Individual Number, "************" unless
	// --show-number.
	Number            string `json:"number,omitempty"`
	NumberShown       bool   `json:"number_shown"`
	Name              string `json:"name,omitempty"`
	Address           string `json:"address,omitempty"`
	BirthDate         string `json:"birth_date,omitempty"`
	BirthDateJapanese string `json:"birth_date_japanese,omitempty"`
	// Sex is "male", "female", "not_applicable" or "unknown"; SexCode
	// the card's ISO/IEC 5218 code (1, 2, 9, 0).
	Sex     string `json:"sex,omitempty"`
	SexCode *int   `json:"sex_code,omitempty"`
	// Verification is the record verified to a pinned CV CA key (text
	// application EF 0003 through EF 0004).
	Verification cvJSON `json:"verification"`
}

func newTextCmd(g *globals) *cobra.Command {
	var showNumber bool
	var credential string
	cmd := &cobra.Command{
		Use:   "text [--credential pin|a|b]",
		Short: "read the Individual Number and the basic four (name, address, birth date, sex), verified to the J-LIS key",
		Long: `text reads the card input support application (券面事項入力補助AP): with the
4-digit card-information PIN (default) the Individual Number (masked unless
--show-number: it is personal data regulated by law) and the basic four;
with --credential a (照合番号A, the 12-digit number) the number only; with
--credential b (照合番号B) the basic four only. The record is verified
through the card's card-verifiable certificate to the pinned J-LIS key
5000033 (or a test key, labelled, in test mode); when it fails nothing of
the record is shown and the command exits 3 with the reason.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cred, err := g.parseCredential(credential)
			if err != nil {
				return err
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
			kind := cred.textKind()
			rec, err := s.jpki.Text().ReadText(ctx, kind, g.prompt(src))
			if err != nil {
				return withPIN(kind, err)
			}
			out := textJSON{TestCard: g.testCard(s), Credential: string(cred), Read: []string{}}
			record := msgCVRecordText
			switch {
			case !rec.Has(card.TextBasicField):
				record = msgCVRecordNumber
			case !rec.Has(card.TextNumberField):
				record = msgCVRecordBasic
			}
			v, verr := rec.Verify(keys)
			var cvv *card.CVVerification
			if v != nil {
				cvv = &v.CVVerification
			}
			if out.Verification, verr = g.cvResult(record, cvv, verr); verr != nil {
				// Nothing is shown of a record that did not verify.
				if g.JSON && out.Verification.Message != "" {
					_ = g.printJSON(out)
				}
				return verr
			}
			if rec.Has(card.TextNumberField) {
				out.Read = append(out.Read, "number")
				out.Number = rec.Number.String()
				if showNumber {
					out.Number, out.NumberShown = rec.Number.Reveal(), true
				}
			}
			if rec.Has(card.TextBasicField) {
				out.Read = append(out.Read, "basic")
				out.Name, out.Address = rec.Basic.Name, rec.Basic.Address
				out.BirthDate, out.BirthDateJapanese = rec.Basic.BirthDate.Format("2006-01-02"), card.FormatJapaneseDate(rec.Basic.BirthDate)
				code := sexCode(rec.Basic.Sex)
				out.Sex, out.SexCode = sexName(code), &code
			}
			if g.JSON {
				return g.printJSON(out)
			}
			g.testBanner(g.stdout, out.TestCard)
			t := g.newTable()
			notRead := g.tr(msgNotRead)
			num, name, address, birth, sex := notRead, notRead, notRead, notRead, notRead
			if rec.Has(card.TextNumberField) {
				num = out.Number
				if !showNumber {
					num = g.tr(msgNumberMasked, num)
				}
			}
			if rec.Has(card.TextBasicField) {
				name, address, birth, sex = out.Name, out.Address, g.dateBothTime(rec.Basic.BirthDate), g.sexWord(out.Sex)
			}
			t.row(g.p.Sprintf(i18n.FieldIndividualNumber), num)
			t.row(g.p.Sprintf(i18n.FieldName), name)
			t.row(g.p.Sprintf(i18n.FieldAddress), address)
			t.row(g.p.Sprintf(i18n.FieldBirthDate), birth)
			t.row(g.p.Sprintf(i18n.FieldSex), sex)
			t.flush()
			switch cred {
			case credentialA:
				g.notef("%s", g.tr(msgTextOnlyNumber))
			case credentialB:
				g.notef("%s", g.tr(msgTextOnlyBasic))
			}
			g.printCV(out.Verification)
			return nil
		},
	}
	cmd.Flags().BoolVar(&showNumber, "show-number", false, "show the Individual Number instead of masking it")
	cmd.Flags().StringVar(&credential, "credential", string(credentialPIN), credentialHelp)
	return cmd
}

// sexCode is a sex's ISO/IEC 5218 code.
func sexCode(s card.Sex) int {
	switch s {
	case card.SexMale:
		return 1
	case card.SexFemale:
		return 2
	case card.SexNotApplicable:
		return 9
	}
	return 0
}

// sexName is the JSON word of an ISO/IEC 5218 code, as the certificate's
// attributes name sex.
func sexName(code int) string {
	switch code {
	case 1:
		return "male"
	case 2:
		return "female"
	case 9:
		return "not_applicable"
	}
	return "unknown"
}
