// Package operator signs confirmation records with the operator's key and
// checks them afterwards: the clerk who made an identification seals it,
// and anyone holding the records can later prove that none was edited,
// removed or reordered, and which operator key signed each one.
//
// It owns four things:
//
//   - the operator's signing key ([Key]): a software key file
//     ([LoadSoftwareKey], [GenerateSoftwareKey]) here, a PIV token through
//     github.com/go-piv/piv-go/v2 in package operator/pivkey (kept apart
//     because it needs cgo; this package builds without);
//   - the canonical byte encoding of a record ([CanonicalRecord]) and its
//     chained hash ([RecordHash]);
//   - sealing a record as the store appends it ([Sealer], a
//     [store.SealFunc]) and verifying a whole chain ([VerifyChain]);
//   - the JSON-lines export of sealed records ([Export], [ReadExport]).
//
// It does not own where records live (package store), how a PIN is read
// (the caller's PIN callback; the CLI uses internal/pinentry) or what a
// record says (package confirm).
//
// # Sealing
//
// For record n with the previous record's hash h(n-1) (empty for the
// first record):
//
//	RecordHash(n) = SHA-256( "mynacard-record" ‖ version ‖ len(h(n-1)) ‖ h(n-1) ‖ CanonicalRecord(n) )
//	Signature(n)  = operator's signature over RecordHash(n)
//	SignerCert(n) = the operator certificate, DER
//
// where version is the byte [EncodingVersion] and len is 4 bytes big-endian.
// The signature treats RecordHash as a SHA-256 digest: ECDSA (ASN.1 DER
// signature) and RSA PKCS #1 v1.5 with SHA-256 sign it as a pre-hashed
// digest, Ed25519 signs the 32 bytes as its message. The scheme follows from
// the certificate's key type.
//
// Because each hash covers the previous one and the record's own sequence
// number, editing a record changes its hash, removing one leaves a gap in
// the numbers (or, renumbered, changes the hashes), and swapping two breaks
// the link to the previous hash. Removing records at the end is invisible
// to the chain alone: compare [ChainReport.Head] with a head noted earlier
// ([VerifyOptions.ExpectHead]), or with the checkpoint.
//
// # Checkpoint
//
// [WithCheckpoint] wraps a store so that each sealed record, once
// committed, also writes the signed head (number, hash, the record's own
// operator signature and certificate) to a file outside the database, like
// a transparency log's signed tree head: atomically and durably, under a
// lock file, never backwards, and only while the store still holds the
// previous checkpoint's record ([AdvanceCheckpoint]). [VerifyChain] with
// [VerifyOptions.Checkpoint] fails on records that end before it or differ
// at its number, and accepts records after it (a crash between the commit
// and the checkpoint write). With [VerifyOptions.RequireCheckpoint] a
// missing checkpoint fails once any record is sealed. A verification that
// verified no sealed record fails with [ErrNothingVerified].
//
// Keeping the certificate with every record keeps records verifiable after
// the operator's token is replaced.
//
// # Operator PIN
//
// A key that needs a PIN (operator/pivkey) asks for it through the
// caller's [PINFunc] while it signs. The store calls the sealer inside its
// append transaction, so the prompt happens while other appends wait:
// bound it with [SealerContext].
//
// # Export format
//
// [Export] writes one JSON object per line (UTF-8, "\n"-terminated) with
// the members format ("mynacard-record-v1"), seq, kind, at (RFC 3339 in UTC
// with six fractional digits), operator, verdict {signature_ok, chain_ok,
// root, revocation, revocation_reason, revocation_source}, cert_kind,
// issuer, serial, attributes {name, name_substitute, address,
// address_substitute, birth_date, birth_era, sex}, challenge_id,
// enrolment_id, details, and the seal: prev_hash, record_hash, signature
// and signer_cert (the operator certificate's DER), in standard base64,
// null when absent; signer_sha256 and signer_subject repeat the
// certificate's fingerprint and subject for readers and must agree with
// it. [ReadExport] reads it back for [VerifyChain], so an auditor can check
// an export without the database.
package operator
