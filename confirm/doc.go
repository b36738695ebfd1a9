// Package confirm is the library behind the three private-sector uses of
// the Individual Number Card, chip-reading identification and age checks,
// and the card side of confirmation tokens:
//
//   - personal identification (本人確認, Confirmer.Identify): the holder signs
//     a fresh random challenge with the signing key (name, address, birth
//     date and sex from the signing certificate) or with the
//     authentication key ("same holder as enrolled");
//   - qualification confirmation (資格確認, Confirmer.Qualify): the holder
//     signs with the authentication key and the certificate's issuer and
//     serial are looked up in the eligibility store;
//   - registration-change confirmation (異動確認, Confirmer.CheckEnrolment and
//     Confirmer.CheckAll): the enrolled signing certificates are re-checked
//     for revocation, and affiliationChanged means "registration changed:
//     ask the holder to identify again";
//   - chip-reading identification (ICチップ読取り, Confirmer.IdentifyChip) and
//     age checks (Confirmer.CheckAge) through the surface application;
//   - confirmation tokens (MakeToken): an audience-bound one-time challenge
//     from package token, signed on the card side; the server side
//     (token.Challenges, token.Validator) needs neither this package nor a
//     card.
//
// Every check has its own field in a Verdict (signature, chain to a pinned
// root, revocation) and every result is a plain struct with stable JSON
// tags in English, so that the CLI (cmd/mynacard) prints it with one call.
//
// The package owns the workflow and the verdict. It does not talk to the
// card protocol (package card), parse or chain certificates (package jpki),
// fetch revocation data (package jpki/revocation: a revocation.Checker
// is injected) or store anything itself: it declares the small interfaces
// it needs (Enrolments, Records, Eligibility), which store/sqlite and
// store/postgres implement, so importing it links no database. It never
// prints.
//
// Names and addresses are compared (old vs new in a registration change,
// ChangeCandidates, CompareAttributes, and the signing certificate vs the
// text application's basic four in CompareWithText) with internal/jptext:
// only full-width vs half-width digits and Latin letters and U+3000 vs
// U+0020 are folded; any other difference is reported with its position,
// and a substitute character (代替文字) makes a field "check_card_face",
// never "same".
//
// Revocation fails closed: without a revocation.Checker the status is
// "unknown" with the code "no_source", never "good"; the revocation.Policy
// decides what an unknown answer does to the verdict (hard, the zero
// value: not ok; soft: reported and accepted; off: not consulted at all).
package confirm
