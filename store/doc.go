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
// canonical hex (see [CanonicalSerial]), attributes as plain fields — and it
// imports nothing from card/, reader/, jpki/ or confirm/. Serials are
// canonicalised by the store; issuer DNs are compared exactly, so callers
// must format them one way (for example pkix.Name.String()).
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
