package p11

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mynacard/mynacard/reader"
)

// watcher follows card insertions and removals for C_WaitForSlotEvent,
// from C_Initialize to C_Finalize. It compares each event with what it
// last knew of the reader, so the backend's initial report of the current
// state is not taken for events.
type watcher struct {
	mu      sync.Mutex
	known   map[string]bool // reader → card present
	pending []string        // readers whose state changed, oldest first
	notify  chan struct{}   // closed and replaced at each change
	done    chan struct{}
}

func startWatcher(ctx context.Context, b Backend) *watcher {
	w := &watcher{known: map[string]bool{}, notify: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(w.done)
		first := true
		for ctx.Err() == nil {
			if infos, err := b.Readers(ctx); err == nil || first {
				w.mu.Lock()
				for _, in := range infos {
					if first {
						w.known[in.Name] = in.CardPresent
					} else {
						w.set(in.Name, in.CardPresent)
					}
				}
				w.mu.Unlock()
			}
			if first {
				close(ready)
				first = false
			}
			err := b.Watch(ctx, func(e reader.Event) error {
				w.mu.Lock()
				defer w.mu.Unlock()
				switch e.Kind {
				case reader.CardInserted:
					w.set(e.Reader, true)
				case reader.CardRemoved, reader.ReaderRemoved:
					w.set(e.Reader, false)
				case reader.ReaderAdded:
					if _, ok := w.known[e.Reader]; !ok {
						w.known[e.Reader] = false
					}
				}
				return nil
			})
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			// No PC/SC service yet, or it went away: look again soon.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(2 * time.Second):
	}
	return w
}

// set records a reader's card presence; w.mu is held.
func (w *watcher) set(name string, present bool) {
	if old, ok := w.known[name]; ok && old == present {
		return
	}
	w.known[name] = present
	w.pending = append(w.pending, name)
	close(w.notify)
	w.notify = make(chan struct{})
}

// take returns the pending reader names and a channel closed at the next
// change.
func (w *watcher) take() ([]string, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pending
	w.pending = nil
	return p, w.notify
}

func (w *watcher) wait() { <-w.done }

// WaitForSlotEvent is C_WaitForSlotEvent: it returns the slot whose token
// was inserted or removed. With dontBlock it returns CKR_NO_EVENT when
// nothing happened; otherwise it waits, without holding the module's
// lock, until something does or C_Finalize is called
// (CKR_CRYPTOKI_NOT_INITIALIZED). An event on a reader is reported for
// each of its slots, one per call.
func (m *Module) WaitForSlotEvent(dontBlock bool) (uint, RV) {
	for {
		st, rv := m.enter()
		if rv != CKR_OK {
			return 0, rv
		}
		names, changed := st.events.take()
		for _, name := range names {
			if !st.cfg.allowed(name) {
				continue
			}
			r := st.reader(name)
			for _, kind := range []int{kindAuth, kindSign} {
				if st.kindEnabled(kind) {
					st.pending = append(st.pending, slotID(r, kind))
				}
			}
		}
		if len(st.pending) > 0 {
			id := st.pending[0]
			st.pending = st.pending[1:]
			st.lock.Unlock()
			return id, CKR_OK
		}
		ctx := st.ctx
		st.lock.Unlock()
		if dontBlock {
			return 0, CKR_NO_EVENT
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, CKR_CRYPTOKI_NOT_INITIALIZED
		}
	}
}
