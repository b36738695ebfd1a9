package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/internal/pgtest"

	. "github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// TestOpenExisting: OpenExisting refuses what is not a store and creates
// nothing; it opens a store that Open made.
func TestOpenExisting(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo", "mynacrad.db")
	for _, dsn := range []string{missing, "sqlite:" + missing} {
		if s, err := storeopen.OpenExisting(ctx, dsn); !errors.Is(err, ErrNoStore) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("storeopen.OpenExisting(%q) = %v, want ErrNoStore", dsn, err)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenExisting created %s: %v", filepath.Dir(missing), err)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storeopen.OpenExisting(ctx, empty); !errors.Is(err, ErrNoStore) {
		t.Fatalf("storeopen.OpenExisting(empty file) = %v, want ErrNoStore", err)
	}
	if _, err := storeopen.OpenExisting(ctx, dir); !errors.Is(err, ErrNoStore) {
		t.Fatalf("storeopen.OpenExisting(directory) = %v, want ErrNoStore", err)
	}
	good := filepath.Join(dir, "good.db")
	s, err := storeopen.Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = storeopen.OpenExisting(ctx, good)
	if err != nil {
		t.Fatalf("storeopen.OpenExisting(a store) = %v", err)
	}
	s.Close()

	t.Run("postgres", func(t *testing.T) {
		pgtest.Need(t, pgServer, pgErr)
		dsn := pgServer.NewDatabase(t)
		if _, err := storeopen.OpenExisting(ctx, dsn); !errors.Is(err, ErrNoStore) {
			t.Fatalf("storeopen.OpenExisting(database without the schema) = %v, want ErrNoStore", err)
		}
		// Nothing was created: the database is still without the schema.
		if _, err := storeopen.OpenExisting(ctx, dsn); !errors.Is(err, ErrNoStore) {
			t.Fatalf("second OpenExisting = %v, want ErrNoStore", err)
		}
		s, err := storeopen.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = storeopen.OpenExisting(ctx, dsn)
		if err != nil {
			t.Fatalf("storeopen.OpenExisting(a store) = %v", err)
		}
		s.Close()
	})
}
