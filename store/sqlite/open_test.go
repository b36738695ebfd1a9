package sqlite

import (
	"errors"
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

// TestDefaultPathFor: every system's rule, on any system: an absolute
// XDG_DATA_HOME first, then ~/.local/share on Linux and the BSDs, the
// user configuration directory on macOS and Windows; a directory that
// cannot be found is an error, never a relative path.
func TestDefaultPathFor(t *testing.T) {
	dir := func(d string) func() (string, error) { return func() (string, error) { return d, nil } }
	none := func() (string, error) { return "", errors.New("not defined") }
	db := func(parts ...string) string {
		return filepath.Join(append(parts, "mynacard", "mynacard.db")...)
	}
	for _, c := range []struct {
		name, goos, xdg string
		home, config    func() (string, error)
		want            string
	}{
		{"linux", "linux", "", dir("/home/clerk"), dir("/home/clerk/.config"), db("/home/clerk", ".local", "share")},
		{"linux XDG", "linux", "/data", dir("/home/clerk"), none, db("/data")},
		{"linux relative XDG", "linux", "rel", dir("/home/clerk"), none, db("/home/clerk", ".local", "share")},
		{"freebsd", "freebsd", "", dir("/usr/home/clerk"), none, db("/usr/home/clerk", ".local", "share")},
		{"darwin", "darwin", "", dir("/Users/clerk"), dir("/Users/clerk/Library/Application Support"), db("/Users/clerk/Library/Application Support")},
		{"darwin XDG", "darwin", "/xdg", none, none, db("/xdg")},
		{"windows", "windows", "", dir(`C:\Users\clerk`), dir(`C:\Users\clerk\AppData\Roaming`), db(`C:\Users\clerk\AppData\Roaming`)},
		{"linux no home", "linux", "", none, dir("/cfg"), ""},
		{"windows no AppData", "windows", "", dir(`C:\Users\clerk`), none, ""},
	} {
		env := func(k string) string {
			if k == "XDG_DATA_HOME" {
				return c.xdg
			}
			return ""
		}
		got, err := defaultPathFor(userDirs{goos: c.goos, env: env, home: c.home, config: c.config})
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: %q, want an error", c.name, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}
