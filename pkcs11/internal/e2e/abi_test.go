package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestABI compiles testdata/abi.c against the OASIS headers that
// github.com/miekg/pkcs11 carries and runs it: the function list layout,
// C_Initialize with the application's mutex functions (used for every
// call, destroyed at C_Finalize), argument checks, buffer-size
// conventions, CKR_FUNCTION_NOT_SUPPORTED for what the card cannot do, and
// six threads working at once through the application's mutex.
func TestABI(t *testing.T) {
	e := newEnv(t, "")
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/miekg/pkcs11").Output()
	if err != nil {
		t.Fatalf("locating the OASIS headers: %v", err)
	}
	src, err := filepath.Abs(filepath.Join("testdata", "abi.c"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(e.dir, "abi")
	e.must("", "gcc", "-Wall", "-Werror", "-I", strings.TrimSpace(string(dir)), "-o", bin, src, "-ldl", "-lpthread")
	if out := e.must("", bin, modulePath); strings.TrimSpace(out) != "ok" {
		t.Fatal(out)
	}
}
