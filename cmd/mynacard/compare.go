package main

import (
	"context"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/i18n"
)

// fieldComparison is one of the basic four compared between the signing
// certificate and the card's text application.
type fieldComparison struct {
	Field       string `json:"field"`
	Certificate string `json:"certificate"`
	Card        string `json:"card"`
	// Same is true when the values are equal after the safe folding of
	// sameText (names and addresses) or exactly (birth date, sex).
	Same bool `json:"same"`
}

// compareWithText reads the text application's basic four (4-digit text
// PIN) and compares them with the certificate's attributes. Substitute
// characters never compare as the same: the certificate holds a
// replacement where the registry has a character without a code point.
func (g *globals) compareWithText(ctx context.Context, s *session, a *card.Attributes, prompt card.PINPrompt) ([]fieldComparison, error) {
	b, err := s.jpki.Text().ReadBasic(ctx, prompt)
	if err != nil {
		return nil, withPIN(card.TextPIN, err)
	}
	textSex := map[card.Sex]string{card.SexMale: "male", card.SexFemale: "female"}[b.Sex]
	if textSex == "" {
		textSex = "unknown"
	}
	var certDate string
	if !a.BirthDate.IsZero() {
		certDate = a.BirthDate.Format(time.DateOnly)
	}
	return []fieldComparison{
		{"name", a.Name, b.Name, len(a.NameSubstitutes) == 0 && sameText(a.Name, b.Name)},
		{"address", a.Address, b.Address, len(a.AddressSubstitutes) == 0 && sameText(a.Address, b.Address)},
		{"birth_date", certDate, b.BirthDate.Format(time.DateOnly), certDate == b.BirthDate.Format(time.DateOnly)},
		{"sex", a.Sex.Word(), textSex, a.Sex.Word() == textSex},
	}, nil
}

// printComparison writes the comparison side by side.
func (g *globals) printComparison(cs []fieldComparison) {
	p := g.p
	labels := map[string]i18n.Key{"name": i18n.FieldName, "address": i18n.FieldAddress, "birth_date": i18n.FieldBirthDate, "sex": i18n.FieldSex}
	t := g.newTable()
	t.cells("", g.tr(msgColumnCertificate), g.tr(msgColumnCardText), "")
	for _, c := range cs {
		mark := p.Sprintf(i18n.CompareSame)
		if !c.Same {
			mark = p.Sprintf(i18n.CompareDiffers)
		}
		cert, text := c.Certificate, c.Card
		if c.Field == "sex" {
			cert, text = g.sexWord(cert), g.sexWord(text)
		}
		t.cells(p.Sprintf(labels[c.Field]), cert, text, mark)
	}
	t.flush()
	for _, c := range cs {
		if !c.Same {
			fmt.Fprintln(g.stdout, g.tr(msgCompareDiffers))
			return
		}
	}
}
