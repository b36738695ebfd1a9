package operator

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"

	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

// Reasons a record fails verification. A *ChainError wraps exactly one of
// them; match with errors.Is.
var (
	// ErrUnsealed means the record carries no hash, signature or
	// certificate (written without an operator key, or stripped).
	ErrUnsealed = errors.New("record is not sealed")
	// ErrSequenceGap means records are missing before this one: its
	// number is higher than the previous record's plus one (a deletion).
	ErrSequenceGap = errors.New("records missing before this one")
	// ErrSequenceOrder means the record's number is not higher than the
	// previous one's (a duplicate, or records given out of order).
	ErrSequenceOrder = errors.New("record number out of order")
	// ErrPrevHashMismatch means the record's PrevHash is not the previous
	// record's RecordHash: records were reordered, removed or inserted.
	ErrPrevHashMismatch = errors.New("previous-hash link broken (records reordered, removed or inserted)")
	// ErrHashMismatch means the record's fields do not hash to its
	// RecordHash: the record was edited.
	ErrHashMismatch = errors.New("record hash mismatch (record edited)")
	// ErrBadSignerCert means SignerCert does not parse as a certificate
	// with a supported key.
	ErrBadSignerCert = errors.New("bad operator certificate")
	// ErrUntrustedSigner means the operator certificate's key is not
	// among the trusted ones.
	ErrUntrustedSigner = errors.New("operator certificate not trusted")
	// ErrBadSignature means the signature does not verify with the
	// operator certificate.
	ErrBadSignature = errors.New("bad operator signature")
	// ErrTruncated means the records end before the expected head: records
	// were removed at the end.
	ErrTruncated = errors.New("records end before the expected head or the checkpoint")
	// ErrHeadMismatch means the record at the expected head's number has
	// another hash, or is not sealed.
	ErrHeadMismatch = errors.New("record differs from the expected head or the checkpoint")
	// ErrNothingVerified means no sealed record passed every check (no
	// records at all, or only unsealed ones): a verification that checked
	// nothing is never a pass.
	ErrNothingVerified = errors.New("no sealed record verified")
)

// ErrNoTrustChoice means VerifyOptions named no trusted certificate and
// did not ask for AnyCert: verification needs one of the two.
var ErrNoTrustChoice = errors.New("operator: verification needs trusted operator certificates or AnyCert")

// ChainError names the first record that failed verification and why.
type ChainError struct {
	// Seq is the failing record's number as stored (for a sequence gap,
	// the record after the gap).
	Seq int64
	// Reason is one of the sentinel errors above.
	Reason error
	// Detail adds what was expected, in words; may be empty.
	Detail string
	// Err is an underlying error (a certificate parse error), or nil.
	Err error
	// Last is the last record seen before the failure was found (for
	// ErrTruncated: the last record there is), and Want the record number
	// an expected head or the checkpoint names (ErrTruncated,
	// ErrHeadMismatch, ErrBadCheckpoint), 0 when it does not apply.
	Last, Want int64
}

// Error formats "record 12: record hash mismatch (record edited)"; a
// failure that concerns no record (Seq 0) has no "record" prefix.
func (e *ChainError) Error() string {
	s := fmt.Sprintf("record %d: %v", e.Seq, e.Reason)
	if e.Seq == 0 {
		s = e.Reason.Error()
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the reason and the underlying error.
func (e *ChainError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Reason, e.Err}
	}
	return []error{e.Reason}
}

// Head is a point of the chain: a record number and its RecordHash. Note
// the head after verifying to detect later removal of records at the end.
type Head struct {
	Seq        int64
	RecordHash []byte
}

