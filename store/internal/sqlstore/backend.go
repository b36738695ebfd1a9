package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// Querier is what the shared SQL code needs from a connection or a
// transaction. Queries are written with '?' placeholders; a backend
// rewrites them for its driver. Errors come back already mapped to the
// store package's sentinels (store.ErrNotFound for no rows, [Conflict],
// [StorageFull]).
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	QueryRow(ctx context.Context, query string, args ...any) Scanner
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// Prepare prepares a statement run many times (the CSV import).
	Prepare(ctx context.Context, query string) (Stmt, error)
}

// Stmt is a prepared statement; close must be called.
type Stmt interface {
	Exec(ctx context.Context, args ...any) (rowsAffected int64, err error)
	// ExecBatch runs the statement once per argument list, in order,
	// pipelined where the driver can, and returns each run's rows affected.
	ExecBatch(ctx context.Context, argLists [][]any) ([]int64, error)
	QueryRow(ctx context.Context, args ...any) Scanner
	Close()
}

// Scanner is a single result row.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is a result set; Close must be called.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Backend is one database implementation under the shared SQL code.
type Backend interface {
	Querier
	// InTx runs fn in one transaction, committing when fn returns nil and
	// rolling back otherwise.
	InTx(ctx context.Context, fn func(q Querier) error) error
	// TimeArg converts a time to the driver's argument (nil for zero).
	TimeArg(t time.Time) any
	// TimeType is the SQL type of a time column (schema_version's
	// applied_at).
	TimeType() string
	// LockMigrations serialises migrations between processes inside tx.
	LockMigrations(ctx context.Context, q Querier) error
	// Migrations names the embedded migration directory.
	Migrations() string
	// SchemaExistsQuery counts (0 or 1) the store's schema_version table.
	SchemaExistsQuery() string
	Close() error
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
