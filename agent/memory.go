package agent

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mynacard/mynacard/reader"
)

// Memory is a Backend of in-process readers holding in-process cards (such
// as card/virtual.Card) through reader.Loopback. Insert and Remove play the
// holder; Watch reports them as PC/SC would. It serves the soak test, the
// agent's unit tests and `mynacard serve --reader virtual`.
//
// A removed card stays removed for connections made before the removal:
// their next APDU fails with reader.ErrCardRemoved, as on a real reader.
type Memory struct {
	caps reader.Capabilities

	mu       sync.Mutex
	names    []string
	slots    map[string]*memCard
	watchers map[*memWatcher]struct{}
}

// memCard is one insertion of a card: removing it cuts every connection
// made to it.
type memCard struct {
	raw     reader.RawCard
	removed atomic.Bool
}

func (c *memCard) ATR() []byte { return c.raw.ATR() }

func (c *memCard) Transmit(capdu []byte) []byte {
	if c.removed.Load() {
		return nil
	}
	return c.raw.Transmit(capdu)
}

type memWatcher struct {
	ch   chan reader.Event
	done <-chan struct{}
}

// NewMemory returns a Memory backend with the named readers, all empty.
func NewMemory(caps reader.Capabilities, readers ...string) *Memory {
	m := &Memory{caps: caps, slots: map[string]*memCard{}, watchers: map[*memWatcher]struct{}{}}
	m.names = append(m.names, readers...)
	return m
}

// Insert puts c in the reader named name. It fails if the reader does not
// exist or already holds a card.
func (m *Memory) Insert(name string, c reader.RawCard) error {
	m.mu.Lock()
	if !slices.Contains(m.names, name) {
		m.mu.Unlock()
		return fmt.Errorf("inserting card: %w: %q", reader.ErrReaderNotFound, name)
	}
	if m.slots[name] != nil {
		m.mu.Unlock()
		return fmt.Errorf("inserting card: reader %q already holds a card", name)
	}
	mc := &memCard{raw: c}
	m.slots[name] = mc
	ws := m.watcherList()
	m.mu.Unlock()
	m.broadcast(ws, reader.Event{Kind: reader.CardInserted, Reader: name, ATR: c.ATR()})
	return nil
}

// Remove takes the card out of the reader named name. Connections to it fail
// from their next APDU with reader.ErrCardRemoved. Removing from an empty
// reader does nothing.
func (m *Memory) Remove(name string) {
	m.mu.Lock()
	mc := m.slots[name]
	if mc == nil {
		m.mu.Unlock()
		return
	}
	mc.removed.Store(true)
	delete(m.slots, name)
	ws := m.watcherList()
	m.mu.Unlock()
	m.broadcast(ws, reader.Event{Kind: reader.CardRemoved, Reader: name})
}

func (m *Memory) watcherList() []*memWatcher {
	ws := make([]*memWatcher, 0, len(m.watchers))
	for w := range m.watchers {
		ws = append(ws, w)
	}
	return ws
}

// broadcast delivers e to every watcher, waiting for slow ones (events are
// never dropped) unless the watcher has stopped.
func (m *Memory) broadcast(ws []*memWatcher, e reader.Event) {
	for _, w := range ws {
		select {
		case w.ch <- e:
		case <-w.done:
		}
	}
}

// Readers implements Backend.
func (m *Memory) Readers(ctx context.Context) ([]reader.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.names) == 0 {
		return nil, reader.ErrNoReaders
	}
	infos := make([]reader.Info, 0, len(m.names))
	for _, n := range m.names {
		in := reader.Info{Name: n}
		if c := m.slots[n]; c != nil {
			in.CardPresent = true
			in.ATR = c.ATR()
		}
		infos = append(infos, in)
	}
	return infos, nil
}

// Watch implements Backend: it reports the current state, then every Insert
// and Remove, until ctx ends.
func (m *Memory) Watch(ctx context.Context, fn func(reader.Event) error) error {
	w := &memWatcher{ch: make(chan reader.Event, 16), done: ctx.Done()}
	m.mu.Lock()
	var initial []reader.Event
	for _, n := range m.names {
		initial = append(initial, reader.Event{Kind: reader.ReaderAdded, Reader: n})
	}
	for _, n := range m.names {
		if c := m.slots[n]; c != nil {
			initial = append(initial, reader.Event{Kind: reader.CardInserted, Reader: n, ATR: c.ATR()})
		}
	}
	m.watchers[w] = struct{}{}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(m.watchers, w)
		m.mu.Unlock()
	}()
	for _, e := range initial {
		if err := fn(e); err != nil {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("watching readers: %w", ctx.Err())
		case e := <-w.ch:
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

// Connect implements Backend.
func (m *Memory) Connect(ctx context.Context, name string) (reader.Card, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("connecting to card: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.Contains(m.names, name) {
		return nil, fmt.Errorf("connecting to card: %w: %q", reader.ErrReaderNotFound, name)
	}
	c := m.slots[name]
	if c == nil {
		return nil, fmt.Errorf("connecting to card in %q: %w", name, reader.ErrNoCard)
	}
	return reader.Loopback(name, c, m.caps), nil
}
