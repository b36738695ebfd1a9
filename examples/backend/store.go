//go:build store

package main

import (
	"context"

	"github.com/mynacard/mynacard/store/storeopen"
	"github.com/mynacard/mynacard/token"
)

// With the store tag, -store keeps nonces in the records store.
func init() {
	openStore = func(ctx context.Context, dsn string) (token.Nonces, func() error, error) {
		st, err := storeopen.Open(ctx, dsn)
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	}
}
