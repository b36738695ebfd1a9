package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/store"
)

func newEligibilityCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "eligibility",
		Short: "manage the health-insurance eligibility store that qualify looks up",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE.csv",
		Short: "load qualifications from a CSV file: all rows or none",
		Long: `eligibility import loads qualifications keyed by authentication certificate
(issuer and serial in hex, as "cert auth --json" prints them) from a UTF-8 CSV
file whose header is:

  ` + store.EligibilityCSVHeader + `

The issuer may be written as crypto/x509 writes a DN (the "issuer" that
"cert auth --json" prints), in the certificate's own RDN order (one attribute
per RDN, as records and enrolments keep it), or as keyid:HEX (the
"issuer_key_id" that "cert auth --json" prints): all three are stored in one
canonical form and qualify finds the holder by any of them.

The file is imported in one transaction: if any row is bad, every bad row is
reported with its line number and nothing is imported.`,
		Args: g.exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			g.mayCreateStore = true
			st, err := g.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			res, err := st.ImportEligibilityCSV(ctx, f)
			var ie *store.ImportErrors
			if errors.As(err, &ie) {
				// One line per bad row (or one for the header) before
				// the one-line error.
				summary, lines := g.importReport(ie)
				for _, l := range lines {
					fmt.Fprintf(g.stderr, "mynacard: %s\n", l)
				}
				if g.JSON {
					// A machine gets the same answer as any failure, with the
					// rows' errors.
					_ = g.printJSON(map[string]jsonError{"error": {ExitCode: exitError, Code: exitCodeName(exitError),
						Message: summary, Hint: g.tr(msgHintImportFix), Rows: lines}})
				}
				return &codedError{code: exitError, msg: summary, hint: g.tr(msgHintImportFix), underlying: err}
			}
			if err != nil {
				return err
			}
			if g.JSON {
				return g.printJSON(map[string]int{"inserted": res.Inserted, "updated": res.Updated})
			}
			if n := res.Inserted + res.Updated; n == 1 {
				fmt.Fprintln(g.stdout, g.tr(msgImportedOne, res.Inserted, res.Updated))
			} else {
				fmt.Fprintln(g.stdout, g.tr(msgImported, n, res.Inserted, res.Updated))
			}
			return nil
		},
	})
	return cmd
}
