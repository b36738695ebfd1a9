package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
)

// recordsReport is what `records verify --json` prints.
type recordsReport struct {
	OK       bool     `json:"ok"`
	Verified int      `json:"verified"`
	Unsealed int      `json:"unsealed"`
	HeadSeq  int64    `json:"head_seq"`
	HeadHash string   `json:"head_hash,omitempty"`
	Signers  []string `json:"signers"`
	// Checkpoint is the checkpoint's head checked ("seq:hex"), empty when
	// none was; AfterCheckpoint counts the records after it; CheckpointFile
	// is where it was looked for (empty with --no-checkpoint).
	Checkpoint      string `json:"checkpoint,omitempty"`
	AfterCheckpoint int64  `json:"after_checkpoint,omitempty"`
	CheckpointFile  string `json:"checkpoint_file,omitempty"`
	Failure         string `json:"failure,omitempty"`
	FailureCode     string `json:"failure_code,omitempty"`
}

func newRecordsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "records",
		Short: "verify or export the confirmation records (hash-chained and signed by the operator key)",
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
	var anyCert, unsealedPrefix, noCheckpoint, initCheckpoint bool
	var from, head string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "check the records' hash chain, operator signatures and checkpoint (from the store, or an export with --from)",
		Long: `records verify checks that the records are numbered without gaps, that each
one's hash covers its fields and the previous record's hash, and that each is
signed by a trusted operator certificate (--trust CERT.pem, repeatable, or
--any-cert to list who signed; one of the two is required). A run that
verified no sealed record is not ok.

Every sealed record also writes the signed head (record number, hash and
the operator's signature) to a checkpoint file outside the database (--checkpoint;
by default the SQLite file's path with ".checkpoint" added). records verify
checks the records against it: a store cut back below the checkpoint, or
rewritten, fails and names the last record there is. Records after the
checkpoint are accepted (the process stopped between storing a record and
writing its checkpoint; the next sealed record moves it on). A missing
checkpoint is accepted only while no record is sealed; otherwise it fails:
after checking the head with --expect-head (a head noted elsewhere), write
one with --init-checkpoint, or skip the check with --no-checkpoint (the
report says so).

--expect-head SEQ:HASH must name a sealed record that is there and matches.
Exit 3 when any check fails.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if len(trust) == 0 && !anyCert {
				return usageErrorf("%s", g.tr(msgRecordsNoTrust))
			}
			if noCheckpoint && (initCheckpoint || cmd.Flags().Changed("checkpoint")) {
				return usageErrorf("%s", g.tr(msgCheckpointFlags))
			}
			if initCheckpoint && from != "" {
				return usageErrorf("%s", g.tr(msgInitCheckpointFrom))
			}
			opts := operator.VerifyOptions{AnyCert: anyCert, AllowUnsealedPrefix: unsealedPrefix}
			for _, f := range trust {
				c, err := readCertFile(f)
				if err != nil {
					return err
				}
				opts.TrustedCerts = append(opts.TrustedCerts, c)
			}
			if head != "" {
				h, err := operator.ParseHead(head)
				if err != nil {
					return usageErrorf("%s", g.tr(msgExpectHead))
				}
				opts.ExpectHead = &h
			}
			cpPath := ""
			if !noCheckpoint {
				p, err := g.checkpointPath()
				if err != nil {
					return err
				}
				cpPath = p
				cp, err := operator.ReadCheckpoint(p)
				switch {
				case errors.Is(err, fs.ErrNotExist):
					opts.RequireCheckpoint = !initCheckpoint
				case errors.Is(err, operator.ErrBadCheckpoint):
					return &codedError{code: exitVerificationFailed, msg: g.tr(msgBadCheckpoint, p), underlying: err}
				case err != nil:
					return err
				case initCheckpoint:
					return usageErrorf("%s", g.tr(msgInitCheckpointExists, p))
				default:
					opts.Checkpoint = cp
				}
			}
			var rep *operator.ChainReport
			var err error
			var st store.Store
			if from != "" {
				f, ferr := os.Open(from)
				if ferr != nil {
					return ferr
				}
				defer f.Close()
				rep, err = operator.VerifyChain(ctx, operator.ReadExport(f), opts)
			} else {
				s, serr := g.openStore(ctx)
				if serr != nil {
					return serr
				}
				defer s.Close()
				st = s
				rep, err = operator.VerifyStore(ctx, st, opts)
			}
			if rep == nil || (err != nil && rep.Failure == nil) {
				if err == nil {
					err = fmt.Errorf("verifying records: no report")
				}
				return err
			}
			r := recordsReport{OK: rep.OK(), Verified: rep.Verified, Unsealed: rep.Unsealed, HeadSeq: rep.Head.Seq,
				HeadHash: hex.EncodeToString(rep.Head.RecordHash), Signers: []string{}, CheckpointFile: cpPath}
			for _, s := range rep.Signers {
				r.Signers = append(r.Signers, fmt.Sprintf("%s %s (%d records, %d–%d)", s.Fingerprint, s.Cert.Subject.CommonName, s.Records, s.FirstSeq, s.LastSeq))
			}
			if rep.Checkpoint != nil {
				r.Checkpoint = rep.Checkpoint.String()
				r.AfterCheckpoint = rep.AfterCheckpoint
			}
			var msg, hint string
			if rep.Failure != nil {
				r.Failure = rep.Failure.Error()
				r.FailureCode = rep.Failure.Code()
				msg, hint = g.chainFailure(rep.Failure, cpPath, rep.Verified)
			}
			if r.OK && initCheckpoint && st != nil {
				last, err := st.Record(ctx, rep.Head.Seq)
				if err != nil {
					return err
				}
				cp, err := operator.CheckpointOf(last)
				if err != nil {
					return err
				}
				if err := operator.WriteCheckpoint(cpPath, cp); err != nil {
					return err
				}
				r.Checkpoint = cp.Head.String()
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
				switch {
				case noCheckpoint:
					t.row(g.tr(msgFieldCheckpoint), g.tr(msgCheckpointNotChecked))
				case r.Checkpoint != "":
					t.row(g.tr(msgFieldCheckpoint), g.tr(msgCheckpointAt, r.Checkpoint, r.AfterCheckpoint, cpPath))
				default:
					t.row(g.tr(msgFieldCheckpoint), g.tr(msgCheckpointNone, cpPath))
				}
				for _, s := range r.Signers {
					t.row(g.tr(msgFieldSigner), s)
				}
				t.flush()
			}
			if !r.OK {
				return &codedError{code: exitVerificationFailed, msg: msg, hint: hint, underlying: err}
			}
			if initCheckpoint {
				g.notef("%s", g.tr(msgCheckpointWritten, rep.Head.Seq, cpPath))
			}
			return nil
		},
	}
	f := verify.Flags()
	f.StringArrayVar(&trust, "trust", nil, "trusted operator certificate (PEM), repeatable")
	f.BoolVar(&anyCert, "any-cert", false, "accept any operator certificate and list the signers")
	f.BoolVar(&unsealedPrefix, "allow-unsealed-prefix", false, "accept unsealed records written before an operator key was configured")
	f.StringVar(&from, "from", "", "verify an export file instead of the store")
	f.StringVar(&head, "expect-head", "", "a head noted earlier, SEQ:HEX, that the records must reach (a sealed record that matches)")
	f.BoolVar(&noCheckpoint, "no-checkpoint", false, "do not check the records against the checkpoint (the report says so)")
	f.BoolVar(&initCheckpoint, "init-checkpoint", false, "when there is no checkpoint yet: verify, then write one at the verified head")
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
