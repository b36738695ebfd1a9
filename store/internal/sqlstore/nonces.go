package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/token"
)

// maxNonceBytes bounds a nonce's encoded length.
const maxNonceBytes = 512

func checkNonce(nonce string) error {
	if nonce == "" || len(nonce) > maxNonceBytes {
		return fmt.Errorf("%w: nonce must be 1 to %d bytes", store.ErrInvalid, maxNonceBytes)
	}
	return nil
}

// PutNonce implements store.NonceStore.
func (s *Store) PutNonce(ctx context.Context, nonce string, expires time.Time) error {
	if err := checkNonce(nonce); err != nil {
		return fmt.Errorf("storing nonce: %w", err)
	}
	if expires.IsZero() {
		return fmt.Errorf("storing nonce: %w: no expiry", store.ErrInvalid)
	}
	if _, err := s.b.Exec(ctx, "INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)", nonce, s.b.TimeArg(stamp(expires))); err != nil {
		return fmt.Errorf("storing nonce: %w", err)
	}
	return nil
}

// ConsumeNonce implements store.NonceStore. One conditional UPDATE decides the
// winner: the database serialises writers to the row, so only one caller
// sees a row affected. The losers then read why they lost.
func (s *Store) ConsumeNonce(ctx context.Context, nonce string) error {
	if err := checkNonce(nonce); err != nil {
		return fmt.Errorf("consuming nonce: %w", err)
	}
	t := s.b.TimeArg(now())
	n, err := s.b.Exec(ctx, "UPDATE nonces SET consumed_at = ? WHERE nonce = ? AND consumed_at IS NULL AND expires_at > ?", t, nonce, t)
	if err != nil {
		return fmt.Errorf("consuming nonce: %w", err)
	}
	if n == 1 {
		return nil
	}
	var expires, consumed time.Time
	err = s.b.QueryRow(ctx, "SELECT expires_at, consumed_at FROM nonces WHERE nonce = ?", nonce).
		Scan(timeScan{&expires}, timeScan{&consumed})
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Never issued, or purged: token.ErrNonceUnknown as well.
		return fmt.Errorf("consuming nonce: %w: %w", err, token.ErrNonceUnknown)
	case err != nil:
		return fmt.Errorf("consuming nonce: %w", err)
	case !consumed.IsZero():
		return fmt.Errorf("consuming nonce: %w", store.ErrConsumed)
	default:
		return fmt.Errorf("consuming nonce: %w", store.ErrExpired)
	}
}

// PurgeNonces implements store.NonceStore.
func (s *Store) PurgeNonces(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.b.Exec(ctx, "DELETE FROM nonces WHERE expires_at <= ?", s.b.TimeArg(stamp(before)))
	if err != nil {
		return 0, fmt.Errorf("purging nonces: %w", err)
	}
	return n, nil
}
