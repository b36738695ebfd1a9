package p11

import (
	"context"
	"errors"
	"sync"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// pcscBackend reaches readers through PC/SC. It connects to the service
// lazily, so the module initialises without pcscd and finds readers once
// it runs.
type pcscBackend struct {
	mu sync.Mutex
	c  *pcsc.Context
}

// NewPCSCBackend returns the PC/SC backend.
func NewPCSCBackend() (Backend, error) { return &pcscBackend{}, nil }

func (b *pcscBackend) context(ctx context.Context) (*pcsc.Context, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c != nil {
		return b.c, nil
	}
	c, err := pcsc.Establish(ctx)
	if err != nil {
		return nil, err
	}
	b.c = c
	return c, nil
}

// forget drops a service connection that failed (pcscd restarted).
func (b *pcscBackend) forget(c *pcsc.Context) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == c {
		_ = c.Release()
		b.c = nil
	}
}

func (b *pcscBackend) Readers(ctx context.Context) ([]reader.Info, error) {
	c, err := b.context(ctx)
	if err != nil {
		if errors.Is(err, reader.ErrNoService) {
			return nil, nil
		}
		return nil, err
	}
	infos, err := c.Readers(ctx)
	if errors.Is(err, reader.ErrNoReaders) {
		return nil, nil
	}
	if errors.Is(err, reader.ErrNoService) {
		b.forget(c)
		return nil, nil
	}
	return infos, err
}

func (b *pcscBackend) Connect(ctx context.Context, name string) (reader.Card, error) {
	c, err := b.context(ctx)
	if err != nil {
		return nil, err
	}
	return c.Connect(ctx, name)
}

func (b *pcscBackend) Watch(ctx context.Context, fn func(reader.Event) error) error {
	c, err := b.context(ctx)
	if err != nil {
		return err
	}
	err = c.Watch(ctx, fn)
	if errors.Is(err, reader.ErrNoService) {
		b.forget(c)
	}
	return err
}

func (b *pcscBackend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.c == nil {
		return nil
	}
	err := b.c.Release()
	b.c = nil
	return err
}
