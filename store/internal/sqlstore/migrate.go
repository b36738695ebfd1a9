package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mynacard/mynacard/store"
)

// migrationFS holds the schema migrations, one directory per backend. A
// file NNNN_name.sql is schema version NNNN; versions are applied in order,
// each in its own transaction together with its schema_version row.
//
//go:embed migrations
var migrationFS embed.FS

// Migration is one schema version.
type Migration struct {
	version int
	name    string
	sql     string
}

// LoadMigrations reads a backend's migrations in version order.
func LoadMigrations(dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("reading migrations: bad file name %q", name)
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading migrations: %w", err)
		}
		ms = append(ms, Migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("reading migrations: versions not 1, 2, 3...: %q", m.name)
		}
	}
	return ms, nil
}

// createSchemaVersion is the one table every version has. applied_at is
// microseconds (SQLite) or a timestamp (PostgreSQL); it is informative.
const createSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at %s NOT NULL
)`

// Migrate applies the migrations the database lacks, up to version upTo
// (0: all). It is idempotent and safe against another process migrating at
// the same time.
func Migrate(ctx context.Context, b Backend, upTo int) error {
	ms, err := LoadMigrations(b.Migrations())
	if err != nil {
		return err
	}
	known := len(ms)
	if upTo > 0 && upTo < len(ms) {
		ms = ms[:upTo]
	}
	timeType := b.TimeType()
	for _, m := range ms {
		err := b.InTx(ctx, func(q Querier) error {
			if err := b.LockMigrations(ctx, q); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, fmt.Sprintf(createSchemaVersion, timeType)); err != nil {
				return err
			}
			var current int
			if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_version").Scan(&current); err != nil {
				return err
			}
			if current > known {
				return fmt.Errorf("%w: database at version %d, this program knows %d", store.ErrSchemaTooNew, current, known)
			}
			if current >= m.version {
				return nil
			}
			if _, err := q.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("applying %s: %w", m.name, err)
			}
			_, err := q.Exec(ctx, "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, b.TimeArg(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrating schema: %w", err)
		}
	}
	return nil
}
