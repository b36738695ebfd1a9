package main

import (
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/confirm"
)

// ageJSON is what `age --json` prints: the answer and nothing personal.
type ageJSON struct {
	TestCard bool `json:"test_card"`
	*confirm.AgeCheck
}

func newAgeCmd(g *globals) *cobra.Command {
	var over int
	cmd := &cobra.Command{
		Use:   "age --over N",
		Short: "age check without disclosure: is the holder N or over today (Japan time)? Only yes or no is shown",
		Long: `age asks for the holder's birth date as 6-digit Japanese-era YYMMDD (the
first six digits of 照合番号B; typed without echo, or on standard input with
--pin-stdin) and reads the card's age record with it. The record is verified
to the pinned J-LIS CV CA key (a TEST key, labelled, in test mode), the chip
signs a fresh challenge to show it is the card itself and not copied files,
and the answer is "yes" or "no, not N or over" as of today in Japan time,
and nothing else: no birth date, age, name or card identifier is printed or
kept.

A year of age is completed at the end of the day before the birthday
(年齢計算ニ関スル法律), so the holder is N from the first moment of the Nth
birthday; someone born on 29 February is N from 1 March in a common year.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if over < 1 || over > confirm.MaxAgeOver {
				return usageErrorf("%s", g.tr(msgAgeUsage, confirm.MaxAgeOver))
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
			roots, err := g.roots(ctx, s)
			if err != nil {
				return err
			}
			conf, err := confirm.New(confirm.Config{Roots: roots, Operator: g.operator()})
			if err != nil {
				return err
			}
			src, err := g.pinSource()
			if err != nil {
				return err
			}
			defer src.Close()
			res, err := conf.CheckAge(ctx, s.jpki.Surface(), confirm.AgeOptions{Over: over, Prompt: g.prompt(src), CVKeys: keys})
			if err != nil {
				return withPIN(cardBirthDateKey, err)
			}
			if g.JSON {
				if err := g.printJSON(ageJSON{TestCard: g.testCard(s), AgeCheck: res}); err != nil {
					return err
				}
			} else if res.OK {
				g.testBanner(g.stdout, g.testCard(s))
				if res.Answer {
					g.println(g.tr(msgAgeYes, res.Over, res.AsOf))
				} else {
					g.println(g.tr(msgAgeNo, res.Over, res.AsOf))
				}
			}
			if !res.OK {
				return &codedError{code: exitVerificationFailed, msg: g.tr(msgAgeRefused, g.tr(chipRefusalMessages[res.Refusal])), hint: g.tr(msgHintChipRefused)}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&over, "over", 20, "the age asked about: is the holder this age or over today?")
	return cmd
}

// cardBirthDateKey is the PIN kind age asks for.
const cardBirthDateKey = card.SurfaceBirthDate

func (g *globals) println(s string) { fmt.Fprintln(g.stdout, s) }
