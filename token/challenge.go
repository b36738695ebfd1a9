package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Challenge defaults.
const (
	// NonceSize is the number of random bytes of a challenge nonce (at
	// least 32, so that a nonce is never guessed or repeated).
	NonceSize = 32
	// DefaultChallengeLifetime is how long an issued nonce may be answered.
	DefaultChallengeLifetime = 5 * time.Minute
)

// Challenge is a one-time nonce issued by a backend. Nonce is the
// unpadded base64url encoding of NonceSize random bytes; the card side
// hashes this text (see Digest).
type Challenge struct {
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Nonces keeps issued nonces until they are consumed. MemoryNonces keeps
// them in one process; the records store (store.Store) keeps them in a
// database that several servers share. Implementations report the
// package's sentinels, with errors.Is.
type Nonces interface {
	// PutNonce stores a fresh nonce valid until expires; a nonce already
	// stored gives an error (ErrNonceConflict for MemoryNonces).
	PutNonce(ctx context.Context, nonce string, expires time.Time) error
	// ConsumeNonce uses a nonce once, atomically: of concurrent callers
	// exactly one gets nil. Others get ErrNonceReplayed; an expired nonce
	// gives ErrNonceExpired and an unknown (or purged) one ErrNonceUnknown.
	// Any other error is a failure of the store.
	ConsumeNonce(ctx context.Context, nonce string) error
	// PurgeNonces deletes nonces that expired at or before the given time
	// and returns how many were deleted.
	PurgeNonces(ctx context.Context, before time.Time) (int64, error)
}

// Nonce errors of a Nonces implementation.
var (
	// ErrNonceConflict: the nonce is already stored.
	ErrNonceConflict = errors.New("nonce already stored")
	// ErrNonceUnknown: the nonce was never stored, or was purged.
	ErrNonceUnknown = errors.New("nonce not issued")
	// ErrNonceReplayed: the nonce was already consumed.
	ErrNonceReplayed = errors.New("nonce already consumed")
	// ErrNonceExpired: the nonce's lifetime ended before it was consumed.
	ErrNonceExpired = errors.New("nonce expired")
)

// Challenges issues nonces into Nonces.
type Challenges struct {
	// Nonces keeps issued nonces until consumed. Required.
	Nonces Nonces
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

// MemoryNonces is an in-memory Nonces for a single process. Expired
// nonces are purged as new ones are put. The zero value is ready to use.
type MemoryNonces struct {
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

func (m *MemoryNonces) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// PutNonce implements Nonces.
func (m *MemoryNonces) PutNonce(_ context.Context, nonce string, expires time.Time) error {
	if nonce == "" || expires.IsZero() {
		return errors.New("storing nonce: empty nonce or no expiry")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[string]*memoryNonce{}
	}
	if _, ok := m.entries[nonce]; ok {
		return fmt.Errorf("storing nonce: %w", ErrNonceConflict)
	}
	m.puts++
	if m.puts%memoryPurgeEvery == 0 {
		m.purgeLocked(m.now())
	}
	m.entries[nonce] = &memoryNonce{expires: expires}
	return nil
}

// ConsumeNonce implements Nonces: exactly one caller consumes a nonce.
func (m *MemoryNonces) ConsumeNonce(_ context.Context, nonce string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[nonce]
	switch {
	case !ok:
		return fmt.Errorf("consuming nonce: %w", ErrNonceUnknown)
	case e.consumed:
		return fmt.Errorf("consuming nonce: %w", ErrNonceReplayed)
	case !m.now().Before(e.expires):
		return fmt.Errorf("consuming nonce: %w", ErrNonceExpired)
	}
	e.consumed = true
	return nil
}

// PurgeNonces implements Nonces.
func (m *MemoryNonces) PurgeNonces(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.purgeLocked(before), nil
}

func (m *MemoryNonces) purgeLocked(before time.Time) int64 {
	var n int64
	for k, e := range m.entries {
		if !e.expires.After(before) {
			delete(m.entries, k)
			n++
		}
	}
	return n
}
