// Package storeopen opens the store a DSN names, whichever backend it is:
// a PostgreSQL database (package store/postgres) or an embedded SQLite
// file (package store/sqlite). It is for programs that let their user
// choose, such as the CLI; it links both drivers. A program that knows its
// backend imports that package alone.
package storeopen

import (
	"context"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/postgres"
	"github.com/mynacard/mynacard/store/sqlite"
)

// DSN prefixes [Open] recognises.
const (
	dsnSQLite     = "sqlite:"
	dsnPostgres   = "postgres://"
	dsnPostgreSQL = "postgresql://"
)

// Open opens (creating and migrating as needed) the store a DSN names:
//
//   - "postgres://user@host:port/db?..." or "postgresql://...": a shared
//     PostgreSQL database through a pgx pool ([postgres.Open]);
//   - "sqlite:/path/to/file.db", or a plain file path: an embedded SQLite
//     file, created with mode 0600 (its directory 0700) if missing, opened
//     in WAL mode with synchronous=FULL, foreign keys on and a busy
//     timeout ([sqlite.Open]).
//
// Migrations not yet applied are applied before Open returns.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, postgres.Open, sqlite.Open)
}

// OpenExisting opens a store that already exists, as Open does, but never
// creates one: a SQLite file that is missing (a mistyped path), or a file
// or PostgreSQL database without the store's schema, gives an error
// wrapping store.ErrNoStore and nothing is created. Use it for everything
// that only reads, or whose answer would mean something else on an empty
// store ("not enrolled", "no qualification"); only what writes the first
// data (enrolment, eligibility import) should use Open. An existing store
// of an older schema is migrated.
func OpenExisting(ctx context.Context, dsn string) (store.Store, error) {
	return open(ctx, dsn, postgres.OpenExisting, sqlite.OpenExisting)
}

type opener func(ctx context.Context, dsnOrPath string) (store.Store, error)

func open(ctx context.Context, dsn string, pg, lite opener) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, dsnPostgres), strings.HasPrefix(dsn, dsnPostgreSQL):
		return pg(ctx, dsn)
	case strings.HasPrefix(dsn, dsnSQLite):
		return lite(ctx, strings.TrimPrefix(dsn, dsnSQLite))
	case strings.Contains(dsn, "://"):
		return nil, fmt.Errorf("opening store: %w: unknown DSN scheme in %q", store.ErrInvalid, redactDSN(dsn))
	default:
		return lite(ctx, dsn)
	}
}

// redactDSN drops anything that may be a password from a DSN before it
// goes into an error message.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		return dsn[:i+3] + "…"
	}
	return dsn
}
