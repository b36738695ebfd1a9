// Command backend is an example service that checks confirmation tokens
// for itself: it issues one-time challenges over HTTP and
// validates the tokens a kiosk, the mynacard CLI or the agent returns,
// with package confirm's Validator.
//
//	backend -addr 127.0.0.1:8080 -audience https://bank.example/login \
//	        -roots jlis-roots.pem -crl sign.crl -crl auth.crl -revocation hard
//
// Nonces live in memory; with -store DSN they live in the records store
// (SQLite file or PostgreSQL), so several backend processes behind a load
// balancer share them and a nonce is still consumed exactly once.
//
// With -test-hierarchy it trusts the virtual card's test PKI instead
// (jpki/jpkitest), for trying the flow without a real card; never in
// production.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var (
		addr     = flag.String("addr", "127.0.0.1:8080", "listen address")
		audience = flag.String("audience", "", "this service's identifier (required)")
		key      = flag.String("key", "auth", "key required: auth or sign")
		policy   = flag.String("revocation", "hard", "revocation policy: hard, soft or off")
		testPKI  = flag.Bool("test-hierarchy", false, "trust the virtual card's test PKI (never in production)")
		dsn      = flag.String("store", "", "keep nonces in this store (SQLite path or postgres:// DSN) instead of memory")
		roots    listFlag
		crls     listFlag
	)
	flag.Var(&roots, "roots", "PEM or DER file of pinned J-LIS roots (repeatable)")
	flag.Var(&crls, "crl", "CRL file (repeatable)")
	flag.Parse()
	b, err := newBackend(*audience, *key, *policy, *testPKI, roots, crls)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backend:", err)
		os.Exit(2)
	}
	if *dsn != "" {
		st, err := storeopen.Open(context.Background(), *dsn)
		if err != nil {
			fmt.Fprintln(os.Stderr, "backend:", err)
			os.Exit(2)
		}
		defer st.Close()
		b.Challenges.Nonces, b.Validator.Nonces = st, st
	}
	go purgeNonces(b.Challenges.Nonces, time.Minute)
	srv := &http.Server{Addr: *addr, Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("listening on %s for audience %s", *addr, *audience)
	log.Fatal(srv.ListenAndServe())
}

// purgeNonces deletes expired nonces every interval, forever.
func purgeNonces(n store.NonceStore, interval time.Duration) {
	for range time.Tick(interval) {
		if _, err := n.PurgeNonces(context.Background(), time.Now()); err != nil {
			log.Printf("purging nonces: %v", err)
		}
	}
}

func newBackend(audience, key, policy string, testPKI bool, rootFiles, crlFiles []string) (*Backend, error) {
	if audience == "" {
		return nil, errors.New("-audience is required")
	}
	kind := card.AuthKey
	switch key {
	case "auth":
	case "sign":
		kind = card.SignKey
	default:
		return nil, fmt.Errorf("-key must be auth or sign, not %q", key)
	}
	pol, err := revocation.ParsePolicy(policy)
	if err != nil {
		return nil, err
	}
	var opts []jpki.RootsOption
	if testPKI {
		p := jpkitest.Default()
		opts = append(opts, jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
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
	checker, warnings, err := revocation.Config{CRLs: crlFiles, Policy: pol}.Load(context.Background(), r.Certificates())
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		log.Printf("revocation: %v", w)
	}
	nonces := &confirm.MemoryNonceStore{}
	v := &confirm.Validator{Roots: r, Nonces: nonces, RevocationPolicy: pol, RequireProduction: !testPKI}
	v.Revocation = checker
	return &Backend{Challenges: &confirm.Challenges{Nonces: nonces}, Validator: v, Audience: audience, Kind: kind}, nil
}
