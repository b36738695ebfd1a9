package jpki

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/card"
)

func upperHex(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

func TestPinsTable(t *testing.T) {
	pins := Pins()
	if len(pins) != 5 {
		t.Fatalf("%d pins, want 5 (auth gen 2 unknown)", len(pins))
	}
	seen := map[Fingerprint]bool{}
	for _, p := range pins {
		if seen[p.Fingerprint] {
			t.Errorf("duplicate pin %s", p.Fingerprint)
		}
		seen[p.Fingerprint] = true
		if p.Kind == card.AuthKey && p.Generation == authGen2 {
			t.Error("auth generation 2 must not be pinned")
		}
	}
	pins[0].Fingerprint[0] ^= 1
	if Pins()[0].Fingerprint == pins[0].Fingerprint {
		t.Error("Pins returned shared state")
	}
}

func TestAddCertificateNotPinned(t *testing.T) {
	roots, _ := NewRoots()
	_, err := roots.AddCertificate([]byte("not a root"), SourceCard)
	if !errors.Is(err, ErrNotPinned) {
		t.Errorf("got %v, want ErrNotPinned", err)
	}
	if len(roots.List()) != 0 {
		t.Error("a root was added")
	}
}

func TestAddTestWithoutOptIn(t *testing.T) {
	roots, _ := NewRoots()
	if _, err := roots.AddTest(nil); !errors.Is(err, ErrTestHierarchyDisabled) {
		t.Errorf("got %v, want ErrTestHierarchyDisabled", err)
	}
}

func TestAddFileGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(p, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	roots, _ := NewRoots()
	if _, err := roots.AddFile(p); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := roots.AddOperatorAuthGen2File(p); err == nil {
		t.Error("garbage accepted as operator root")
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
