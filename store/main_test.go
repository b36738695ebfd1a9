package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/internal/pgtest"

	. "github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// The PostgreSQL server this test binary shares between tests, started
// once in TestMain; pgErr says why it is missing.
var (
	pgServer *pgtest.Server
	pgErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	if fuzzing() {
		pgErr = errors.New("not started while fuzzing")
	} else {
		pgServer, pgErr = pgtest.Start(context.Background())
	}
	code := m.Run()
	if pgServer != nil {
		if err := pgServer.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping PostgreSQL:", err)
		}
	}
	os.Exit(code)
}

// fuzzing reports whether this process runs a fuzz target (the
// coordinator or a worker), which needs no PostgreSQL server.
func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// backend opens a fresh, empty store of one kind for a test.
type testBackend struct {
	name string
	open func(t testing.TB) Store
}

func sqliteTestStore(t testing.TB) Store {
	t.Helper()
	s, err := storeopen.Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postgresTestStore(t testing.TB) Store {
	t.Helper()
	pgtest.Need(t, pgServer, pgErr)
	s, err := storeopen.Open(t.Context(), pgServer.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var testBackends = []testBackend{
	{"sqlite", sqliteTestStore},
	{"postgres", postgresTestStore},
}

// forEach runs a conformance test against each implementation.
func forEach(t *testing.T, test func(t *testing.T, s Store)) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			test(t, b.open(t))
		})
	}
}
