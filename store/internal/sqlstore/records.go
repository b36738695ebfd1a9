package sqlstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

const recordColumns = `seq, kind, at, operator, signature_ok, chain_ok, chain_root, revocation_status,
	revocation_reason, revocation_source, cert_kind, issuer, serial, name, name_substitute, address,
	address_substitute, birth_date, birth_era, sex, challenge_id, enrolment_id, details,
	prev_hash, record_hash, signature, signer_cert`

func scanRecord(sc Scanner) (store.Record, error) {
	var r store.Record
	var kind, status, certKind string
	var a attrtext.Row
	v := &r.Verdict
	err := sc.Scan(&r.Seq, &kind, timeScan{&r.At}, &r.Operator, &v.SignatureOK, &v.ChainOK, &v.Root, &status,
		&v.RevocationReason, &v.RevocationSource, &certKind, &r.Issuer, &r.Serial, &a.Name, &a.NameSubstitute,
		&a.Address, &a.AddressSubstitute, &a.BirthDate, &a.BirthEra, &a.Sex, &r.ChallengeID, idScan{&r.EnrolmentID},
		&r.Details, &r.PrevHash, &r.RecordHash, &r.Signature, &r.SignerCert)
	r.Kind, v.Revocation, r.CertKind = store.RecordKind(kind), store.RevocationStatus(status), kindOfText(certKind)
	if err != nil {
		return r, err
	}
	if r.Attributes, err = attrtext.Decode(a, attrtext.CodesFor(r.CertKind)); err != nil {
		return store.Record{}, &attrtext.RecordError{Seq: r.Seq, Err: err}
	}
	return r, nil
}

// validateRecord checks and canonicalises r and returns the text of its
// attributes.
func validateRecord(r *store.Record) (attrtext.Row, error) {
	switch r.Kind {
	case store.RecordIdentify, store.RecordQualify, store.RecordChange:
	default:
		return attrtext.Row{}, fmt.Errorf("%w: record kind %q", store.ErrInvalid, r.Kind)
	}
	if err := checkKind(r.CertKind); err != nil {
		return attrtext.Row{}, err
	}
	issuer, serial, err := certKey(r.Issuer, r.Serial)
	if err != nil {
		return attrtext.Row{}, err
	}
	r.Issuer, r.Serial = issuer, serial
	for _, f := range [...]struct{ what, v string }{
		{"operator", r.Operator}, {"root", r.Verdict.Root}, {"revocation reason", r.Verdict.RevocationReason},
		{"revocation source", r.Verdict.RevocationSource}, {"challenge id", r.ChallengeID}, {"details", r.Details},
	} {
		if err := checkLen(f.what, f.v); err != nil {
			return attrtext.Row{}, err
		}
	}
	r.Attributes = cloneAttributes(r.Attributes)
	row, err := attributesRow(r.Attributes, r.CertKind)
	if err != nil {
		return attrtext.Row{}, err
	}
	if r.At.IsZero() {
		r.At = now()
	}
	r.At = stamp(r.At)
	r.PrevHash, r.RecordHash, r.Signature, r.SignerCert = nil, nil, nil, nil
	return row, nil
}

// AppendRecord implements store.RecordStore. The head row's update both takes
// the next sequence number and locks out concurrent appends until commit,
// so the sequence has no gaps and seal sees the true previous hash.
func (s *Store) AppendRecord(ctx context.Context, r store.Record, seal store.SealFunc) (store.Record, error) {
	a, err := validateRecord(&r)
	if err != nil {
		return store.Record{}, fmt.Errorf("appending record: %w", err)
	}
	err = s.b.InTx(ctx, func(q Querier) error {
		var prevHash []byte
		err := q.QueryRow(ctx, "UPDATE record_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash").
			Scan(&r.Seq, &prevHash)
		if err != nil {
			return err
		}
		if seal != nil {
			fixed := r
			if err := seal(bytes.Clone(prevHash), &r); err != nil {
				return fmt.Errorf("sealing record %d: %w", r.Seq, err)
			}
			if !sealedOnly(fixed, r) || !sameRow(r, a) {
				return fmt.Errorf("sealing record %d: %w: seal changed more than the chain fields", r.Seq, store.ErrInvalid)
			}
		}
		v := r.Verdict
		if _, err := q.Exec(ctx, `INSERT INTO records (`+recordColumns+`) VALUES
			(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Seq, string(r.Kind), s.b.TimeArg(r.At), r.Operator, v.SignatureOK, v.ChainOK, v.Root, string(v.Revocation),
			v.RevocationReason, v.RevocationSource, kindText(r.CertKind), r.Issuer, r.Serial, a.Name, a.NameSubstitute,
			a.Address, a.AddressSubstitute, a.BirthDate, a.BirthEra, a.Sex, r.ChallengeID, nullID(r.EnrolmentID),
			r.Details, nullBytes(r.PrevHash), nullBytes(r.RecordHash), nullBytes(r.Signature), nullBytes(r.SignerCert)); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "UPDATE record_head SET last_hash = ? WHERE id = 1", nullBytes(r.RecordHash))
		return err
	})
	if err != nil {
		return store.Record{}, fmt.Errorf("appending record: %w", err)
	}
	return r, nil
}

// sealedOnly reports whether b differs from a in the chain fields at most.
func sealedOnly(a, b store.Record) bool {
	b.PrevHash, b.RecordHash, b.Signature, b.SignerCert = nil, nil, nil, nil
	return a.Seq == b.Seq && a.Kind == b.Kind && a.At.Equal(b.At) && a.Operator == b.Operator &&
		a.Verdict == b.Verdict && a.CertKind == b.CertKind && a.Issuer == b.Issuer && a.Serial == b.Serial &&
		a.ChallengeID == b.ChallengeID && a.EnrolmentID == b.EnrolmentID &&
		a.Details == b.Details
}

// Record implements store.RecordStore.
func (s *Store) Record(ctx context.Context, seq int64) (store.Record, error) {
	r, err := scanRecord(s.b.QueryRow(ctx, "SELECT "+recordColumns+" FROM records WHERE seq = ?", seq))
	if err != nil {
		return store.Record{}, fmt.Errorf("reading record %d: %w", seq, err)
	}
	return r, nil
}

// ListRecords implements store.RecordStore.
func (s *Store) ListRecords(ctx context.Context, afterSeq int64, limit int) ([]store.Record, error) {
	if limit <= 0 {
		limit = store.DefaultListLimit
	}
	rs, err := s.b.Query(ctx, "SELECT "+recordColumns+" FROM records WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("listing records: %w", err)
	}
	defer rs.Close()
	var out []store.Record
	for rs.Next() {
		r, err := scanRecord(rs)
		if err != nil {
			return nil, fmt.Errorf("listing records: %w", err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("listing records: %w", err)
	}
	return out, nil
}
