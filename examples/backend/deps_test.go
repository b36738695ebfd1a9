package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// forbiddenDeps are what a token-validating backend must not link: the
// confirmation workflow, the records store and its SQL drivers, and the
// virtual card.
var forbiddenDeps = []string{
	"database/sql",
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"github.com/mattn/go-sqlite3",
	"github.com/lib/pq",
	"github.com/mynacard/mynacard/confirm",
	"github.com/mynacard/mynacard/store",
	"github.com/mynacard/mynacard/card/virtual",
	"github.com/mynacard/mynacard/jpki/jpkitest",
}

// TestDefaultBuildLinksNoDatabase lists the dependencies of package token
// and of this backend's default build (no tags, cgo off) with go list
// -deps and refuses any of forbiddenDeps; the store build must link the
// store, so the test also sees the tag take effect.
func TestDefaultBuildLinksNoDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	deps := func(t *testing.T, args ...string) []string {
		t.Helper()
		cmd := exec.Command(goTool, append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, args...)...)
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	for _, pkg := range []string{"github.com/mynacard/mynacard/token", "github.com/mynacard/mynacard/examples/backend"} {
		t.Run(filepath.Base(pkg), func(t *testing.T) {
			list := deps(t, pkg)
			if len(list) < 10 {
				t.Fatalf("go list -deps %s gave %d packages", pkg, len(list))
			}
			for _, d := range list {
				for _, bad := range forbiddenDeps {
					if d == bad || strings.HasPrefix(d, bad+"/") {
						t.Errorf("%s links %s", pkg, d)
					}
				}
			}
		})
	}
	t.Run("store tag", func(t *testing.T) {
		found := false
		for _, d := range deps(t, "-tags", "store", "github.com/mynacard/mynacard/examples/backend") {
			found = found || d == "github.com/mynacard/mynacard/store"
		}
		if !found {
			t.Error("the store build does not link the store")
		}
	})
}
