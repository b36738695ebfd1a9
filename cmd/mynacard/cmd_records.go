package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/operator"
)

// recordsReport is what `records verify --json` prints.
type recordsReport struct {
	OK       bool     `json:"ok"`
	Verified int      `json:"verified"`
	Unsealed int      `json:"unsealed"`
	HeadSeq  int64    `json:"head_seq"`
	HeadHash string   `json:"head_hash,omitempty"`
	Signers  []string `json:"signers"`
	Failure  string   `json:"failure,omitempty"`
}

func newRecordsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "records",
		Short: "verify or export the confirmation records (hash-chained and signed by the operator key, issue 8)",
	}
	var out string
	cmd.AddCommand(&cobra.Command{
		Use:   "export",
		Short: "write every record as JSON lines (format " + operator.ExportFormat + ")",
		Args:  g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			st, err := g.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			w := g.stdout
			if out != "" {
				f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			n, err := operator.ExportStore(ctx, st, w)
			if err != nil {
				return err
			}
			g.notef("%s", g.tr(msgExported, n))
			return nil
		},
	})
	cmd.Commands()[0].Flags().StringVarP(&out, "out", "o", "", "write to FILE (created 0600, never overwritten) instead of stdout")

	var trust []string
	var anyCert, unsealedPrefix bool
	var from, head string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "check the records' hash chain and operator signatures (from the store, or an export with --from)",
		Long: `records verify checks that the records are numbered without gaps, that each
one's hash covers its fields and the previous record's hash, and that each is
signed by a trusted operator certificate (--trust CERT.pem, repeatable, or
--any-cert to list who signed). --expect-head SEQ:HASH detects records removed
at the end. Exit 3 when any check fails.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			opts := operator.VerifyOptions{AnyCert: anyCert, AllowUnsealedPrefix: unsealedPrefix}
			for _, f := range trust {
				c, err := readCertFile(f)
				if err != nil {
					return err
				}
				opts.TrustedCerts = append(opts.TrustedCerts, c)
			}
			if head != "" {
				seq, h, ok := strings.Cut(head, ":")
				n, err := strconv.ParseInt(seq, 10, 64)
				b, herr := hex.DecodeString(h)
				if !ok || err != nil || herr != nil {
					return usageErrorf("--expect-head must be SEQ:HEX")
				}
				opts.ExpectHead = &operator.Head{Seq: n, RecordHash: b}
			}
			var rep *operator.ChainReport
			var err error
			if from != "" {
				f, ferr := os.Open(from)
				if ferr != nil {
					return ferr
				}
				defer f.Close()
				rep, err = operator.VerifyChain(ctx, operator.ReadExport(f), opts)
			} else {
				st, serr := g.openStore(ctx)
				if serr != nil {
					return serr
				}
				defer st.Close()
				rep, err = operator.VerifyStore(ctx, st, opts)
			}
			if rep == nil {
				if err == nil {
					err = fmt.Errorf("verifying records: no report")
				}
				return usageErrorf("%v", err)
			}
			r := recordsReport{OK: rep.OK(), Verified: rep.Verified, Unsealed: rep.Unsealed, HeadSeq: rep.Head.Seq,
				HeadHash: hex.EncodeToString(rep.Head.RecordHash), Signers: []string{}}
			for _, s := range rep.Signers {
				r.Signers = append(r.Signers, fmt.Sprintf("%s %s (%d records, %d–%d)", s.Fingerprint, s.Cert.Subject.CommonName, s.Records, s.FirstSeq, s.LastSeq))
			}
			if rep.Failure != nil {
				r.Failure = rep.Failure.Error()
			}
			if g.JSON {
				if err := g.printJSON(r); err != nil {
					return err
				}
			} else {
				t := g.newTable()
				t.row(g.tr(msgFieldVerified), r.Verified)
				t.row(g.tr(msgFieldUnsealed), r.Unsealed)
				t.row(g.tr(msgFieldHead), fmt.Sprintf("%d:%s", r.HeadSeq, r.HeadHash))
				for _, s := range r.Signers {
					t.row(g.tr(msgFieldSigner), s)
				}
				t.flush()
			}
			if !r.OK {
				return &codedError{code: exitVerificationFailed, msg: r.Failure, underlying: err}
			}
			return nil
		},
	}
	f := verify.Flags()
	f.StringArrayVar(&trust, "trust", nil, "trusted operator certificate (PEM), repeatable")
	f.BoolVar(&anyCert, "any-cert", false, "accept any operator certificate and list the signers")
	f.BoolVar(&unsealedPrefix, "allow-unsealed-prefix", false, "accept unsealed records written before an operator key was configured")
	f.StringVar(&from, "from", "", "verify an export file instead of the store")
	f.StringVar(&head, "expect-head", "", "a head noted earlier, SEQ:HEX, that the records must reach")
	cmd.AddCommand(verify)
	return cmd
}

// readCertFile reads one PEM or DER certificate.
func readCertFile(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return c, nil
}
