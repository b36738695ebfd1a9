package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
)

func newChangesCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "changes [ENROLMENT-ID | --all]",
		Short: "registration-change confirmation (異動確認): re-check enrolled signing certificates for revocation",
		Long: `changes checks the revocation status of an enrolled signing certificate now
(one enrolment by ID, or with --all every current enrolment). A certificate
revoked with affiliationChanged means the holder's registered details changed:
ask the holder to identify again with the new card (identify --replaces ID).
Other revocations are shown with their reason.

Batch mode shows a progress bar on a terminal, prints the enrolments that are
not good (with --json: one JSON object per enrolment, then the summary) and
ends with a summary. Exit code: 0 when all are good, 4 when any is revoked,
3 when any could not be checked.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) == 1) {
				return usageErrorf("give one enrolment ID or --all")
			}
			ctx := cmd.Context()
			// With the built-in virtual card, the test hierarchy's own
			// CRLs are the revocation source when none is given, as for
			// identify and qualify.
			g.virtualCard = g.virtualCard || strings.EqualFold(g.Reader, virtualReader)
			st, err := g.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			conf, err := g.confirmer(ctx, nil, st)
			if err != nil {
				return err
			}
			if !all {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return usageErrorf("enrolment ID %q is not a number", args[0])
				}
				r, err := conf.CheckEnrolment(ctx, id)
				if err != nil {
					return err
				}
				if g.JSON {
					if err := g.printJSON(r); err != nil {
						return err
					}
				} else {
					g.printChangeResult(r)
				}
				return g.changesExit(outcomeCounts(r))
			}
			var bar *progressbar.ProgressBar
			if f, ok := g.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(f), progressbar.OptionShowCount(),
					progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
			}
			enc := json.NewEncoder(g.stdout)
			progress := func(done, total int) {
				if bar != nil {
					bar.ChangeMax(total)
					_ = bar.Set(done)
				}
			}
			emit := func(r confirm.ChangeResult) {
				switch {
				case g.JSON:
					_ = enc.Encode(r)
				case r.Outcome != confirm.OutcomeGood:
					if bar != nil {
						_ = bar.Clear()
					}
					g.printChangeResult(r)
				}
			}
			sum, err := conf.CheckAll(ctx, progress, emit)
			if bar != nil {
				_ = bar.Finish()
			}
			if err != nil {
				return err
			}
			if g.JSON {
				if err := enc.Encode(map[string]confirm.Summary{"summary": sum}); err != nil {
					return err
				}
			} else {
				g.printSummary(sum)
			}
			return g.changesExit(sum)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "check every current signing-certificate enrolment")
	return cmd
}

// outcomeCounts turns one result into a summary for changesExit.
func outcomeCounts(r confirm.ChangeResult) confirm.Summary {
	s := confirm.Summary{Checked: 1, RevokedOther: map[string]int{}}
	switch r.Outcome {
	case confirm.OutcomeGood:
		s.Good = 1
	case confirm.OutcomeRegistrationChanged:
		s.RegistrationChanged = 1
	case confirm.OutcomeRevoked:
		s.RevokedOther[r.Revocation.Reason] = 1
	default:
		s.Unknown = 1
	}
	return s
}

// changesExit is 4 when any certificate is revoked, 3 when any could not
// be checked, 0 otherwise. The results are already printed.
func (g *globals) changesExit(s confirm.Summary) error {
	revoked := s.RegistrationChanged
	for _, n := range s.RevokedOther {
		revoked += n
	}
	switch {
	case revoked > 0:
		return &codedError{code: exitRevoked, msg: g.p.Sprintf(i18n.ExitRevoked), hint: g.p.Sprintf(i18n.HintIdentifyAgain)}
	case s.Unknown > 0:
		return &codedError{code: exitVerificationFailed, msg: g.p.Sprintf(i18n.RevocationUnknown), hint: g.p.Sprintf(i18n.HintRevocationConfig)}
	}
	return nil
}

// printChangeResult writes one enrolment's outcome.
func (g *globals) printChangeResult(r confirm.ChangeResult) {
	var what string
	switch r.Outcome {
	case confirm.OutcomeGood:
		what = g.p.Sprintf(i18n.NoChange)
	case confirm.OutcomeUnknown:
		what = g.tr(msgChangesUnknown, r.Revocation.Code)
	default:
		what = g.revocationText(r.Revocation)
	}
	fmt.Fprintln(g.stdout, g.tr(msgChangesLine, r.EnrolmentID, r.Name, what))
}

// printSummary writes the batch summary.
func (g *globals) printSummary(s confirm.Summary) {
	if s.Checked == 0 {
		fmt.Fprintln(g.stdout, g.tr(msgChangesNone))
		return
	}
	other := 0
	reasons := make([]string, 0, len(s.RevokedOther))
	for r, n := range s.RevokedOther {
		other += n
		reasons = append(reasons, r)
	}
	fmt.Fprintln(g.stdout, g.tr(msgChangesSummary, s.Checked, s.Good, s.RegistrationChanged, other, s.Unknown))
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintln(g.stdout, g.tr(msgChangesRevoked, r, s.RevokedOther[r]))
	}
}
