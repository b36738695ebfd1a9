package postgres

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/mynacard/mynacard/internal/pgtest"
)

// The PostgreSQL server this test binary shares between tests, started
// once in TestMain; pgErr says why it is missing.
var (
	pgServer *pgtest.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	pgServer, pgErr = pgtest.Start(context.Background())
	code := m.Run()
	if pgServer != nil {
		if err := pgServer.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

func pgtestNeed(t *testing.T) {
	t.Helper()
	if pgServer == nil {
		t.Skipf("PostgreSQL not available: %v", pgErr)
	}
}
