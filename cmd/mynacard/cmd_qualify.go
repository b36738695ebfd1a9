package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
)

// qualifyJSON is what `qualify --json` prints.
type qualifyJSON struct {
	TestCard bool `json:"test_card"`
	*confirm.Qualification
}

func newQualifyCmd(g *globals) *cobra.Command {
	var token bool
	var tf tokenFlags
	cmd := &cobra.Command{
		Use:   "qualify",
		Short: "qualification confirmation (資格確認): auth key + 4-digit PIN, then the eligibility answer with its validity status 1–6",
		Long: `qualify has the holder sign a fresh challenge with the user-authentication
key (4-digit PIN), verifies the authentication certificate (signature, chain,
revocation) and looks its issuer and serial up in the eligibility store (see
eligibility import). The answer shows what an insurer's eligibility reply
shows, with the validity status: 1 valid, 2 invalid, 3 invalid with a newer
qualification, 4 none, 5 several, 6 valid but unregistered. Only status 1
exits 0; 2–6 exit 5 (not eligible).`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if token {
				// A token for a backend, made with the authentication
				// key: the backend verifies it and looks eligibility up.
				return g.runToken(cmd.Context(), tf)
			}
			ctx := cmd.Context()
			return g.withConfirmer(ctx, nil, func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error {
				q, err := conf.Qualify(ctx, s.jpki, confirm.QualifyOptions{Prompt: prompt})
				if err != nil {
					return withPIN(card.AuthPIN, err)
				}
				if g.JSON {
					if err := g.printJSON(qualifyJSON{TestCard: g.testCard(s), Qualification: q}); err != nil {
						return err
					}
				} else {
					g.printQualification(q, g.testCard(s))
				}
				if err := g.verdictError(q.Verdict); err != nil {
					return err
				}
				if e := q.Eligibility; e == nil || !e.Eligible {
					msg, hint := g.p.Sprintf(i18n.ExitNotEligible), g.tr(msgNotEligibleHint)
					switch {
					case e != nil && e.CardExpired:
						msg = g.tr(msgInsuranceCardExpiredOn, g.dateOne(parseDate(e.CardValidUntil)))
						hint = g.tr(msgHintInsuranceCard)
					case e != nil:
						msg = g.tr(msgStatusN, e.Status, g.statusWord(e.Status))
					}
					return &codedError{code: exitNotEligible, msg: msg, hint: hint}
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&token, "token", false, "print a confirmation token (authentication key) for a backend's challenge (--audience, --nonce) instead of a local answer")
	tf.addTokenFlags(f, false)
	return cmd
}

// statusWord names a validity status 1–6 in the chosen language.
func (g *globals) statusWord(status int) string {
	if k, ok := i18n.EligibilityKey(status); ok {
		return g.p.Sprintf(k)
	}
	return fmt.Sprint(status)
}

func (g *globals) printQualification(q *confirm.Qualification, test bool) {
	p := g.p
	g.testBanner(g.stdout, test)
	t := g.newTable()
	g.printVerdict(t, q.Verdict)
	t.row(g.tr(msgFieldSerial), q.Certificate.Serial)
	if e := q.Eligibility; e != nil {
		status := g.tr(msgStatusN, e.Status, g.statusWord(e.Status))
		if e.CardExpired {
			// The qualification may be in force, but the card that
			// shows it is not: never "valid".
			status = g.tr(msgStatusCardExpired, e.Status)
		}
		t.row(p.Sprintf(i18n.FieldEligibility), status)
		if e.InsurerNumber != "" {
			t.row(p.Sprintf(i18n.FieldInsurerNumber), e.InsurerNumber)
			t.row(p.Sprintf(i18n.FieldCardSymbol), e.Symbol)
			t.row(p.Sprintf(i18n.FieldCardNumber), e.Number)
			t.row(p.Sprintf(i18n.FieldBranchNumber), e.Branch)
			t.row(p.Sprintf(i18n.FieldName), e.Name)
			t.row(p.Sprintf(i18n.FieldBirthDate), g.dateBothTime(parseDate(e.BirthDate)))
			t.row(p.Sprintf(i18n.FieldSex), g.sexWord(e.Sex))
			t.row(p.Sprintf(i18n.FieldQualificationStart), g.dateBothTime(parseDate(e.QualifiedFrom)))
			if e.LostOn != "" {
				// 資格喪失年月日 is the day after the last qualified day.
				t.row(g.tr(msgFieldQualLostOn), g.dateBothTime(parseDate(e.LostOn)))
			}
			if e.CardValidUntil != "" {
				valid := g.dateBothTime(parseDate(e.CardValidUntil))
				if e.CardExpired {
					valid = g.tr(msgInsuranceCardExpired, valid)
				}
				t.row(g.tr(msgFieldInsuranceCard), valid)
			}
			t.row(p.Sprintf(i18n.FieldCopaymentRatio), fmt.Sprintf("%d%%", e.CopayPercent))
		}
	}
	t.flush()
}

// dateOne writes a calendar date in the reader's own form: the Japanese
// era in Japanese, YYYY-MM-DD in English (inside a sentence, where both
// forms would nest brackets).
func (g *globals) dateOne(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if g.p.Lang() == i18n.Japanese {
		return card.FormatJapaneseDate(t)
	}
	return t.Format(time.DateOnly)
}

// parseDate reads YYYY-MM-DD; the zero time for anything else.
func parseDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
