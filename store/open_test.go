package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSQLiteFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "store.db")
	for _, dsn := range []string{"sqlite:" + path, path} { // create, then reopen
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddEnrolment(t.Context(), sampleEnrolment(string(rune('A'+len(dsn)%6)))); err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := s.(*sqlStore).b.queryRow(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		for pragma, want := range map[string]int{"foreign_keys": 1, "synchronous": 2, "busy_timeout": int(sqliteBusyTimeout.Milliseconds())} {
			var got int
			if err := s.(*sqlStore).b.queryRow(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
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

func TestOpenBadDSN(t *testing.T) {
	for _, dsn := range []string{
		"",
		":memory:",
		"sqlite:",
		"sqlite:/tmp/x.db?_pragma=synchronous(OFF)",
		"file:/tmp/x.db",
		"sqlite:file:/tmp/x.db",
		"mysql://user:secret@host/db",
	} {
		_, err := Open(t.Context(), dsn)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%q): %v, want ErrInvalid", dsn, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): error shows the password: %v", dsn, err)
		}
	}
	_, err := Open(t.Context(), "postgres://user:secret@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(unreachable postgres): %v, want an error without the password", err)
	}
}

func TestCanonicalSerial(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0132C4AB", "0132C4AB"},
		{"132c4ab", "0132C4AB"},
		{"0x0132c4ab", "0132C4AB"},
		{"01:32:C4:AB", "0132C4AB"},
		{"00 01", "01"},
		{"0", "00"},
		{"0000", "00"},
		{"80", "80"},
		{"0080", "80"},
		{"", ""},
		{"xyz", ""},
		{strings.Repeat("1", 41), ""},
	} {
		got, err := CanonicalSerial(tc.in)
		if tc.want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CanonicalSerial(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CanonicalSerial(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestDiffAttributes(t *testing.T) {
	a := sampleAttributes()
	b := a
	if d := DiffAttributes(a, b); d != nil {
		t.Errorf("no change: %v", d)
	}
	b.Name, b.BirthEra, b.Sex = "山田\u3000花子", 4, "2"
	d := DiffAttributes(a, b)
	if len(d) != 3 || d[0].Field != "name" || d[1] != (AttributeChange{"birth_era", "3", "4"}) || d[2].Field != "sex" {
		t.Errorf("DiffAttributes = %v", d)
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
