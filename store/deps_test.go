package store_test

import (
	"os/exec"
	"strings"
	"testing"
)

// sqlPackages are the import path prefixes of database/sql and of the SQL
// drivers the backends use or a caller might add.
var sqlPackages = map[string][]string{
	"database/sql": {"database/sql"},
	"sqlite":       {"modernc.org/sqlite", "modernc.org/libc", "github.com/mattn/go-sqlite3"},
	"postgres":     {"github.com/jackc/pgx", "github.com/jackc/pgconn", "github.com/lib/pq"},
}

// TestNoDriverLinked: importing the store's shared package, or confirm
// (which declares the small interfaces it needs), links no database: the
// drivers come only with the backend a program picks. storeopen, which
// opens either, links both (so the names checked are the real ones).
func TestNoDriverLinked(t *testing.T) {
	const mod = "github.com/mynacard/mynacard/"
	for pkg, want := range map[string]map[string]bool{
		"store":           {"database/sql": false, "sqlite": false, "postgres": false},
		"confirm":         {"database/sql": false, "sqlite": false, "postgres": false},
		"store/sqlite":    {"database/sql": true, "sqlite": true, "postgres": false},
		"store/postgres":  {"sqlite": false, "postgres": true},
		"store/storeopen": {"sqlite": true, "postgres": true},
	} {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) == 0 || deps[len(deps)-1] != mod+pkg {
			t.Fatalf("go list -deps %s printed %d packages, not ending with the package itself", pkg, len(deps))
		}
		for family, linked := range want {
			var found []string
			for _, prefix := range sqlPackages[family] {
				for _, d := range deps {
					if d == prefix || strings.HasPrefix(d, prefix+"/") {
						found = append(found, d)
					}
				}
			}
			switch {
			case linked && len(found) == 0:
				t.Errorf("%s links no %s package; want it linked", pkg, family)
			case !linked && len(found) > 0:
				t.Errorf("%s links %s", pkg, strings.Join(found, ", "))
			}
		}
	}
}
