package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/storetest"
)

// TestMigrationUpgrade builds a database at schema version 1 holding an
// eligibility row, then opens it: migration 2 must keep the row and let
// later imports count it as updated.
func TestMigrationUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", sqliteDSN(path, sqliteOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	storetest.MigrationUpgrade(t, &sqliteBackend{db: db}, func(ctx context.Context) (store.Store, error) {
		return Open(ctx, path)
	})
}
