package operator

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

// ExportFormat is the "format" member of every exported line.
const ExportFormat = "mynacard-record-v1"

// MaxExportLine is the longest line ReadExport accepts (the store allows
// 64 KiB per text field, and JSON escaping can multiply it).
const MaxExportLine = 16 << 20

// exportTimeLayout writes times in UTC with exactly six fractional
// digits, the store's precision.
const exportTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// ErrBadExport means a line of an export is not a record this package
// wrote. A *LineError wraps it.
var ErrBadExport = errors.New("operator: malformed export line")

// LineError locates a malformed line of an export.
type LineError struct {
	Line int // 1-based
	Err  error
}

// Error formats "export line 3: reason".
func (e *LineError) Error() string { return fmt.Sprintf("export line %d: %v", e.Line, e.Err) }

// Unwrap returns ErrBadExport and the cause.
func (e *LineError) Unwrap() []error { return []error{ErrBadExport, e.Err} }

// exportLine is one exported record: JSON with these members, one record
// per line. Byte fields are standard base64 (RFC 4648 §4); signer_cert is
// the operator certificate's DER, and signer_sha256 and signer_subject
// repeat its fingerprint and subject for people reading the file (they
// must agree with signer_cert).
type exportLine struct {
	Format      string           `json:"format"`
	Seq         int64            `json:"seq"`
	Kind        string           `json:"kind"`
	At          string           `json:"at"`
	Operator    string           `json:"operator"`
	Verdict     exportVerdict    `json:"verdict"`
	CertKind    string           `json:"cert_kind"`
	Issuer      string           `json:"issuer"`
	Serial      string           `json:"serial"`
	Attributes  exportAttributes `json:"attributes"`
	ChallengeID string           `json:"challenge_id"`
	EnrolmentID int64            `json:"enrolment_id"`
	Details     string           `json:"details"`

	PrevHash      []byte `json:"prev_hash"`
	RecordHash    []byte `json:"record_hash"`
	Signature     []byte `json:"signature"`
	SignerCert    []byte `json:"signer_cert"`
	SignerSHA256  string `json:"signer_sha256,omitempty"`
	SignerSubject string `json:"signer_subject,omitempty"`
}

type exportVerdict struct {
	SignatureOK      bool   `json:"signature_ok"`
	ChainOK          bool   `json:"chain_ok"`
	Root             string `json:"root"`
	Revocation       string `json:"revocation"`
	RevocationReason string `json:"revocation_reason"`
	RevocationSource string `json:"revocation_source"`
}

type exportAttributes struct {
	Name              string `json:"name"`
	NameSubstitute    string `json:"name_substitute"`
	Address           string `json:"address"`
	AddressSubstitute string `json:"address_substitute"`
	BirthDate         string `json:"birth_date"`
	BirthEra          int    `json:"birth_era"`
	Sex               string `json:"sex"`
}

