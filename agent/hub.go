package agent

import (
	"context"
	"fmt"
	"sync"

	"github.com/mynacard/mynacard/reader"
)

// subscriberBuffer is how many events a slow event-stream client may fall
// behind before it is dropped (it reconnects and gets the state again).
const subscriberBuffer = 64

// errCardLeft is the cancellation cause of an operation whose card was
// reported removed by the watcher while it ran.
var errCardLeft = fmt.Errorf("agent: %w (seen by the watcher)", reader.ErrCardRemoved)

// hub keeps the readers' state as the watcher reports it, fans events out
// to event-stream subscribers, and cancels the operation running on a reader
// whose card leaves.
type hub struct {
	mu    sync.Mutex
	order []string
	state map[string]*ReaderState
	subs  map[chan Event]struct{}
	ops   map[string]context.CancelCauseFunc
}

// ReaderState is one reader as GET /v1/readers reports it.
type ReaderState struct {
	Name        string `json:"name"`
	CardPresent bool   `json:"card_present"`
	// Card is the card-inserted event of the card in the reader, with its
	// type, nil when empty.
	Card *Event `json:"card,omitempty"`
	// Busy is true while an operation uses the reader.
	Busy bool `json:"busy"`
}

func newHub() *hub {
	return &hub{state: map[string]*ReaderState{}, subs: map[chan Event]struct{}{}, ops: map[string]context.CancelCauseFunc{}}
}

// apply records e and sends it to every subscriber.
func (h *hub) apply(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.state[e.Reader]
	if st == nil && e.Kind != reader.ReaderRemoved {
		st = &ReaderState{Name: e.Reader}
		h.state[e.Reader] = st
		h.order = append(h.order, e.Reader)
	}
	switch e.Kind {
	case reader.CardInserted:
		ec := e
		st.CardPresent, st.Card = true, &ec
	case reader.CardRemoved:
		st.CardPresent, st.Card = false, nil
		h.cancelOp(e.Reader)
	case reader.ReaderRemoved:
		delete(h.state, e.Reader)
		for i, n := range h.order {
			if n == e.Reader {
				h.order = append(h.order[:i:i], h.order[i+1:]...)
				break
			}
		}
		h.cancelOp(e.Reader)
	}
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
			// Too slow: drop it; its stream ends and the client
			// reconnects to a fresh state.
			delete(h.subs, ch)
			close(ch)
		}
	}
}

func (h *hub) cancelOp(name string) {
	if cancel := h.ops[name]; cancel != nil {
		cancel(errCardLeft)
	}
}

// reset forgets every reader (the watcher restarts and reports them again).
func (h *hub) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.order {
		h.cancelOp(n)
	}
	h.order, h.state = nil, map[string]*ReaderState{}
}

// subscribe returns the current state as events (reader-added for each
// reader, then card-inserted for each card), a channel of the events that
// follow, and a function that ends the subscription.
func (h *hub) subscribe() ([]Event, <-chan Event, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var initial []Event
	for _, n := range h.order {
		initial = append(initial, Event{Kind: reader.ReaderAdded, Reader: n})
	}
	for _, n := range h.order {
		if c := h.state[n].Card; c != nil {
			initial = append(initial, *c)
		}
	}
	ch := make(chan Event, subscriberBuffer)
	h.subs[ch] = struct{}{}
	return initial, ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// readers returns the state of every reader, in the order first seen.
func (h *hub) readers() []ReaderState {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]ReaderState, 0, len(h.order))
	for _, n := range h.order {
		st := *h.state[n]
		if st.Card != nil {
			c := *st.Card
			st.Card = &c
		}
		_, st.Busy = h.ops[n]
		out = append(out, st)
	}
	return out
}

// present reports whether the watcher knows the reader name and whether it
// last saw a card there.
func (h *hub) present(name string) (known, card bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.state[name]
	return st != nil, st != nil && st.CardPresent
}

// begin marks name busy and ties cancel to the card leaving it. It returns
// false when an operation already runs there.
func (h *hub) begin(name string, cancel context.CancelCauseFunc) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, busy := h.ops[name]; busy {
		return false
	}
	h.ops[name] = cancel
	return true
}

// end marks name free again.
func (h *hub) end(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.ops, name)
}

// subscribers returns the number of event-stream subscribers, for tests.
func (h *hub) subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
