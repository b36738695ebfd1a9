package confirm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mynacard/mynacard/store"
)

// Challenge defaults.
const (
	// NonceSize is the number of random bytes of a challenge nonce (issue
	// 10: at least 32).
	NonceSize = 32
	// DefaultChallengeLifetime is how long an issued nonce may be answered.
	DefaultChallengeLifetime = 5 * time.Minute
)

// Challenge is a one-time nonce issued by a backend. Nonce is the
// unpadded base64url encoding of NonceSize random bytes; the card side
// hashes this text (see TokenDigest).
type Challenge struct {
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Challenges issues nonces into a NonceStore: the in-memory
// MemoryNonceStore for one process, or the records store (store.Store is
// a store.NonceStore) when several servers share one database.
type Challenges struct {
	// Nonces keeps issued nonces until consumed. Required.
	Nonces store.NonceStore
	// Lifetime is how long a nonce is valid; zero means
	// DefaultChallengeLifetime.
	Lifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Issue makes a fresh nonce and stores it with its expiry.
func (c *Challenges) Issue(ctx context.Context) (Challenge, error) {
	if c.Nonces == nil {
		return Challenge{}, fmt.Errorf("issuing challenge: no nonce store")
	}
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, NonceSize)
	if _, err := io.ReadFull(r, b); err != nil {
		return Challenge{}, fmt.Errorf("issuing challenge: %w", err)
	}
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	life := c.Lifetime
	if life <= 0 {
		life = DefaultChallengeLifetime
	}
	ch := Challenge{Nonce: base64.RawURLEncoding.EncodeToString(b), ExpiresAt: now.Add(life)}
	if err := c.Nonces.PutNonce(ctx, ch.Nonce, ch.ExpiresAt); err != nil {
		return Challenge{}, fmt.Errorf("issuing challenge: %w", err)
	}
	return ch, nil
}

// MemoryNonceStore is an in-memory store.NonceStore for a single process.
// It reports the store package's sentinels (store.ErrConsumed,
// store.ErrExpired, store.ErrNotFound, store.ErrConflict), so a Validator
// treats both kinds alike. Expired nonces are purged as new ones are put.
// The zero value is ready to use.
type MemoryNonceStore struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*memoryNonce
	puts    int
}

type memoryNonce struct {
	expires  time.Time
	consumed bool
}

// memoryPurgeEvery is how many PutNonce calls pass between purges of
// expired nonces.
const memoryPurgeEvery = 1024

func (m *MemoryNonceStore) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// PutNonce implements store.NonceStore.
func (m *MemoryNonceStore) PutNonce(_ context.Context, nonce string, expires time.Time) error {
	if nonce == "" || expires.IsZero() {
		return fmt.Errorf("storing nonce: %w", store.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]*memoryNonce{}
	}
	if _, ok := m.entries[nonce]; ok {
		return fmt.Errorf("storing nonce: %w", store.ErrConflict)
	}
	m.puts++
	if m.puts%memoryPurgeEvery == 0 {
		m.purgeLocked(m.now())
	}
	m.entries[nonce] = &memoryNonce{expires: expires}
	return nil
}

// ConsumeNonce implements store.NonceStore: exactly one caller consumes a
// nonce.
func (m *MemoryNonceStore) ConsumeNonce(_ context.Context, nonce string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[nonce]
	switch {
	case !ok:
		return fmt.Errorf("consuming nonce: %w", store.ErrNotFound)
	case e.consumed:
		return fmt.Errorf("consuming nonce: %w", store.ErrConsumed)
	case !m.now().Before(e.expires):
		return fmt.Errorf("consuming nonce: %w", store.ErrExpired)
	}
	e.consumed = true
	return nil
}

// PurgeNonces implements store.NonceStore.
func (m *MemoryNonceStore) PurgeNonces(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.purgeLocked(before), nil
}

func (m *MemoryNonceStore) purgeLocked(before time.Time) int64 {
	var n int64
	for k, e := range m.entries {
		if !e.expires.After(before) {
			delete(m.entries, k)
			n++
		}
	}
	return n
}
