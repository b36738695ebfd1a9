package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/sqlstore"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite connection settings, applied to every connection of the pool.
const (
	// sqliteBusyTimeout is how long a writer waits for another writer's
	// lock before failing with SQLITE_BUSY.
	sqliteBusyTimeout = 10 * time.Second
	// sqliteMaxConns bounds the pool: WAL lets readers run beside the one
	// writer; more connections than this only queue on the write lock.
	sqliteMaxConns = 8
	// sqliteFileMode and sqliteDirMode protect personal data on disk.
	sqliteFileMode fs.FileMode = 0o600
	sqliteDirMode  fs.FileMode = 0o700
)

// Open opens (creating and migrating as needed) the embedded SQLite store
// in the file at path. A missing file is created with mode 0600 (its
// directory 0700); the database is opened in WAL mode with
// synchronous=FULL, foreign keys on and a busy timeout. Migrations not yet
// applied are applied before Open returns.
func Open(ctx context.Context, path string) (store.Store, error) {
	return openSQLite(ctx, path, sqliteOptions{})
}

// OpenExisting opens a store that already exists, as Open does, but never
// creates one: a missing file (a mistyped path), or a file without the
// store's schema, gives an error wrapping store.ErrNoStore and nothing is
// created. An existing store of an older schema is migrated.
func OpenExisting(ctx context.Context, path string) (store.Store, error) {
	return openSQLite(ctx, path, sqliteOptions{mustExist: true})
}

// sqliteOptions are settings tests need and users do not get.
type sqliteOptions struct {
	// maxPageCount, when positive, caps the database's size in pages
	// (PRAGMA max_page_count), so a test can make it run out of space.
	maxPageCount int
	// mustExist refuses a missing file, or one without the store's
	// schema, with ErrNoStore instead of creating it (OpenExisting).
	mustExist bool
}

// sqliteDSN builds the modernc.org/sqlite DSN: WAL journal,
// synchronous=FULL (a committed transaction survives power loss),
// foreign keys on, a busy timeout, and BEGIN IMMEDIATE for transactions so
// two writers never deadlock upgrading a read lock.
func sqliteDSN(path string, o sqliteOptions) string {
	p := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()),
		"_pragma=foreign_keys(1)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_txlock=immediate",
	}
	if o.maxPageCount > 0 {
		p = append(p, fmt.Sprintf("_pragma=max_page_count(%d)", o.maxPageCount))
	}
	return path + "?" + strings.Join(p, "&")
}

// sqliteBackend is the embedded implementation.
type sqliteBackend struct {
	db *sql.DB
}

func openSQLite(ctx context.Context, path string, o sqliteOptions) (store.Store, error) {
	if path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("opening sqlite store: %w: want sqlite:/path/to/file.db (a file path without '?' or '#'), got %q", store.ErrInvalid, path)
	}
	if o.mustExist {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("opening sqlite store: %w: %s does not exist", store.ErrNoStore, path)
		case err != nil:
			return nil, fmt.Errorf("opening sqlite store: %w", err)
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("opening sqlite store: %w: %s is not a file", store.ErrNoStore, path)
		}
	} else if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("opening sqlite store: %w", err)
	}
	db, err := sql.Open("sqlite", sqliteDSN(path, o))
	if err != nil {
		return nil, fmt.Errorf("opening sqlite store: %w", err)
	}
	db.SetMaxOpenConns(sqliteMaxConns)
	b := &sqliteBackend{db: db}
	s, err := sqlstore.New(ctx, b, o.mustExist)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening sqlite store %s: %w", path, err)
	}
	return s, nil
}

// createPrivate creates the database file with mode 0600 (and its
// directory with 0700) when it does not exist yet. SQLite gives the -wal and
// -shm files the database file's mode.
func createPrivate(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), sqliteDirMode); err != nil {
		return fmt.Errorf("creating directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, sqliteFileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating database file: %w", err)
	}
	return f.Close()
}

func (b *sqliteBackend) Migrations() string { return "migrations/sqlite" }

