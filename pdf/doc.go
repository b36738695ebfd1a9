// Package pdf signs PDF documents with a JPKI signing key at the PAdES
// baseline levels (ETSI EN 319 142-1: B-B, B-T, B-LT) and verifies PDF
// signatures strictly.
//
// Signing ([Prepare], [Prepared.Sign], [AddDSS]) appends an incremental
// update (ISO 32000-1 §7.5.6) written by this package: a signature field
// with a hidden widget, a signature dictionary with /SubFilter
// /ETSI.CAdES.detached, and a cross-reference section of the kind the
// document already uses (table or stream). The CMS is built here too: the
// PAdES profile forbids the signing-time attribute that generic CMS
// signers add, and requires signing-certificate-v2.
//
// Verification ([Verify]) finds every signature dictionary of every
// revision, checks that each /ByteRange covers exactly its revision except
// its own /Contents hole, reports what later revisions changed and refuses
// a signature whose revision was changed in a way that can alter what is
// displayed, parses the CMS strictly (one signer, signed attributes, a
// digest allowlist), chains the signer to the pinned JPKI roots
// ([jpki.Verify]) and checks revocation through the caller's checker.
//
// Objects are read with github.com/pdfcpu/pdfcpu; the cross-reference
// chain, revision boundaries and the signature dictionaries' raw bytes are
// read by this package, because their exact positions are what a
// signature covers.
package pdf
