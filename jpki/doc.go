// Package jpki is the Japanese Public Key Infrastructure (公的個人認証サービス)
// layer of the Individual Number Card: what a Go program imports to use the
// card's two certificates and keys.
//
// It owns:
//   - the certificate model ([Certificate], [Parse]): which kind a
//     certificate is (signing or user authentication), decided from its
//     profile, and the holder's attributes ([card.Attributes],
//     [ParseAttributes]) parsed from the signing certificate's
//     subjectAltName otherNames;
//   - the Japanese era calendar used by those attributes ([card.Era]);
//   - the J-LIS roots pinned by SHA-256 fingerprint ([Roots], [Pins]) and
//     chain verification at a given time ([Verify]);
//   - a [crypto.Signer] over a card key ([Signer]), usable with crypto/tls,
//     x/crypto/ocsp and CMS;
//   - the signature algorithm of a key ([AlgorithmFor], [HashFor],
//     [VerifyDigest]): RSA PKCS #1 v1.5 (and PSS) for today's RSA-2048
//     card, ECDSA P-256/P-384 for the next one — chosen from the key,
//     never assumed;
//   - CMS (PKCS #7) signatures made with the card and their verification
//     ([SignCMS], [VerifyCMS]).
//
// It does not own the card protocol (package card), revocation (package
// jpki/revocation) or the test hierarchy (package jpki/jpkitest, used only
// by this package's tests).
//
// The subjectAltName otherName entries are parsed here with cryptobyte
// because crypto/x509 drops otherName (docs/certificates.md "Certificates"). CMS
// structures are built and parsed by github.com/smallstep/pkcs7; only the
// signed-attribute set is re-encoded here, so that the signing time can be
// chosen and the card is asked for exactly one signature.
//
// Trust: a certificate read off a card proves nothing by chaining to the CA
// certificate read off the same card. Production roots are accepted only
// when their SHA-256 fingerprint matches a pin compiled into this package
// (the certificates themselves are never embedded); test roots only when the
// caller opts in with [WithTestHierarchy], and a test root never satisfies a
// production check.
package jpki
