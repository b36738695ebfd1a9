package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/sqlstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgreSQL error codes (SQLSTATE, PostgreSQL manual appendix A) the store
// maps to its sentinels.
const (
	pgClassIntegrity = "23"    // integrity constraint violation
	pgDiskFull       = "53100" // disk_full
)

// pgMigrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations between processes opening the same database ("mynacard" in
// ASCII, as an integer).
const pgMigrationLockKey int64 = 0x6d796e6163617264

// Open opens (creating and migrating as needed) the store in the
// PostgreSQL database a DSN names ("postgres://user@host:port/db?..." or
// "postgresql://..."), through a pgx pool. Several counters share one
// database this way. Migrations not yet applied are applied before Open
// returns; concurrent opens serialise them with an advisory lock.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	return openPostgres(ctx, dsn, false)
}

// OpenExisting opens a store that already exists, as Open does, but never
// creates one: a database without the store's schema gives an error
// wrapping store.ErrNoStore and nothing is created. An existing store of
// an older schema is migrated.
func OpenExisting(ctx context.Context, dsn string) (store.Store, error) {
	return openPostgres(ctx, dsn, true)
}

// postgresBackend is the shared implementation over a pgx pool.
type postgresBackend struct {
	pool *pgxpool.Pool
}

func openPostgres(ctx context.Context, dsn string, mustExist bool) (store.Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the DSN, password included.
		return nil, fmt.Errorf("opening postgres store: %w: cannot parse DSN", store.ErrInvalid)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening postgres store: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening postgres store: connecting to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	b := &postgresBackend{pool: pool}
	s, err := sqlstore.New(ctx, b, mustExist)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("opening postgres store: %w", err)
	}
	return s, nil
}

func (b *postgresBackend) Migrations() string { return "migrations/postgres" }

// TimeType is TIMESTAMPTZ.
func (b *postgresBackend) TimeType() string { return "TIMESTAMPTZ" }

// schemaExistsQuery looks in the connection's search path, where the
// store's tables are created.
func (b *postgresBackend) SchemaExistsQuery() string {
	return "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END"
}

func (b *postgresBackend) Close() error {
	b.pool.Close()
	return nil
}

func (b *postgresBackend) TimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func (b *postgresBackend) LockMigrations(ctx context.Context, q sqlstore.Querier) error {
	_, err := q.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", pgMigrationLockKey)
	return err
}

// pgConn is what *pgxpool.Pool and pgx.Tx share.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

type pgQuerier struct{ c pgConn }

func (b *postgresBackend) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return pgQuerier{b.pool}.Exec(ctx, q, args...)
}

func (b *postgresBackend) QueryRow(ctx context.Context, q string, args ...any) sqlstore.Scanner {
	return pgQuerier{b.pool}.QueryRow(ctx, q, args...)
}

func (b *postgresBackend) Query(ctx context.Context, q string, args ...any) (sqlstore.Rows, error) {
	return pgQuerier{b.pool}.Query(ctx, q, args...)
}

func (b *postgresBackend) InTx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return mapPgError(err)
	}
	if err := fn(pgQuerier{tx}); err != nil {
		// Rollback needs a live context even when ctx was cancelled.
		tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return mapPgError(tx.Commit(ctx))
}

func (q pgQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, rebind(query), args...)
	if err != nil {
		return 0, mapPgError(err)
	}
	return tag.RowsAffected(), nil
}

func (q pgQuerier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Scanner {
	return pgRow{q.c.QueryRow(ctx, rebind(query), args...)}
}

func (q pgQuerier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	r, err := q.c.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, mapPgError(err)
	}
	return pgRows{r}, nil
}

func (b *postgresBackend) Prepare(ctx context.Context, q string) (sqlstore.Stmt, error) {
	return pgQuerier{b.pool}.Prepare(ctx, q)
}

// prepare needs no round trip: pgx prepares and caches each statement on
// its connection the first time it runs (QueryExecModeCacheStatement).
func (q pgQuerier) Prepare(_ context.Context, query string) (sqlstore.Stmt, error) {
	return pgStmt{q: q, query: query}, nil
}

type pgStmt struct {
	q     pgQuerier
	query string
}

func (s pgStmt) Exec(ctx context.Context, args ...any) (int64, error) {
	return s.q.Exec(ctx, s.query, args...)
}

// execBatch sends the runs as one pgx batch: one round trip for all.
func (s pgStmt) ExecBatch(ctx context.Context, argLists [][]any) ([]int64, error) {
	query := rebind(s.query)
	var b pgx.Batch
	for _, args := range argLists {
		b.Queue(query, args...)
	}
	br := s.q.c.SendBatch(ctx, &b)
	out := make([]int64, len(argLists))
	for i := range argLists {
		tag, err := br.Exec()
		if err != nil {
			br.Close()
			return nil, mapPgError(err)
		}
		out[i] = tag.RowsAffected()
	}
	if err := br.Close(); err != nil {
		return nil, mapPgError(err)
	}
	return out, nil
}

func (s pgStmt) QueryRow(ctx context.Context, args ...any) sqlstore.Scanner {
	return s.q.QueryRow(ctx, s.query, args...)
}

func (s pgStmt) Close() {}

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error { return mapPgError(r.r.Scan(dest...)) }

type pgRows struct{ r pgx.Rows }

func (r pgRows) Next() bool             { return r.r.Next() }
func (r pgRows) Scan(dest ...any) error { return mapPgError(r.r.Scan(dest...)) }
func (r pgRows) Err() error             { return mapPgError(r.r.Err()) }
func (r pgRows) Close()                 { r.r.Close() }

// rebind rewrites '?' placeholders as PostgreSQL's $1, $2... The store's
// queries never contain '?' inside literals.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// mapPgError turns server errors callers branch on into the package's
// sentinels, keeping the driver's error wrapped.
func mapPgError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == pgDiskFull:
			return sqlstore.StorageFull(err)
		case strings.HasPrefix(pe.Code, pgClassIntegrity):
			return sqlstore.Conflict(err)
		}
	}
	return err
}
