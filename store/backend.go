package store

import (
	"context"
	"fmt"
	"time"
)

// querier is what the shared SQL code needs from a connection or a
// transaction. Queries are written with '?' placeholders; a backend
// rewrites them for its driver. Errors come back already mapped to the
// package's sentinels (ErrNotFound for no rows, ErrConflict,
// ErrStorageFull).
type querier interface {
	exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	queryRow(ctx context.Context, query string, args ...any) scanner
	query(ctx context.Context, query string, args ...any) (rows, error)
	// prepare prepares a statement run many times (the CSV import).
	prepare(ctx context.Context, query string) (stmt, error)
}

// stmt is a prepared statement; close must be called.
type stmt interface {
	exec(ctx context.Context, args ...any) (rowsAffected int64, err error)
	// execBatch runs the statement once per argument list, in order,
	// pipelined where the driver can, and returns each run's rows affected.
	execBatch(ctx context.Context, argLists [][]any) ([]int64, error)
	queryRow(ctx context.Context, args ...any) scanner
	close()
}

// scanner is a single result row.
type scanner interface {
	Scan(dest ...any) error
}

// rows is a result set; Close must be called.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// backend is one database implementation under the shared SQL code.
type backend interface {
	querier
	// inTx runs fn in one transaction, committing when fn returns nil and
	// rolling back otherwise.
	inTx(ctx context.Context, fn func(q querier) error) error
	// timeArg converts a time to the driver's argument (nil for zero).
	timeArg(t time.Time) any
	// lockMigrations serialises migrations between processes inside tx.
	lockMigrations(ctx context.Context, q querier) error
	// migrations names the embedded migration directory.
	migrations() string
	// schemaExistsQuery counts (0 or 1) the store's schema_version table.
	schemaExistsQuery() string
	close() error
}

// timeScan scans a time column from either backend: SQLite keeps
// microseconds since the epoch as INTEGER, PostgreSQL a TIMESTAMPTZ. NULL
// gives the zero time.
type timeScan struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s timeScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case int64:
		*s.t = time.UnixMicro(v).UTC()
	case time.Time:
		*s.t = v.UTC().Truncate(time.Microsecond)
	default:
		return fmt.Errorf("scanning time: unsupported column type %T", src)
	}
	return nil
}
