package main

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/mynacard/mynacard/store/sqlite"
)

// TestStoreDSNIsTheStoresDefault: with no --db the CLI opens exactly
// sqlite.DefaultPath, whatever the environment, and the PostgreSQL
// checkpoint lies beside it; on Linux that is still
// $XDG_DATA_HOME/mynacard/mynacard.db or ~/.local/share/mynacard/mynacard.db.
func TestStoreDSNIsTheStoresDefault(t *testing.T) {
	home := t.TempDir()
	for _, c := range []struct{ name, xdg, linux string }{
		{"XDG_DATA_HOME", "/srv/data", "/srv/data/mynacard/mynacard.db"},
		{"no XDG_DATA_HOME", "", filepath.Join(home, ".local", "share", "mynacard", "mynacard.db")},
		{"relative XDG_DATA_HOME", "data", filepath.Join(home, ".local", "share", "mynacard", "mynacard.db")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("XDG_DATA_HOME", c.xdg)
			want, err := sqlite.DefaultPath()
			if err != nil {
				t.Fatal(err)
			}
			g := &globals{}
			got, err := g.storeDSN()
			if err != nil || got != want {
				t.Fatalf("storeDSN = %q, %v; sqlite.DefaultPath = %q", got, err, want)
			}
			if runtime.GOOS == "linux" && got != c.linux {
				t.Errorf("on Linux %q, want %q", got, c.linux)
			}
			if cp, _ := g.checkpointPath(); cp != got+checkpointSuffix {
				t.Errorf("SQLite checkpoint %q, want beside %q", cp, got)
			}
			g.DB = "postgres://clerk@db.example/mynacard"
			cp, err := g.checkpointPath()
			if err != nil || filepath.Dir(cp) != filepath.Dir(want) {
				t.Errorf("PostgreSQL checkpoint %q, %v; want it in %s", cp, err, filepath.Dir(want))
			}
		})
	}
}
