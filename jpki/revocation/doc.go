// Package revocation answers whether a JPKI certificate has been revoked,
// from certificate revocation lists (CRLs, RFC 5280 §5) and from OCSP
// responders (RFC 6960), and fails closed: every answer that is not a
// verified "good" or "revoked" is [StatusUnknown] with the reason in
// [Result.Err].
//
// It owns: a streaming CRL parser that verifies a CRL's signature over the
// raw tbsCertList while reading it and builds a compact sorted index of the
// revoked serials ([ParseCRL], [CRL]); a set of CRLs per issuer and per
// municipality distribution point, loaded from files, directories or
// HTTP(S) URLs given in configuration, with an optional on-disk cache of
// the parsed index of each verified CRL, used in place through mmap so a
// multi-million-entry list costs a new process milliseconds
// ([CRLSetOptions.CacheDir], [DefaultCacheDir], [CRL.IndexMapped]); an OCSP client with nonces, responder
// signature checks (CA-signed or a delegated responder) and a response
// cache ([OCSPClient]); a [Combined] checker of the two by configuration, all three
// behind one interface, [Checker], built from a [Config] by [Config.Load]; and a streaming batch status of (issuer, serial) pairs
// ([CRLSet.Batch], [ReadPairs]).
//
// It does not own the trust anchors: the caller passes the pinned roots
// (package jpki) as trusted issuers, and JPKI roots of one kind share a
// distinguished name across generations (docs/certificates.md "Certificates"), so
// an issuer is always chosen by its key, never by name alone. It does
// not build or verify certificate chains; end-entity certificates are
// matched to the issuer of their key (by authority key identifier, or by
// signature), and the caller verifies the chain.
//
// Why hand-written parsing: crypto/x509.ParseRevocationList materialises a
// big.Int, a time.Time and an extension slice per entry (about 300 bytes
// each), which does not scale to JPKI's multi-million-entry lists; this
// package reads the DER once with a fixed buffer, hashes the
// tbsCertList as it streams past (both hashes on other cores), and keeps
// 16 bytes per entry for serials of up to 8 bytes, 32 for RFC 5280's
// 20-byte ones, sorted by a radix sort whatever the width. Parsing
// uses golang.org/x/crypto/cryptobyte; OCSP uses golang.org/x/crypto/ocsp
// for responses and builds requests itself, because ocsp.CreateRequest
// cannot carry the nonce extension.
package revocation