// TimeType is INTEGER: SQLite keeps times as microseconds since the epoch.
func (b *sqliteBackend) TimeType() string { return "INTEGER" }

func (b *sqliteBackend) SchemaExistsQuery() string {
	return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
}

func (b *sqliteBackend) Close() error { return b.db.Close() }

func (b *sqliteBackend) TimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// lockMigrations needs nothing: the transaction began IMMEDIATE and holds
// the write lock.
func (b *sqliteBackend) LockMigrations(context.Context, sqlstore.Querier) error { return nil }

func (b *sqliteBackend) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, b.db, q, args...)
}

func (b *sqliteBackend) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Scanner {
	return sqlRow{b.db.QueryRowContext(ctx, q, args...)}
}

func (b *sqliteBackend) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return sqlQuery(ctx, b.db, q, args...)
}

func (b *sqliteBackend) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return mapSQLiteError(err)
	}
	if err := fn(sqliteTx{tx}); err != nil {
		tx.Rollback()
		return err
	}
	return mapSQLiteError(tx.Commit())
}

// sqlConn is what *sql.DB and *sql.Tx share.
type sqlConn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
}

type sqliteTx struct{ tx *sql.Tx }

func (t sqliteTx) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args...)
}

func (t sqliteTx) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Scanner {
	return sqlRow{t.tx.QueryRowContext(ctx, q, args...)}
}

func (t sqliteTx) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return sqlQuery(ctx, t.tx, q, args...)
}

func (b *sqliteBackend) Prepare(ctx context.Context, q string) (sqlstore.Stmt, error) {
	return sqlPrepare(ctx, b.db, q)
}

func (t sqliteTx) Prepare(ctx context.Context, q string) (sqlstore.Stmt, error) {
	return sqlPrepare(ctx, t.tx, q)
}

func sqlPrepare(ctx context.Context, c sqlConn, q string) (sqlstore.Stmt, error) {
	st, err := c.PrepareContext(ctx, q)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	return sqlStmt{st}, nil
}

type sqlStmt struct{ st *sql.Stmt }

func (s sqlStmt) Exec(ctx context.Context, args ...any) (int64, error) {
	res, err := s.st.ExecContext(ctx, args...)
	if err != nil {
		return 0, mapSQLiteError(err)
	}
	n, err := res.RowsAffected()
	return n, mapSQLiteError(err)
}

func (s sqlStmt) ExecBatch(ctx context.Context, argLists [][]any) ([]int64, error) {
	out := make([]int64, len(argLists))
	for i, args := range argLists {
		n, err := s.Exec(ctx, args...)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (s sqlStmt) QueryRow(ctx context.Context, args ...any) sqlstore.Scanner {
	return sqlRow{s.st.QueryRowContext(ctx, args...)}
}

func (s sqlStmt) Close() { s.st.Close() }

func sqlExec(ctx context.Context, c sqlConn, q string, args ...any) (int64, error) {
	res, err := c.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, mapSQLiteError(err)
	}
	n, err := res.RowsAffected()
	return n, mapSQLiteError(err)
}

func sqlQuery(ctx context.Context, c sqlConn, q string, args ...any) (sqlstore.Rows, error) {
	r, err := c.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapSQLiteError(err)
	}
	return sqlRows{r}, nil
}

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return mapSQLiteError(r.r.Scan(dest...)) }

type sqlRows struct{ r *sql.Rows }

func (r sqlRows) Next() bool             { return r.r.Next() }
func (r sqlRows) Scan(dest ...any) error { return mapSQLiteError(r.r.Scan(dest...)) }
func (r sqlRows) Err() error             { return mapSQLiteError(r.r.Err()) }
func (r sqlRows) Close()                 { r.r.Close() }

// mapSQLiteError turns driver errors callers branch on into the package's
// sentinels, keeping the driver's error wrapped.
func mapSQLiteError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return sqlstore.StorageFull(err)
		case sqlite3.SQLITE_CONSTRAINT:
			return sqlstore.Conflict(err)
		}
	}
	return err
}
