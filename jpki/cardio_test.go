package jpki

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// TestAddFromCardTestCard: a test card's CA certificates match no pin and
// are not added, whatever the Roots' opt-in.
func TestAddFromCardTestCard(t *testing.T) {
	j := virtualJPKI(t, nil, card.Options{})
	roots, _ := NewRoots(WithTestHierarchy())
	added, err := roots.AddFromCard(context.Background(), j)
	if !errors.Is(err, ErrNotPinned) || len(added) != 0 || len(roots.List()) != 0 {
		t.Errorf("added %v, err %v; want nothing and ErrNotPinned", added, err)
	}
}

// TestAddFromCardRealRoots puts the published J-LIS roots into a virtual
// card's CA EFs: they are accepted from the card because they match pins.
func TestAddFromCardRealRoots(t *testing.T) {
	skipWithoutRealRoots(t)
	sign, err := readCertificateFile(filepath.Join(realRootsDir, "sign_ca_2023.pem"))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := readCertificateFile(filepath.Join(realRootsDir, "auth_ca_2023.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ct := jpkitest.DefaultHolder().Contents()
	ct.SignCACert, ct.AuthCACert = sign[0], auth[0]
	vc, err := virtual.NewMyNumberCard(ct)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, err := card.OpenJPKI(ctx, reader.Loopback("virtual", vc, reader.Capabilities{}), card.Options{})
	if err != nil {
		t.Fatal(err)
	}
	roots, _ := NewRoots()
	added, err := roots.AddFromCard(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 {
		t.Fatalf("added %d roots", len(added))
	}
	for _, r := range added {
		if !r.Pinned || !r.Production || r.Source != SourceCard || r.Generation != 3 {
			t.Errorf("root %+v", r)
		}
	}
}
