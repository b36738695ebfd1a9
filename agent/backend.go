package agent

import (
	"context"

	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
)

// Backend is how the agent reaches readers and cards. PCSC adapts the real
// PC/SC stack; Memory holds in-process cards for tests and demonstrations.
type Backend interface {
	// Readers lists the readers and whether a card is in each, without
	// waiting.
	Readers(ctx context.Context) ([]reader.Info, error)
	// Watch reports reader and card events to fn until ctx ends, starting
	// with the current state, as pcsc.Context.Watch does.
	Watch(ctx context.Context, fn func(reader.Event) error) error
	// Connect connects to the card in the reader named name. With no card
	// the error matches reader.ErrNoCard.
	Connect(ctx context.Context, name string) (reader.Card, error)
}

// PCSC returns the Backend of a PC/SC context. opts apply to every card
// connected (for example pcsc.WithExtendedLength).
func PCSC(c *pcsc.Context, opts ...pcsc.Option) Backend {
	return pcscBackend{c: c, opts: opts}
}

type pcscBackend struct {
	c    *pcsc.Context
	opts []pcsc.Option
}

func (b pcscBackend) Readers(ctx context.Context) ([]reader.Info, error) {
	return b.c.Readers(ctx)
}

func (b pcscBackend) Watch(ctx context.Context, fn func(reader.Event) error) error {
	return b.c.Watch(ctx, fn)
}

func (b pcscBackend) Connect(ctx context.Context, name string) (reader.Card, error) {
	k, err := b.c.Connect(ctx, name, b.opts...)
	if err != nil {
		return nil, err
	}
	return k, nil
}
