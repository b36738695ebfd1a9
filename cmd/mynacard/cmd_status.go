package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card"
)

// pinOrder is every PIN of the card, in the order status shows them, with
// its stable JSON name.
var pinOrder = []struct {
	kind card.PINKind
	name string
}{
	{card.SignPIN, "sign"},
	{card.AuthPIN, "auth"},
	{card.TextPIN, "text"},
	{card.TextPINA, "text_a"},
	{card.TextPINB, "text_b"},
	{card.SurfacePINA, "surface_a"},
	{card.SurfacePINB, "surface_b"},
	{card.SurfaceBirthDate, "surface_birth_date"},
}

// pinStatus is one PIN's remaining tries as status reports it.
type pinStatus struct {
	PIN string `json:"pin"`
	// TriesLeft is the count, or -1 when the card did not say.
	TriesLeft int  `json:"tries_left"`
	Blocked   bool `json:"blocked"`
	// Available is false when the card has no such PIN (a phone token
	// has no text or surface application).
	Available bool   `json:"available"`
	Error     string `json:"error,omitempty"`

	kind card.PINKind
}

// cardStatus is what `status` reports.
type cardStatus struct {
	Reader  string `json:"reader"`
	Virtual bool   `json:"virtual"`
	// TestCard is true when the card's certificates chain to a test
	// hierarchy (Hierarchy "test"), whichever reader the card is in.
	TestCard bool `json:"test_card"`
	// Hierarchy is what the card's certificates chain to:
	// hierarchyProduction, hierarchyTest or hierarchyUnknown.
	Hierarchy    string          `json:"hierarchy"`
	CardType     string          `json:"card_type"`
	Token        string          `json:"token"`
	Certificates map[string]bool `json:"certificates"`
	// CertificatesNote says what was odd about the card's certificate
	// list (EF 0008), which made status ask each certificate file; empty
	// when the list was in a known form.
	CertificatesNote string      `json:"certificates_note,omitempty"`
	PINs             []pinStatus `json:"pins"`
}

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "show the reader, the card type and the tries left for every PIN (spends none)",
		Args:  g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runStatus(cmd.Context(), true)
		},
	}
}

