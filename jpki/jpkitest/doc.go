// Package jpkitest is a test public-key infrastructure shaped like the
// Japanese Public Key Infrastructure (JPKI) of the Individual Number Card,
// for filling card/virtual with reproducible certificates, keys and card
// data.
//
// It owns: the signing and user-authentication roots in three RSA
// generations and one ECDSA P-384 generation ([ECDSAGeneration], for the
// next card) that share one distinguished name per kind (as J-LIS's do),
// end-entity
// certificates with the JPKI profile of docs/certificates.md "Certificates" (subject
// and issuer forms, key usage, policy OIDs, a CRL distribution point given
// as a directory name, and subjectAltName otherNames 1.2.392.200149.8.5.5.1
// to .6 carrying the holder's name, sex, birth date and address), the
// Individual Number check digit, and the text and surface application data
// (see [Holder.Contents]). It does not own parsing or verification: that is
// package jpki, which imports this package in its tests and never the other
// way round.
//
// Everything is deterministic from a seed string: the same seed gives
// byte-identical keys and certificates in every run, because RSA keys are
// derived from a SHA-256 counter-mode stream (Go 1.26's rsa.GenerateKey
// ignores its reader), ECDSA scalars from the same stream with every
// ECDSA signature deterministic (RFC 6979), and all times are fixed
// (nothing reads the clock).
// Use [ReferenceTime] as the verification time in tests.
//
// Every distinguished name carries O=JPKI-TEST and an extra OU naming the
// mynacard virtual test hierarchy, so nothing issued here can be mistaken
// for a production J-LIS certificate.
//
// The RSA keys of [Default] and [DefaultHolder] are derived once and
// committed (testdata/default-keys.pem, rewritten by go generate), so
// building them costs no prime search; the package's tests check that each
// committed key is the one its seed and label derive. Other seeds and
// holders derive their keys when first asked for.
//
// Package-level state: the package keeps exactly one process-wide cache,
// documented at [Default]: the memoised default PKI and the memoised
// derived RSA keys (a pure function of seed and label, so the cache changes
// no result, only how long the first call takes).
package jpkitest
