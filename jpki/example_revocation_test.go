package jpki_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// Reading the free-to-read authentication certificate, verifying it to a
// pinned root and checking its revocation status against the CRL files a
// revocation.Config names (the same configuration the CLI loads).
func ExampleVerify_withRevocation() {
	ctx := context.Background()
	j := openVirtualCard(ctx)
	cert, err := jpki.ReadAuthCertificate(ctx, j)
	if err != nil {
		log.Fatal(err)
	}
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(jpkitest.Default().Roots(card.AuthKey)...))
	if err != nil {
		log.Fatal(err)
	}
	now := jpkitest.ReferenceTime()
	if _, err := jpki.Verify(cert, roots, jpki.VerifyOptions{Time: now, Kind: card.AuthKey}); err != nil {
		log.Fatal(err)
	}

	// A CRL file from the authentication root, as a CA publishes it.
	dir, err := os.MkdirTemp("", "mynacard-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "auth.crl")
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	root, key := jpkitest.Default().Root(card.AuthKey, jpkitest.LatestGeneration)
	if _, err := jpkitest.WriteCRL(f, root, key, jpkitest.CRLOptions{ThisUpdate: now.Add(-3600e9), NextUpdate: now.Add(24 * 3600e9)}); err != nil {
		log.Fatal(err)
	}
	f.Close()

	cfg := revocation.Config{CRLs: []string{path}, Policy: revocation.PolicyHard,
		CRLOptions: revocation.CRLSetOptions{Now: jpkitest.ReferenceTime}}
	checker, warnings, err := cfg.Load(ctx, roots.Certificates())
	if err != nil {
		log.Fatal(err)
	}
	r := checker.Check(ctx, cert.Certificate)
	fmt.Println("warnings:", len(warnings))
	fmt.Println("status:", r.Status, "accepted:", cfg.Policy.Accepts(r))
	// Output:
	// warnings: 0
	// status: good accepted: true
}
