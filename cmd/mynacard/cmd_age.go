package main

import (
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/store"
)

// ageJSON is what `age --json` prints: the answer and nothing personal.
type ageJSON struct {
	TestCard bool `json:"test_card"`
	*confirm.AgeCheck
}

func newAgeCmd(g *globals) *cobra.Command {
	var over int
	var noRecord bool
	cmd := &cobra.Command{
		Use:   "age --over N",
		Short: "age check without disclosure: is the holder N or over today (Japan time)? Only yes or no is shown",
		Long: `age asks for the holder's birth date as 6-digit Japanese-era YYMMDD (the
first six digits of 照合番号B; typed without echo, or on standard input with
--pin-stdin) and reads the card's age record with it. The record is verified
to the pinned J-LIS CV CA key (a TEST key, labelled, in test mode), the chip
signs a fresh challenge to show it is the card itself and not copied files,
the card's authentication certificate (free to read) must chain to a pinned
root and not be revoked (a card reported lost is refused, as by identify
--chip; the revocation flags apply), and the answer is "yes" or "no, not N or
over" as of today in Japan time, and nothing else: no birth date, age, name or
card identifier is printed. With a store (--db, or the per-user one if it
exists) the check is recorded: the verdict, the time, the operator and the
card key ID, nothing personal; --no-record keeps none.

A year of age is completed at the end of the day before the birthday
(年齢計算ニ関スル法律), so the holder is N from the first moment of the Nth
birthday; someone born on 29 February is N from 1 March in a common year.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if over < 1 || over > confirm.MaxAgeOver {
				return usageErrorf("%s", g.tr(msgAgeUsage, confirm.MaxAgeOver))
			}
			ctx := cmd.Context()
			if _, err := g.checkRevocationFlags(); err != nil {
				return err
			}
			var st store.Store
			if !noRecord {
				var err error
				if st, err = g.chipStore(ctx, false); err != nil {
					return err
				}
				if st != nil {
					defer st.Close()
				}
			}
			return g.onCard(ctx, st, func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error {
				keys, err := g.cvKeys(s)
				if err != nil {
					return err
				}
				res, err := conf.CheckAge(ctx, s.jpki, confirm.AgeOptions{Over: over, Prompt: prompt, CVKeys: keys})
				if err != nil {
					return withPIN(cardBirthDateKey, err)
				}
				if g.JSON {
					if err := g.printJSON(ageJSON{TestCard: g.testCard(s), AgeCheck: res}); err != nil {
						return err
					}
				} else {
					if res.OK {
						g.testBanner(g.stdout, g.testCard(s))
						if res.Answer {
							g.println(g.tr(msgAgeYes, res.Over, res.AsOf))
						} else {
							g.println(g.tr(msgAgeNo, res.Over, res.AsOf))
						}
					}
					switch {
					case res.RecordSeq != 0:
						g.notef("%s", g.tr(msgChipRecord, res.RecordSeq))
					case noRecord:
						g.notef("%s", g.tr(msgChipNoRecord))
					case st == nil:
						g.notef("%s", g.tr(msgAgeNoRecord))
					}
				}
				if !res.OK {
					code := exitVerificationFailed
					if res.AuthRevocation.Status == confirm.RevocationRevoked {
						code = exitRevoked
					}
					return &codedError{code: code, msg: g.tr(msgAgeRefused, g.tr(chipRefusalMessages[res.Refusal])), hint: g.tr(msgHintChipRefused)}
				}
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&over, "over", 20, "the age asked about: is the holder this age or over today?")
	cmd.Flags().BoolVar(&noRecord, "no-record", false, "keep no record even when a store exists (by default the check is recorded in the store named by --db, or the per-user one if it exists: the verdict, the time and the card key ID, nothing personal)")
	return cmd
}

// cardBirthDateKey is the PIN kind age asks for.
const cardBirthDateKey = card.SurfaceBirthDate

func (g *globals) println(s string) { fmt.Fprintln(g.stdout, s) }
