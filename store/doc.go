// Package store keeps what the clerk's workflow must remember: enrolments
// (本人確認 with --enroll, and the registration changes, 異動, that replace
// them), append-only confirmation records, health-insurance eligibility
// (資格確認) and one-time confirmation nonces.
//
// This package holds what every backend shares: the values, the
// interfaces ([Store] and its parts), the sentinel errors, the
// eligibility CSV format ([EligibilityReader]) and the canonical forms of
// serials and issuers. It links no database driver. Two implementations
// sit behind the [Store] interface, each in its own package: an embedded
// SQLite file (store/sqlite, modernc.org/sqlite, pure Go) for one counter,
// and PostgreSQL (store/postgres, github.com/jackc/pgx/v5) for several
// counters sharing one database. Package store/storeopen picks one from a
// DSN. The schema is versioned (table schema_version) and migrated on
// open.
//
// The package owns storage only. It does not read cards, parse
// certificates or decide verdicts: callers (package confirm and the CLI)
// hand it plain values — an issuer DN string, a certificate serial as
// canonical hex (see [CanonicalSerial]), the holder's [card.Attributes] —
// and it imports only card's value types, nothing from reader/, jpki/ or
// confirm/. Serials are canonicalised by the store; issuer DNs are
// compared exactly, so callers must format them one way (for example
// pkix.Name.String()).
//
// # Attributes
//
// Enrolments and records keep the holder's attributes in seven text
// columns, written exactly as they always have been, so that existing
// databases and the operator's hash chains over them stay valid: name
// and address as given; substitute flags "" when the positions are nil,
// else one '0' or '1' per character (a non-nil empty list is all '0');
// the birth date as YYYYMMDD ("" for none); the era code; and the sex as
// one digit in the code table of the row's key kind — the signing
// certificate's codes (0 none, 1, 2, 3) for a signing certificate's
// attributes, ISO/IEC 5218 (0, 1, 2, 9) for the card face's, which a chip
// identification records with the authentication certificate. nil
// attributes are all columns empty. Attributes that cannot be written so
// (substitute positions outside their text or out of order, an era or a
// sex without a code) are refused with [ErrInvalid]; a stored row that
// does not read back as one of these texts is an error when read, never
// silently changed.
//
// Guarantees common to both implementations:
//   - Every write that touches more than one row runs in one transaction:
//     a failure (including a full disk, reported as [ErrStorageFull]) leaves
//     no partial enrolment, record or import behind.
//   - Confirmation records are append-only (the schema refuses UPDATE and
//     DELETE) and numbered by a gap-free sequence.
//   - Times are stored with microsecond precision in UTC; values returned
//     are truncated accordingly.
package store
