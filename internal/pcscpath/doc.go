// Package pcscpath holds the tests of packages card and jpki over the real
// PC/SC path: pcscd, the vpcd virtual reader driver and the virtual
// Individual Number Card (card/virtual) attached through reader/vpcd, with
// the library connected by reader/pcsc exactly as it is in production.
//
// It owns no library code. Its tests live in one package so that they are
// serialised through the shared harness (internal/pcsctest: one pcscd per
// machine, two vpcd slots), and its benchmarks give the APDU and byte
// counts of `make bench` on a short-APDU reader and an extended-length one.
//
// What is shown here and not in the in-process tests of card and jpki
// (which use reader.Loopback): that PC/SC transactions keep a VERIFY and
// the SIGN it allows together against another process, that a card pulled
// out mid-signature surfaces as reader.ErrCardRemoved through pcscd, and
// that the APDU budget holds on a real reader path.
package pcscpath
