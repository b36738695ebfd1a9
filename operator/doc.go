// Package operator signs confirmation records with the operator's key and
// checks them afterwards: the clerk who made an identification seals it,
// and anyone holding the records can later prove that none was edited,
// removed or reordered, and which operator key signed each one.
//
// It owns four things:
//
//   - the operator's signing key ([Key]): a PIV token through
//     github.com/go-piv/piv-go/v2 ([OpenPIV]) or a software key file
//     ([LoadSoftwareKey], [GenerateSoftwareKey]);
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
// ([VerifyOptions.ExpectHead]).
//
// Keeping the certificate with every record keeps records verifiable after
// the operator's token is replaced.
package operator
