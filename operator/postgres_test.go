package operator_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for tampering

	"github.com/mynacard/mynacard/internal/pgtest"
	"github.com/mynacard/mynacard/operator"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
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

	st, err := storeopen.Open(ctx, dsn)
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

	t.Run("checkpoint per machine", func(t *testing.T) { postgresCheckpoint(t, srv.NewDatabase(t), key) })
}

// postgresCheckpoint: two machines seal records into one shared database,
// each keeping its own checkpoint; cutting the last record fails the
// machine whose checkpoint named it.
func postgresCheckpoint(t *testing.T, dsn string, key operator.Key) {
	ctx := context.Background()
	dir := t.TempDir()
	var machines [2]store.Store
	cps := [2]string{filepath.Join(dir, "a.checkpoint"), filepath.Join(dir, "b.checkpoint")}
	for i := range machines {
		st, err := storeopen.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		machines[i] = operator.WithCheckpoint(st, cps[i])
	}
	for i := range 4 { // a, b, a, b: a's checkpoint ends at 3, b's at 4
		if _, err := machines[i%2].AppendRecord(ctx, sampleRecord(i), operator.SealerContext(ctx, key)); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(i int) (*operator.ChainReport, error) {
		cp, err := operator.ReadCheckpoint(cps[i])
		if err != nil {
			t.Fatal(err)
		}
		return operator.VerifyStore(ctx, machines[i], operator.VerifyOptions{AnyCert: true, Checkpoint: cp})
	}
	if rep, err := verify(0); err != nil || rep.Checkpoint.Seq != 3 || rep.AfterCheckpoint != 1 {
		t.Fatalf("machine a: %+v, %v; want checkpoint 3 and one record after it", rep, err)
	}
	if rep, err := verify(1); err != nil || rep.Checkpoint.Seq != 4 || rep.AfterCheckpoint != 0 {
		t.Fatalf("machine b: %+v, %v; want checkpoint 4", rep, err)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"DROP TRIGGER records_no_update ON records",
		"DELETE FROM records WHERE seq = 4",
		"UPDATE record_head SET last_seq = 3, last_hash = (SELECT record_hash FROM records WHERE seq = 3)",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if _, err := verify(1); !errors.Is(err, operator.ErrTruncated) {
		t.Fatalf("machine b after record 4 was deleted = %v, want ErrTruncated", err)
	}
	if rep, err := verify(0); err != nil || rep.AfterCheckpoint != 0 {
		t.Fatalf("machine a after record 4 was deleted = %+v, %v; its checkpoint (3) is still there", rep, err)
	}
}
