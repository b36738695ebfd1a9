package operator_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for tampering

	"github.com/mynacard/mynacard/internal/pgtest"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
)

// TestPostgresChain seals records in a shared PostgreSQL store: times and
// bytes must come back so that the chain verifies, and an edit is named.
func TestPostgresChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	ctx := context.Background()
	srv, err := pgtest.Start(ctx)
	pgtest.Need(t, srv, err)
	t.Cleanup(func() { srv.Stop() })
	dsn := srv.NewDatabase(t)

	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key := mustKey(t, "Clerk PG")
	for i := range 4 {
		if _, err := st.AppendRecord(ctx, sampleRecord(i), operator.SealerContext(ctx, key)); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := operator.VerifyStore(ctx, st, operator.VerifyOptions{AnyCert: true}); err != nil || rep.Verified != 4 {
		t.Fatalf("VerifyStore on PostgreSQL = %+v, %v", rep, err)
	}

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"DROP TRIGGER records_no_update ON records",
		"UPDATE records SET address = '大阪府' WHERE seq = 2",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	_, err = operator.VerifyStore(ctx, st, operator.VerifyOptions{AnyCert: true})
	var ce *operator.ChainError
	if !errors.As(err, &ce) || ce.Seq != 2 || !errors.Is(err, operator.ErrHashMismatch) {
		t.Fatalf("VerifyStore after an edit = %v, want record 2 edited", err)
	}
}
