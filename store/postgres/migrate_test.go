package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/storetest"
)

// TestMigrationUpgrade builds a database at schema version 1 holding an
// eligibility row, then opens it: migration 2 must keep the row and let
// later imports count it as updated.
func TestMigrationUpgrade(t *testing.T) {
	pgtestNeed(t)
	dsn := pgServer.NewDatabase(t)
	pool, err := pgxpool.New(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MigrationUpgrade(t, &postgresBackend{pool: pool}, func(ctx context.Context) (store.Store, error) {
		return Open(ctx, dsn)
	})
}