// VerifyOptions says which operator certificates to trust.
type VerifyOptions struct {
	// TrustedCerts are the operator certificates whose keys are trusted.
	// A record verifies if its SignerCert has the same public key as one
	// of them (so a certificate reissued for the same token key stays
	// trusted).
	TrustedCerts []*x509.Certificate
	// AnyCert accepts any well-formed operator certificate: the chain and
	// every signature are still checked, and ChainReport.Signers lists who
	// signed, for a person to judge.
	AnyCert bool
	// AllowUnsealedPrefix accepts unsealed records before the first sealed
	// one (records written before an operator key was configured). After
	// the first sealed record every record must be sealed, and the first
	// sealed record must start the chain (empty PrevHash).
	AllowUnsealedPrefix bool
	// ExpectHead, if set, is a head noted earlier: the records must reach
	// it, and the record with its number must be sealed, pass every check
	// and have its hash (an unsealed prefix never satisfies it).
	ExpectHead *Head
	// Checkpoint, if set, is the signed head written outside the database
	// (WithCheckpoint, ReadCheckpoint). Its signature must verify with its
	// certificate under the trust rules above, the records must reach it,
	// and the record with its number must be sealed by that certificate
	// and have its hash. Records after it are accepted and counted in
	// ChainReport.AfterCheckpoint: they were appended after the checkpoint
	// was written, or the process stopped between committing a record and
	// writing its checkpoint; they are verified like every other record.
	Checkpoint *Checkpoint
	// RequireCheckpoint makes a missing Checkpoint a failure
	// (ErrNoCheckpoint) when the records include a sealed one. Records
	// with no sealed record need none (a store before its first sealed
	// append).
	RequireCheckpoint bool
}

// Signer is one operator certificate seen while verifying.
type Signer struct {
	Cert *x509.Certificate
	// Fingerprint is the certificate's SHA-256, lower-case hex.
	Fingerprint string
	// Records counts the records it signed; FirstSeq and LastSeq are the
	// first and last of them.
	Records           int
	FirstSeq, LastSeq int64
}

// ChainReport is what VerifyChain found.
type ChainReport struct {
	// Verified counts the sealed records that passed every check.
	Verified int
	// Unsealed counts the unsealed records accepted before the first
	// sealed one (AllowUnsealedPrefix).
	Unsealed int
	// Head is the last record that passed, zero when none did.
	Head Head
	// Signers lists the operator certificates that signed the verified
	// records, in order of first use.
	Signers []Signer
	// Failure is the first failing record, nil when all passed. It is also
	// the error VerifyChain returns.
	Failure *ChainError
	// Checkpoint is the checkpoint's head when one was checked, and
	// AfterCheckpoint how many records follow it.
	Checkpoint      *Head
	AfterCheckpoint int64
}

// OK reports whether every record passed and at least one sealed record
// was verified.
func (r *ChainReport) OK() bool { return r.Failure == nil && r.Verified > 0 }

