package sqlite

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/store/internal/storetest"
)

func TestOpenSQLiteFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "store.db")
	for i := range 2 { // create, then reopen
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEnrolment(t.Context(), storetest.SampleEnrolment(string(rune('A'+i)))); err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := storetest.Backend(t, s).QueryRow(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		for pragma, want := range map[string]int{"foreign_keys": 1, "synchronous": 2, "busy_timeout": int(sqliteBusyTimeout.Milliseconds())} {
			var got int
			if err := storetest.Backend(t, s).QueryRow(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("PRAGMA %s = %d, %v; want %d", pragma, got, err, want)
			}
		}
		for _, p := range []string{path, path + "-wal"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != sqliteFileMode {
				t.Errorf("%s has mode %v, want %v", filepath.Base(p), fi.Mode().Perm(), sqliteFileMode)
			}
		}
		s.Close()
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != sqliteDirMode {
		t.Errorf("directory mode %v, %v; want %v", fi.Mode().Perm(), err, sqliteDirMode)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/home")
	if p, err := DefaultPath(); err != nil || p != "/data/home/mynacard/mynacard.db" {
		t.Errorf("DefaultPath with XDG_DATA_HOME = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/clerk")
	if p, err := DefaultPath(); err != nil || p != "/home/clerk/.local/share/mynacard/mynacard.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
}
