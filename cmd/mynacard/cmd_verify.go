package main

import (
	"errors"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// verifyJSON is what `verify --json` prints.
type verifyJSON struct {
	TestHierarchy bool             `json:"test_hierarchy"`
	Verdict       confirm.Verdict  `json:"verdict"`
	Signer        *certInfoJSON    `json:"signer,omitempty"`
	Attributes    *card.Attributes `json:"attributes,omitempty"`
	SigningTime   time.Time        `json:"signing_time,omitzero"`
	Error         string           `json:"error,omitempty"`
}

func newVerifyCmd(g *globals) *cobra.Command {
	var pdfFile, tsaRoots string
	cmd := &cobra.Command{
		Use:   "verify SIGNATURE [FILE] | verify --pdf FILE",
		Short: "verify a CMS signature made with a signing key: signature, chain to a pinned root, revocation",
		Long: `verify checks a CMS signature (from mynacard sign): the signature over the
content (FILE for a detached signature), the signer's certificate chained to a
pinned J-LIS root (--roots FILE supplies the root certificates; the virtual
card's test roots only with --test-hierarchy), and its revocation status from
--crl / --ocsp. It needs no card.

With --pdf FILE it verifies every signature of every revision of the PDF:
the signed byte ranges, what was changed after each signature, the CMS, the
chain, revocation, and the timestamp (trusted with --tsa-roots FILE).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if pdfFile != "" {
				return g.noArgs(cmd, args)
			}
			return g.rangeArgs(1, 2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// With the built-in virtual card, the test hierarchy's own
			// CRLs are the revocation source when none is given, as for
			// identify and qualify.
			g.virtualCard = g.virtualCard || strings.EqualFold(g.Reader, virtualReader)
			if pdfFile != "" {
				return g.runVerifyPDF(ctx, pdfFile, tsaRoots)
			}
			sig, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var data []byte
			if len(args) == 2 {
				if data, err = os.ReadFile(args[1]); err != nil {
					return err
				}
			}
			roots, err := g.roots(ctx, nil)
			if err != nil {
				return err
			}
			policy, err := revocation.ParsePolicy(g.Revocation)
			if err != nil {
				return &usageError{err: errors.New(g.tr(msgBadRevocation, g.Revocation))}
			}
			if policy != revocation.PolicyOff {
				if err := g.checkRevocationSources(); err != nil {
					return err
				}
			}
			test := g.testCard(nil)
			out := verifyJSON{TestHierarchy: test}
			v := &out.Verdict
			res, verr := jpki.VerifyCMS(sig, data, roots, jpki.VerifyOptions{Kind: card.SignKey, RequireProduction: !test})
			var ve *jpki.VerifyError
			switch {
			case verr == nil:
				v.Signature.OK = true
				v.Chain = confirm.ChainResult{OK: true, Production: res.Verification.Production, Generation: res.Verification.Generation,
					RootFingerprint: res.Verification.Fingerprint().String(), At: res.Verification.Time}
			case errors.As(verr, &ve):
				v.Signature.OK = true
				v.Chain = confirm.ChainResult{Code: strings.ReplaceAll(ve.Reason.String(), "-", "_"), Detail: ve.Detail, At: time.Now()}
			default:
				v.Signature.Detail = verr.Error()
				out.Error = verr.Error()
			}
			if res != nil {
				if alg, err := jpki.AlgorithmFor(res.Signer.PublicKey); err == nil {
					v.Signature.Algorithm = string(alg)
				}
				der := res.Signer.Raw
				out.Signer = &certInfoJSON{Kind: res.Signer.Kind.String(), Subject: res.Signer.Subject.String(), Issuer: res.Signer.Issuer.String(),
					Serial: confirm.SerialString(res.Signer.Certificate), NotBefore: res.Signer.NotBefore, NotAfter: res.Signer.NotAfter,
					Fingerprint: jpki.FingerprintOf(der).String(), DER: der}
				out.Attributes = res.Signer.Attributes
				out.SigningTime = res.SigningTime
				v.Revocation = confirm.RevocationResult{Status: confirm.RevocationNotChecked}
				if policy != revocation.PolicyOff {
					rc, err := g.revocationChecker(ctx, roots)
					if err != nil {
						return err
					}
					if !revocation.HasSource(rc) {
						v.Revocation = confirm.RevocationResult{Status: confirm.RevocationUnknown, Code: confirm.RevCodeNoSource, Detail: "no revocation source configured"}
					} else {
						v.Revocation = confirm.RevocationResultOf(rc.Check(ctx, res.Signer.Certificate))
					}
				}
			} else {
				v.Revocation = confirm.RevocationResult{Status: confirm.RevocationNotChecked}
			}
			v.OK = v.Signature.OK && v.Chain.OK && v.Revocation.Accepted(policy)
			if g.JSON {
				if err := g.printJSON(out); err != nil {
					return err
				}
				return g.documentVerdictError(*v)
			}
			g.testBanner(g.stdout, test)
			t := g.newTable()
			g.printVerdict(t, *v)
			if res == nil && policy != revocation.PolicyOff {
				// Nothing after a failed check was checked: say why,
				// not "--revocation off".
				why := g.tr(msgNotCheckedChain)
				if !v.Signature.OK {
					why = g.tr(msgNotCheckedSignature)
					t.replace(g.tr(msgFieldChain), g.tr(msgNotCheckedSignature))
				}
				t.replace(g.tr(msgFieldRevocation), why)
			} else if !v.Signature.OK {
				t.replace(g.tr(msgFieldChain), g.tr(msgNotCheckedSignature))
			}
			g.printAttributes(t, out.Attributes)
			if !out.SigningTime.IsZero() {
				t.row(g.tr(msgFieldSignedAt), clockJST(out.SigningTime))
			}
			t.flush()
			return g.documentVerdictError(*v)
		},
	}
	cmd.Flags().StringVar(&pdfFile, "pdf", "", "verify the signatures of this PDF")
	cmd.Flags().StringVar(&tsaRoots, "tsa-roots", "", "PDF: PEM file of trusted time-stamping authority roots")
	return cmd
}

// documentVerdictError is verdictError for a signed document: its hints
// speak of the document, not of an identification at the counter.
func (g *globals) documentVerdictError(v confirm.Verdict) error {
	err := g.verdictError(v)
	var ce *codedError
	if errors.As(err, &ce) {
		switch {
		case ce.code == exitRevoked:
			ce.hint = g.tr(msgHintDocumentRevoked)
		case ce.hint == g.tr(msgHintVerifyFailed):
			ce.hint = g.tr(msgHintDocumentFailed)
		}
	}
	return err
}

// replace sets the value of the row labelled label.
func (t *table) replace(label, value string) {
	for _, r := range t.rows {
		if len(r) == 2 && r[0] == label {
			r[1] = value
		}
	}
}