// VerifyChain checks records in order: numbers 1, 2, 3... without gaps,
// each sealed, each PrevHash equal to the previous RecordHash (empty for
// the first), each RecordHash recomputed from the fields, each operator
// certificate trusted and each signature valid. It stops at the first
// record that fails and returns the report with a *ChainError naming it.
// Records that verify but include no sealed record fail with
// ErrNothingVerified: checking nothing is not a pass.
// An error from records itself is returned wrapped, with the report so far.
func VerifyChain(ctx context.Context, records iter.Seq2[store.Record, error], opts VerifyOptions) (*ChainReport, error) {
	if len(opts.TrustedCerts) == 0 && !opts.AnyCert {
		return &ChainReport{}, ErrNoTrustChoice
	}
	v := verifier{opts: opts, report: &ChainReport{}, signers: make(map[string]int)}
	if cp := opts.Checkpoint; cp != nil {
		if err := cp.verify(opts); err != nil {
			ce := &ChainError{Seq: cp.Seq, Reason: ErrBadCheckpoint, Want: cp.Seq, Detail: checkpointDetail(err)}
			v.report.Failure = ce
			return v.report, ce
		}
		h := cp.Head
		v.report.Checkpoint = &Head{Seq: h.Seq, RecordHash: bytes.Clone(h.RecordHash)}
	}
	for r, err := range records {
		if re := (*attrtext.RecordError)(nil); errors.As(err, &re) && re.Seq == v.lastSeq+1 {
			// No writer writes attributes that do not convert: the row
			// was changed after it was written, sealed or not.
			ce := &ChainError{Seq: re.Seq, Reason: ErrHashMismatch, Last: v.lastSeq,
				Detail: "its attributes are not text the store writes", Err: re.Err}
			v.report.Failure = ce
			return v.report, ce
		}
		if err != nil {
			return v.report, fmt.Errorf("verifying records: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return v.report, fmt.Errorf("verifying records: %w", err)
		}
		if ce := v.check(&r); ce != nil {
			v.report.Failure = ce
			return v.report, ce
		}
	}
	if h := opts.ExpectHead; h != nil && v.lastSeq < h.Seq {
		ce := &ChainError{Seq: v.lastSeq + 1, Reason: ErrTruncated, Last: v.lastSeq, Want: h.Seq,
			Detail: fmt.Sprintf("the last record is %d, the expected head is %d", v.lastSeq, h.Seq)}
		v.report.Failure = ce
		return v.report, ce
	}
	if cp := opts.Checkpoint; cp != nil {
		if v.lastSeq < cp.Seq {
			ce := &ChainError{Seq: v.lastSeq + 1, Reason: ErrTruncated, Last: v.lastSeq, Want: cp.Seq,
				Detail: fmt.Sprintf("the last record is %d, the checkpoint names record %d", v.lastSeq, cp.Seq)}
			v.report.Failure = ce
			return v.report, ce
		}
		v.report.AfterCheckpoint = v.lastSeq - cp.Seq
	} else if opts.RequireCheckpoint && v.sealed {
		ce := &ChainError{Seq: 0, Reason: ErrNoCheckpoint, Last: v.lastSeq,
			Detail: fmt.Sprintf("the records are sealed up to record %d", v.lastSeq)}
		v.report.Failure = ce
		return v.report, ce
	}
	if v.report.Verified == 0 {
		detail := "there are no records"
		if v.report.Unsealed > 0 {
			detail = fmt.Sprintf("all %d records are unsealed", v.report.Unsealed)
		}
		ce := &ChainError{Seq: 0, Reason: ErrNothingVerified, Detail: detail}
		v.report.Failure = ce
		return v.report, ce
	}
	return v.report, nil
}

type verifier struct {
	opts     VerifyOptions
	report   *ChainReport
	signers  map[string]int // fingerprint → index in report.Signers
	lastSeq  int64
	lastHash []byte
	sealed   bool // a sealed record has been seen
}

func (v *verifier) check(r *store.Record) *ChainError {
	fail := func(reason error, detail string, err error) *ChainError {
		ce := &ChainError{Seq: r.Seq, Reason: reason, Detail: detail, Err: err, Last: v.lastSeq}
		if reason == ErrHeadMismatch {
			ce.Want = r.Seq
		}
		return ce
	}
	want := v.lastSeq + 1
	switch {
	case r.Seq > want:
		if want == r.Seq-1 {
			return fail(ErrSequenceGap, fmt.Sprintf("record %d is missing", want), nil)
		}
		return fail(ErrSequenceGap, fmt.Sprintf("records %d–%d are missing", want, r.Seq-1), nil)
	case r.Seq < want:
		return fail(ErrSequenceOrder, fmt.Sprintf("expected record %d", want), nil)
	}
	v.lastSeq = r.Seq
	if !isSealed(r) {
		if h := v.opts.ExpectHead; h != nil && h.Seq == r.Seq {
			return fail(ErrHeadMismatch, "the expected head's record is not sealed", nil)
		}
		if cp := v.opts.Checkpoint; cp != nil && cp.Seq == r.Seq {
			return fail(ErrHeadMismatch, "the checkpoint's record is not sealed", nil)
		}
		if v.opts.AllowUnsealedPrefix && !v.sealed {
			v.report.Unsealed++
			return nil
		}
		return fail(ErrUnsealed, "", nil)
	}
	v.sealed = true
	if !bytes.Equal(r.PrevHash, v.lastHash) {
		if len(v.lastHash) == 0 {
			return fail(ErrPrevHashMismatch, "the first sealed record must have an empty previous hash", nil)
		}
		return fail(ErrPrevHashMismatch, fmt.Sprintf("it does not match record %d's hash", r.Seq-1), nil)
	}
	if !bytes.Equal(RecordHash(r.PrevHash, r), r.RecordHash) {
		return fail(ErrHashMismatch, "", nil)
	}
	cert, err := x509.ParseCertificate(r.SignerCert)
	if err != nil {
		return fail(ErrBadSignerCert, "", err)
	}
	if err := checkPublicKey(cert.PublicKey); err != nil {
		return fail(ErrBadSignerCert, "", err)
	}
	if !v.trusted(cert) {
		return fail(ErrUntrustedSigner, fmt.Sprintf("%q (SHA-256 %s)", cert.Subject.String(), Fingerprint(cert)), nil)
	}
	if !verifyHash(cert.PublicKey, r.RecordHash, r.Signature) {
		return fail(ErrBadSignature, fmt.Sprintf("certificate %q", cert.Subject.String()), nil)
	}
	if h := v.opts.ExpectHead; h != nil && h.Seq == r.Seq && !bytes.Equal(h.RecordHash, r.RecordHash) {
		return fail(ErrHeadMismatch, "", nil)
	}
	if cp := v.opts.Checkpoint; cp != nil && cp.Seq == r.Seq &&
		(!bytes.Equal(cp.RecordHash, r.RecordHash) || !bytes.Equal(cp.SignerCert, r.SignerCert)) {
		return fail(ErrHeadMismatch, "it differs from the checkpoint's record", nil)
	}
	v.lastHash = r.RecordHash
	v.note(cert, r.Seq)
	v.report.Verified++
	v.report.Head = Head{Seq: r.Seq, RecordHash: bytes.Clone(r.RecordHash)}
	return nil
}

func (v *verifier) trusted(cert *x509.Certificate) bool {
	if v.opts.AnyCert {
		return true
	}
	for _, t := range v.opts.TrustedCerts {
		if t != nil && sameKey(t, cert) {
			return true
		}
	}
	return false
}

func (v *verifier) note(cert *x509.Certificate, seq int64) {
	fp := Fingerprint(cert)
	i, seen := v.signers[fp]
	if !seen {
		i = len(v.report.Signers)
		v.signers[fp] = i
		v.report.Signers = append(v.report.Signers, Signer{Cert: cert, Fingerprint: fp, FirstSeq: seq})
	}
	s := &v.report.Signers[i]
	s.Records++
	s.LastSeq = seq
}

func isSealed(r *store.Record) bool {
	return len(r.RecordHash) != 0 || len(r.Signature) != 0 || len(r.SignerCert) != 0
}

// FromSlice yields records from a slice, for VerifyChain and Export.
func FromSlice(records []store.Record) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		for _, r := range records {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// FromStore yields every record of rs in sequence order, a page of
// store.DefaultListLimit at a time.
func FromStore(ctx context.Context, rs store.RecordStore) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		var after int64
		for {
			page, err := rs.ListRecords(ctx, after, store.DefaultListLimit)
			if re := (*attrtext.RecordError)(nil); errors.As(err, &re) && re.Seq > after+1 && re.Seq-after-1 < store.DefaultListLimit {
				// The page stopped at a record that cannot be read:
				// verify the records before it, then report it.
				page, err = rs.ListRecords(ctx, after, int(re.Seq-after-1))
				if err == nil {
					for _, r := range page {
						if !yield(r, nil) {
							return
						}
					}
					err = re
				}
			}
			if err != nil {
				yield(store.Record{}, err)
				return
			}
			for _, r := range page {
				if !yield(r, nil) {
					return
				}
				after = r.Seq
			}
			if len(page) < store.DefaultListLimit {
				return
			}
		}
	}
}

// VerifyStore verifies every record of rs: VerifyChain over FromStore.
func VerifyStore(ctx context.Context, rs store.RecordStore, opts VerifyOptions) (*ChainReport, error) {
	return VerifyChain(ctx, FromStore(ctx, rs), opts)
}

// checkpointDetail is the part of a checkpoint verification error after
// ErrBadCheckpoint's own text.
func checkpointDetail(err error) string {
	msg := err.Error()
	prefix := ErrBadCheckpoint.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}