// Export writes records to w as JSON lines, one record per line, with
// every field, the seal fields in base64 and the operator certificate, so
// that the file alone can be verified (ReadExport, VerifyChain). It returns
// how many records it wrote. Records hold personal data: write the file
// where only the business can read it (mode 0600).
func Export(ctx context.Context, records iter.Seq2[store.Record, error], w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	for r, err := range records {
		if err != nil {
			return n, fmt.Errorf("exporting records: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("exporting records: %w", err)
		}
		if err := checkText(&r); err != nil {
			return n, fmt.Errorf("exporting record %d: %w", r.Seq, err)
		}
		if err := enc.Encode(toExport(&r)); err != nil {
			return n, fmt.Errorf("exporting record %d: %w", r.Seq, err)
		}
		n++
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("exporting records: %w", err)
	}
	return n, nil
}

// ExportStore writes every record of rs to w: Export over FromStore.
func ExportStore(ctx context.Context, rs store.RecordStore, w io.Writer) (int, error) {
	return Export(ctx, FromStore(ctx, rs), w)
}

// toExport writes r as an export line; checkText has accepted r.
func toExport(r *store.Record) *exportLine {
	a, _ := attrtext.Encode(r.Attributes, attrtext.CodesFor(r.CertKind))
	v := &r.Verdict
	l := &exportLine{
		Format: ExportFormat, Seq: r.Seq, Kind: string(r.Kind), At: r.At.UTC().Format(exportTimeLayout),
		Operator: r.Operator,
		Verdict: exportVerdict{SignatureOK: v.SignatureOK, ChainOK: v.ChainOK, Root: v.Root,
			Revocation: string(v.Revocation), RevocationReason: v.RevocationReason, RevocationSource: v.RevocationSource},
		CertKind: kindText(r.CertKind), Issuer: r.Issuer, Serial: r.Serial,
		Attributes: exportAttributes{Name: a.Name, NameSubstitute: a.NameSubstitute, Address: a.Address,
			AddressSubstitute: a.AddressSubstitute, BirthDate: a.BirthDate, BirthEra: a.BirthEra, Sex: a.Sex},
		ChallengeID: r.ChallengeID, EnrolmentID: r.EnrolmentID, Details: r.Details,
		PrevHash: r.PrevHash, RecordHash: r.RecordHash, Signature: r.Signature, SignerCert: r.SignerCert,
	}
	if cert, err := x509.ParseCertificate(r.SignerCert); err == nil {
		l.SignerSHA256, l.SignerSubject = Fingerprint(cert), cert.Subject.String()
	}
	return l
}

// ReadExport yields the records of an export written by Export, for
// VerifyChain. A malformed line ends the sequence with a *LineError. It
// checks the file's form only; whether the records are genuine is
// VerifyChain's job.
func ReadExport(r io.Reader) iter.Seq2[store.Record, error] {
	return func(yield func(store.Record, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), MaxExportLine)
		line := 0
		for sc.Scan() {
			line++
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			rec, err := ParseExportLine(sc.Bytes())
			if err != nil {
				yield(store.Record{}, &LineError{Line: line, Err: err})
				return
			}
			if !yield(rec, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(store.Record{}, &LineError{Line: line + 1, Err: err})
		}
	}
}

// ParseExportLine parses one line of an export into a record.
func ParseExportLine(b []byte) (store.Record, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l exportLine
	if err := dec.Decode(&l); err != nil {
		return store.Record{}, err
	}
	if dec.More() {
		return store.Record{}, errors.New("more than one JSON value on the line")
	}
	if l.Format != ExportFormat {
		return store.Record{}, fmt.Errorf("format %q, want %q", l.Format, ExportFormat)
	}
	at, err := time.Parse(time.RFC3339Nano, l.At)
	if err != nil {
		return store.Record{}, fmt.Errorf("at: %w", err)
	}
	if at.Nanosecond()%int(time.Microsecond) != 0 {
		return store.Record{}, errors.New("at: finer than microseconds")
	}
	if l.SignerSHA256 != "" || l.SignerSubject != "" {
		cert, err := x509.ParseCertificate(l.SignerCert)
		if err != nil {
			return store.Record{}, fmt.Errorf("signer_cert: %w", err)
		}
		if l.SignerSHA256 != "" && l.SignerSHA256 != Fingerprint(cert) {
			return store.Record{}, errors.New("signer_sha256 does not match signer_cert")
		}
		if l.SignerSubject != "" && l.SignerSubject != cert.Subject.String() {
			return store.Record{}, errors.New("signer_subject does not match signer_cert")
		}
	}
	v, a := l.Verdict, l.Attributes
	certKind := kindOfText(l.CertKind)
	attrs, err := attrtext.Decode(attrtext.Row{Name: a.Name, NameSubstitute: a.NameSubstitute, Address: a.Address,
		AddressSubstitute: a.AddressSubstitute, BirthDate: a.BirthDate, BirthEra: a.BirthEra, Sex: a.Sex}, attrtext.CodesFor(certKind))
	if err != nil {
		return store.Record{}, fmt.Errorf("attributes: %w", err)
	}
	return store.Record{
		Seq: l.Seq, Kind: store.RecordKind(l.Kind), At: at.UTC(), Operator: l.Operator,
		Verdict: store.Verdict{SignatureOK: v.SignatureOK, ChainOK: v.ChainOK, Root: v.Root,
			Revocation: store.RevocationStatus(v.Revocation), RevocationReason: v.RevocationReason,
			RevocationSource: v.RevocationSource},
		CertKind: certKind, Issuer: l.Issuer, Serial: l.Serial,
		Attributes:  attrs,
		ChallengeID: l.ChallengeID, EnrolmentID: l.EnrolmentID, Details: l.Details,
		PrevHash: l.PrevHash, RecordHash: l.RecordHash, Signature: l.Signature, SignerCert: l.SignerCert,
	}, nil
}

// kindOfText reads a cert_kind; text that names no kind is the zero kind,
// which the record's hash then fails to match.
func kindOfText(s string) card.KeyKind {
	k, _ := card.ParseKeyKind(s)
	return k
}
