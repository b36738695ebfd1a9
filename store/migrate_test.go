package store

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestMigrationUpgrade builds a database at schema version 1 holding an
// eligibility row, then opens it: migration 2 must keep the row and let
// later imports count it as updated.
func TestMigrationUpgrade(t *testing.T) {
	backends := map[string]func(t *testing.T) (backend, string){
		"sqlite": func(t *testing.T) (backend, string) {
			path := filepath.Join(t.TempDir(), "old.db")
			db, err := sql.Open("sqlite", sqliteDSN(path, sqliteOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			return &sqliteBackend{db: db}, path
		},
		"postgres": func(t *testing.T) (backend, string) {
			pgtestNeed(t)
			dsn := pgServer.NewDatabase(t)
			pool, err := pgxpool.New(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return &postgresBackend{pool: pool}, dsn
		},
	}
	for name, mk := range backends {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			b, dsn := mk(t)
			if err := migrate(ctx, b, 1); err != nil {
				t.Fatal(err)
			}
			// Version 1's import wrote rows without created_import_id.
			if _, err := b.exec(ctx, "INSERT INTO eligibility_imports (imported_at) VALUES (?)", b.timeArg(now())); err != nil {
				t.Fatal(err)
			}
			if _, err := b.exec(ctx, `INSERT INTO eligibility (`+eligibilityColumns+`, import_id, import_line)
				VALUES (?, '01', '06139998', '記号１', '1234', '01', 'n', '', '1980-01-01', '1', '2020-04-01', '', '', 30, ?, 1, 2)`,
				testIssuer, true); err != nil {
				t.Fatal(err)
			}
			var version int
			if err := b.queryRow(ctx, "SELECT MAX(version) FROM schema_version").Scan(&version); err != nil || version != 1 {
				t.Fatalf("version %d, %v; want 1", version, err)
			}
			b.close()

			s, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res, err := s.ImportEligibilityCSV(ctx, strings.NewReader(csvFile(csvFields("01", nil), csvFields("02", nil))))
			if err != nil || res != (ImportResult{Inserted: 1, Updated: 1}) {
				t.Errorf("import after upgrade = %+v, %v; want 1 inserted, 1 updated", res, err)
			}
		})
	}
}
