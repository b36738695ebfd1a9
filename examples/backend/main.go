// Command backend is an example service that checks confirmation tokens
// for itself: it issues one-time challenges over HTTP and validates the
// tokens a kiosk, the mynacard CLI or the agent returns, with package
// token's Validator. It links neither the card stack nor a database.
//
//	backend -addr 127.0.0.1:8080 -audience https://bank.example/login \
//	        -roots jlis-roots.pem -crl sign.crl -crl auth.crl -revocation hard
//
// Nonces live in memory. Built with -tags store, -store DSN keeps them in
// the records store (SQLite file or PostgreSQL) instead, so several
// backend processes behind a load balancer share them and a nonce is still
// consumed exactly once; that build links the SQL drivers.
//
// With -test-roots FILE it also trusts the PEM certificates in FILE as a
// test hierarchy (such as the virtual card's test roots, from
// jpki/jpkitest), for trying the flow without a real card; never in
// production.
package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/token"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// openStore opens the records store's nonces for -store; nil in a build
// without the store tag.
var openStore func(ctx context.Context, dsn string) (token.Nonces, func() error, error)

func main() {
	var (
		addr      = flag.String("addr", "127.0.0.1:8080", "listen address")
		audience  = flag.String("audience", "", "this service's identifier (required)")
		key       = flag.String("key", "auth", "key required: auth or sign")
		policy    = flag.String("revocation", "hard", "revocation policy: hard, soft or off")
		testRoots = flag.String("test-roots", "", "PEM file of test-hierarchy roots to trust (never in production)")
		dsn       = flag.String("store", "", "keep nonces in this store (SQLite path or postgres:// DSN) instead of memory; needs a build with -tags store")
		roots     listFlag
		crls      listFlag
	)
	flag.Var(&roots, "roots", "PEM or DER file of pinned J-LIS roots (repeatable)")
	flag.Var(&crls, "crl", "CRL file, directory or URL (repeatable)")
	flag.Parse()
	b, err := newBackend(*audience, *key, *policy, *testRoots, roots, crls)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		os.Exit(2)
	}
	if *dsn != "" {
		if openStore == nil {
			fmt.Fprintln(os.Stderr, "backend: -store needs a backend built with -tags store")
			os.Exit(2)
		}
		n, closeStore, err := openStore(context.Background(), *dsn)
		if err != nil {
			fmt.Fprintln(os.Stderr, "backend:", err)
			os.Exit(2)
		}
		defer closeStore()
		b.Challenges.Nonces, b.Validator.Nonces = n, n
	}
	go purgeNonces(b.Challenges.Nonces, time.Minute)
	srv := &http.Server{Addr: *addr, Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on %s for audience %s", *addr, *audience)
	log.Fatal(srv.ListenAndServe())
}

// purgeNonces deletes expired nonces every interval, forever.
func purgeNonces(n token.Nonces, interval time.Duration) {
	for range time.Tick(interval) {
		if _, err := n.PurgeNonces(context.Background(), time.Now()); err != nil {
			log.Printf("purging nonces: %v", err)
		}
	}
}

func newBackend(audience, key, policy, testRoots string, rootFiles, crlSources []string) (*Backend, error) {
	if audience == "" {
		return nil, errors.New("-audience is required")
	}
	kind, err := card.ParseKeyKind(key)
	if err != nil {
		return nil, fmt.Errorf("-key must be auth or sign, not %q", key)
	}
	pol, err := revocation.ParsePolicy(policy)
	if err != nil {
		return nil, err
	}
	var opts []jpki.RootsOption
	if testRoots != "" {
		certs, err := readCertificates(testRoots)
		if err != nil {
			return nil, err
		}
		opts = append(opts, jpki.WithTestHierarchy(certs...))
	}
	r, err := jpki.NewRoots(opts...)
	if err != nil {
		return nil, err
	}
	for _, f := range rootFiles {
		if _, err := r.AddFile(f); err != nil {
			return nil, err
		}
	}
	checker, warnings, err := revocation.Config{CRLs: crlSources, Policy: pol}.Load(context.Background(), r.Certificates())
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		log.Printf("revocation: %v", w)
	}
	nonces := &token.MemoryNonces{}
	v := &token.Validator{Roots: r, Nonces: nonces, Revocation: checker, RevocationPolicy: pol, RequireProduction: testRoots == ""}
	return &Backend{Challenges: &token.Challenges{Nonces: nonces}, Validator: v, Audience: audience, Kind: kind}, nil
}

// readCertificates reads every CERTIFICATE block of a PEM file.
func readCertificates(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading test roots: %w", err)
	}
	var out []*x509.Certificate
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("reading test roots from %s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("reading test roots: no certificate in %s", path)
	}
	return out, nil
}
