//go:build store

package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/mynacard/mynacard/token"
)

// TestOpenStore: a build with the store tag has -store, and its nonces
// are the records store's: one use, then a replay refused, and they
// survive reopening the file.
func TestOpenStore(t *testing.T) {
	if openStore == nil {
		t.Fatal("the store tag did not provide openStore")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "nonces.db")
	n, closeStore, err := openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.PutNonce(ctx, "nonce-1", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := closeStore(); err != nil {
		t.Fatal(err)
	}
	n, closeStore, err = openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	if err := n.ConsumeNonce(ctx, "nonce-1"); err != nil {
		t.Fatalf("first use after reopening: %v", err)
	}
	if err := n.ConsumeNonce(ctx, "nonce-1"); !errors.Is(err, token.ErrNonceReplayed) {
		t.Fatalf("replay: %v", err)
	}
}
