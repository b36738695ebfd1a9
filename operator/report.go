package operator

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Code returns the reason as a stable machine name, for JSON output and
// scripts: "unsealed", "sequence_gap", "sequence_order",
// "prev_hash_mismatch", "hash_mismatch", "bad_signer_cert",
// "untrusted_signer", "bad_signature", "truncated", "head_mismatch",
// "nothing_verified", "no_checkpoint" or "bad_checkpoint".
func (e *ChainError) Code() string {
	switch e.Reason {
	case ErrUnsealed:
		return "unsealed"
	case ErrSequenceGap:
		return "sequence_gap"
	case ErrSequenceOrder:
		return "sequence_order"
	case ErrPrevHashMismatch:
		return "prev_hash_mismatch"
	case ErrHashMismatch:
		return "hash_mismatch"
	case ErrBadSignerCert:
		return "bad_signer_cert"
	case ErrUntrustedSigner:
		return "untrusted_signer"
	case ErrBadSignature:
		return "bad_signature"
	case ErrTruncated:
		return "truncated"
	case ErrHeadMismatch:
		return "head_mismatch"
	case ErrNothingVerified:
		return "nothing_verified"
	case ErrNoCheckpoint:
		return "no_checkpoint"
	case ErrBadCheckpoint:
		return "bad_checkpoint"
	}
	return "unknown"
}

// MarshalJSON writes {"seq", "code", "reason", "detail"}.
func (e *ChainError) MarshalJSON() ([]byte, error) {
	msg := e.Detail
	if e.Err != nil {
		if msg != "" {
			msg += ": "
		}
		msg += e.Err.Error()
	}
	return json.Marshal(struct {
		Seq    int64  `json:"seq"`
		Code   string `json:"code"`
		Reason string `json:"reason"`
		Detail string `json:"detail,omitempty"`
	}{e.Seq, e.Code(), e.Reason.Error(), msg})
}

// String formats the head as "seq:hex", the form ParseHead reads.
func (h Head) String() string {
	return strconv.FormatInt(h.Seq, 10) + ":" + hex.EncodeToString(h.RecordHash)
}

// MarshalText is String, so heads read and write as text in JSON and flags.
func (h Head) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText parses "seq:hex" (see ParseHead).
func (h *Head) UnmarshalText(b []byte) error {
	p, err := ParseHead(string(b))
	if err != nil {
		return err
	}
	*h = p
	return nil
}

// hashSize is the length of a record hash (SHA-256).
const hashSize = 32

// ParseHead parses a head written by Head.String: the record number, a
// colon and the 64 hex digits of its RecordHash (either case).
func ParseHead(s string) (Head, error) {
	seqText, hashText, found := strings.Cut(strings.TrimSpace(s), ":")
	if !found {
		return Head{}, fmt.Errorf("parsing chain head %q: want seq:hash", s)
	}
	seq, err := strconv.ParseInt(seqText, 10, 64)
	if err != nil || seq < 1 || seqText[0] == '+' {
		return Head{}, fmt.Errorf("parsing chain head %q: record number must be a positive integer", s)
	}
	hash, err := hex.DecodeString(hashText)
	if err != nil || len(hash) != hashSize {
		return Head{}, fmt.Errorf("parsing chain head %q: hash must be %d hex digits", s, 2*hashSize)
	}
	return Head{Seq: seq, RecordHash: hash}, nil
}

// MarshalJSON writes the report for `records verify --json`: ok,
// verified, unsealed, head ("seq:hex", absent when nothing verified),
// signers (subject, sha256, records, first_seq, last_seq) and failure
// (see ChainError.MarshalJSON, absent when ok).
func (r *ChainReport) MarshalJSON() ([]byte, error) {
	type signer struct {
		Subject  string `json:"subject"`
		SHA256   string `json:"sha256"`
		Records  int    `json:"records"`
		FirstSeq int64  `json:"first_seq"`
		LastSeq  int64  `json:"last_seq"`
	}
	out := struct {
		OK       bool        `json:"ok"`
		Verified int         `json:"verified"`
		Unsealed int         `json:"unsealed,omitempty"`
		Head     *Head       `json:"head,omitempty"`
		Signers  []signer    `json:"signers"`
		Failure  *ChainError `json:"failure,omitempty"`
	}{OK: r.OK(), Verified: r.Verified, Unsealed: r.Unsealed, Signers: []signer{}, Failure: r.Failure}
	if r.Head.Seq != 0 {
		h := Head{Seq: r.Head.Seq, RecordHash: bytes.Clone(r.Head.RecordHash)}
		out.Head = &h
	}
	for _, s := range r.Signers {
		out.Signers = append(out.Signers, signer{s.Cert.Subject.String(), s.Fingerprint, s.Records, s.FirstSeq, s.LastSeq})
	}
	return json.Marshal(out)
}
