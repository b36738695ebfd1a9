// Package card drives the applications of the Individual Number Card
// (マイナンバーカード) over a reader.Card: the JPKI application (公的個人認証AP:
// token, certificates, PIN status, VERIFY, CHANGE REFERENCE DATA, SIGN), the
// card input support application (券面事項入力補助AP, "text": the Individual
// Number and the basic four with their integrity record) and the card surface
// application (券面事項確認AP: the card face, the age record, the number
// image and the application key that proves the chip is present).
//
// The text and surface records are verified through each application's
// card-verifiable certificate (EF 0004) to pinned CV CA keys embedded in
// the package (NewCVCAKeys: J-LIS's production keys; WithTestCVCAKeys adds
// the test keys, whose results say so). A record that does not verify is a
// *CVError with a named CVReason; an unknown or unconfirmed key is never
// reported as a bad signature.
//
// Every public operation runs inside one reader.Card transaction, so a
// VERIFY and the operation it guards are never split, and the context is
// checked between APDUs. PIN handling follows one set of rules, in one
// place (pin.go): the format is checked locally before any VERIFY, the
// remaining tries are read (empty VERIFY, ISO/IEC 7816-4 §11.5.6) before
// every VERIFY, the last try is refused unless Options.AllowLastTry is set,
// a VERIFY is never retried by the library, and PIN bytes are wiped after
// use and never appear in errors or traces.
//
// The card is described in docs/card.md (the JPKI application, commands
// and status words) and docs/card-apps.md (the text and surface
// applications). Where that description marks a fact [one card] or
// unsure, the package accepts every plausible answer and names its
// assumption: EF 0008 is advisory, three bytes with 8F for a certificate
// held (presenceLen, presenceHeld), and any other form sends Present to
// the certificate EFs themselves; a READ whose Le runs past the end of an
// EF may be answered 9000 with fewer bytes, 6282, 6Cxx, 6B00 or 6700, and
// all work (readEF, headerProbeLen); DF21 offset tables are kept but not
// trusted, the TLVs are parsed instead.
//
// The package does not interpret certificates beyond their DER length
// (that is package jpki's job), and it does not know how the card is
// reached (that is package reader's job).
package card
