package jpki

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

// realRootsDir holds the J-LIS roots as J-LIS publishes them
// (jpki.go.jp/ca), PEM, shipped with the repository so that these tests
// run in every clone. Shipping them trusts nothing: a root is accepted
// only when its fingerprint matches a pin.
const realRootsDir = "testdata/roots"

// realRoots lists the files and what they must be.
var realRoots = []struct {
	file string
	kind card.KeyKind
	gen  int
}{
	{"sign_ca_2015.pem", card.SignKey, 1},
	{"sign_ca_2023.pem", card.SignKey, 3},
	{"auth_ca_2015.pem", card.AuthKey, 1},
	{"auth_ca_2023.pem", card.AuthKey, 3},
}

// skipWithoutRealRoots fails the test when the shipped roots are
// missing: they are part of the repository, so their absence is a broken
// checkout, not a reason to skip.
func skipWithoutRealRoots(t *testing.T) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realRootsDir, "*.pem"))
	if err != nil || len(files) != len(realRoots) {
		t.Fatalf("want the %d J-LIS roots in %s, found %d (%v)", len(realRoots), realRootsDir, len(files), err)
	}
}

// TestRealRootsMatchPins proves the pinned fingerprints are the real
// roots' and that they are accepted as production roots of the right kind
// and generation.
func TestRealRootsMatchPins(t *testing.T) {
	skipWithoutRealRoots(t)
	roots, err := NewRoots()
	if err != nil {
		t.Fatal(err)
	}
	for _, rr := range realRoots {
		t.Run(rr.file, func(t *testing.T) {
			added, err := roots.AddFile(filepath.Join(realRootsDir, rr.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(added) != 1 {
				t.Fatalf("added %d roots, want 1", len(added))
			}
			r := added[0]
			if !r.Production || !r.Pinned || r.Source != SourceFile || r.Kind != rr.kind || r.Generation != rr.gen {
				t.Errorf("root %+v, want production pinned %v gen %d from a file", r, rr.kind, rr.gen)
			}
			var pin Pin
			for _, p := range Pins() {
				if p.Fingerprint == r.Fingerprint {
					pin = p
				}
			}
			if pin.Serial != r.Certificate.SerialNumber.Text(16) && pin.Serial != upperHex(r.Certificate.SerialNumber.Bytes()) {
				t.Errorf("pin serial %s, certificate serial %X", pin.Serial, r.Certificate.SerialNumber)
			}
			if err := checkSelfSignedCA(r.Certificate); err != nil {
				t.Error(err)
			}
			if !isProductionName(r.Certificate) || kindOfRootName(r.Certificate) != rr.kind {
				t.Errorf("name %s is not the production %v name", r.Certificate.Subject, rr.kind)
			}
		})
	}
}

// TestEveryRealRootFileIsPinned reads every PEM in the directory: each must
// match a pin, except the generation-2 authentication root, which only the
// operator path accepts.
func TestEveryRealRootFileIsPinned(t *testing.T) {
	skipWithoutRealRoots(t)
	files, err := filepath.Glob(filepath.Join(realRootsDir, "*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no PEM files in %s: %v", realRootsDir, err)
	}
	for _, f := range files {
		roots, _ := NewRoots()
		if _, err := roots.AddFile(f); err == nil {
			continue
		}
		r, err := roots.AddOperatorAuthGen2File(f)
		if err != nil {
			t.Errorf("%s matches no pin and is not the generation-2 authentication root: %v", f, err)
			continue
		}
		t.Logf("%s is the unpinned generation-2 authentication root, SHA-256 %s", f, r.Fingerprint)
	}
}

// TestRealRootsRefusedAsTest shows that a production root cannot be
// smuggled in as a test root.
func TestRealRootsRefusedAsTest(t *testing.T) {
	skipWithoutRealRoots(t)
	ders, err := readCertificateFile(filepath.Join(realRootsDir, realRoots[0].file))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := NewRoots()
	if err != nil {
		t.Fatal(err)
	}
	root, err := prod.AddCertificate(ders[0], SourceCard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRoots(WithTestHierarchy(root.Certificate)); err == nil {
		t.Error("a production root was accepted as a test root")
	}
}

// TestRealRootsVerifyAgainstThemselves checks the roots are valid CAs in
// their published validity.
func TestRealRootsValidity(t *testing.T) {
	skipWithoutRealRoots(t)
	roots, _ := NewRoots()
	for _, rr := range realRoots {
		if _, err := roots.AddFile(filepath.Join(realRootsDir, rr.file)); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range roots.List() {
		start := map[int]int{1: 2015, 3: 2023}[r.Generation]
		if y := r.Certificate.NotBefore.In(card.JST).Year(); y != start {
			t.Errorf("%v gen %d starts %d, want %d", r.Kind, r.Generation, y, start)
		}
		if r.Certificate.NotAfter.Before(r.Certificate.NotBefore.Add(9 * 365 * 24 * time.Hour)) {
			t.Errorf("%v gen %d valid less than 9 years", r.Kind, r.Generation)
		}
	}
}