// runStatus opens the card, reads its status and prints it: with the
// reader, card and certificates for `status` (withCard), only the PINs'
// tries for `pin status`.
func (g *globals) runStatus(ctx context.Context, withCard bool) error {
	s, err := g.openCard(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	st, err := g.readStatus(ctx, s)
	if err != nil {
		return err
	}
	if g.JSON {
		if withCard {
			return g.printJSON(st)
		}
		return g.printJSON(st.PINs)
	}
	g.printStatus(st, withCard)
	return nil
}

// readStatus reads the card type, certificate presence, what the
// certificates chain to (cardHierarchy: the TEST CARD banner follows the
// card, never the reader) and every PIN's tries with empty VERIFYs, which
// spend none (ISO/IEC 7816-4 §11.5.6). A PIN the card does not answer for
// is shown so and never fails status.
func (g *globals) readStatus(ctx context.Context, s *session) (*cardStatus, error) {
	st := &cardStatus{
		Reader:   s.card.Reader(),
		Virtual:  s.virtual,
		CardType: cardTypeCode(s.jpki.Type()),
	}
	h, err := g.cardHierarchy(ctx, s.jpki)
	if err != nil {
		return nil, err
	}
	st.Hierarchy, st.TestCard = h, h == hierarchyTest
	tok, err := s.jpki.Token(ctx)
	if err != nil {
		return nil, err
	}
	st.Token = tok
	pres, err := s.jpki.Present(ctx)
	if err != nil {
		return nil, err
	}
	st.Certificates = map[string]bool{
		"sign": pres.SignCert, "sign_ca": pres.SignCACert,
		"auth": pres.AuthCert, "auth_ca": pres.AuthCACert,
	}
	st.CertificatesNote = pres.Odd
	for _, p := range pinOrder {
		n, err := pinTries(ctx, s.jpki, p.kind)
		ps := pinStatus{PIN: p.name, TriesLeft: n, Available: true, kind: p.kind}
		switch {
		case err == nil:
		case errors.Is(err, card.ErrPINBlocked):
			ps.Blocked, ps.TriesLeft = true, 0
		case errors.Is(err, apdu.ErrFileNotFound):
			ps.Available, ps.TriesLeft = false, card.RemainingUnknown
		default:
			if ctx.Err() != nil {
				return nil, err
			}
			ps.TriesLeft, ps.Error = card.RemainingUnknown, err.Error()
		}
		st.PINs = append(st.PINs, ps)
	}
	return st, nil
}

// pinTries asks the application that holds k.
func pinTries(ctx context.Context, j *card.JPKI, k card.PINKind) (int, error) {
	switch k {
	case card.AuthPIN, card.SignPIN:
		return j.PINStatus(ctx, k)
	case card.TextPIN, card.TextPINA, card.TextPINB:
		return j.Text().PINStatus(ctx, k)
	}
	return j.Surface().PINStatus(ctx, k)
}

// printStatus writes the status; withCard adds the reader and card lines.
func (g *globals) printStatus(st *cardStatus, withCard bool) {
	g.testBanner(g.stdout, st.TestCard)
	t := g.newTable()
	if withCard {
		t.row(g.tr(msgFieldReader), st.Reader)
		t.row(g.tr(msgFieldCard), fmt.Sprintf("%s (%s)", g.cardTypeName(st.CardType), st.Token))
		var certs []string
		for _, n := range []string{"sign", "sign_ca", "auth", "auth_ca"} {
			if st.Certificates[n] {
				certs = append(certs, g.certName(n))
			}
		}
		if len(certs) == 0 {
			certs = append(certs, g.tr(msgCertNone))
		}
		// One certificate a row, so that the line stays within 80 columns.
		for i, c := range certs {
			label := ""
			if i == 0 {
				label = g.tr(msgFieldCerts)
			}
			t.row(label, c)
		}
		if st.CertificatesNote != "" {
			t.row("", g.tr(msgCertsProbed))
		}
		// The tries are a table of their own, so that the card's rows
		// are not padded to the PINs' longer labels.
		t.flush()
		fmt.Fprintln(g.stdout, g.tr(msgFieldTries))
	}
	for _, p := range st.PINs {
		var v string
		switch {
		case !p.Available:
			v = g.tr(msgTriesNA)
		case p.Blocked:
			v = g.tr(msgTriesBlocked)
		case p.TriesLeft < 0:
			v = g.tr(msgTriesUnknown)
		default:
			v = fmt.Sprint(p.TriesLeft)
		}
		t.row("  "+g.statusPINLabel(p.kind), v)
	}
	t.flush()
}

// cardTypeCode is a card type's stable JSON code.
func cardTypeCode(t card.CardType) string {
	switch t {
	case card.MyNumberCard:
		return agent.CardTypeMyNumber
	case card.PhoneToken:
		return agent.CardTypePhone
	}
	return agent.CardTypeOther
}

// cardTypeName names a card type code in the chosen language.
func (g *globals) cardTypeName(code string) string {
	switch code {
	case agent.CardTypeMyNumber:
		return g.tr(msgCardMyNumber)
	case agent.CardTypePhone:
		return g.tr(msgCardPhone)
	}
	return g.tr(msgCardUnknown)
}

// statusPINLabel names a PIN in the status table: 照合番号A and B open
// two applications, which the label then names (as it names the surface
// application's birth-date key), with the numbers' short
// names (the prompts explain what they are), so that a row stays within
// 80 columns.
func (g *globals) statusPINLabel(k card.PINKind) string {
	switch k {
	case card.TextPINA:
		return g.tr(msgPINOfApp, g.tr(msgAppText), g.tr(msgStatusPINA))
	case card.TextPINB:
		return g.tr(msgPINOfApp, g.tr(msgAppText), g.tr(msgStatusPINB))
	case card.SurfacePINA:
		return g.tr(msgPINOfApp, g.tr(msgAppSurface), g.tr(msgStatusPINA))
	case card.SurfacePINB:
		return g.tr(msgPINOfApp, g.tr(msgAppSurface), g.tr(msgStatusPINB))
	case card.SurfaceBirthDate:
		return g.tr(msgPINOfApp, g.tr(msgAppSurface), g.tr(msgStatusBirthKey))
	}
	return g.pinLabel(k)
}
