package pcsc

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

// scriptedSource plays pcscd for the watcher: each step sets the readers
// and their states; GetStatusChange reports what differs from the
// caller's current state, or times out.
type scriptedSource struct {
	readers []string
	states  map[string]scard.StateFlag
	atrs    map[string][]byte
	pnp     bool // whether \\?PnP?\Notification is understood
	calls   int
}

func (s *scriptedSource) ListReaders() ([]string, error) {
	if len(s.readers) == 0 {
		return nil, scard.ErrNoReadersAvailable
	}
	return slices.Clone(s.readers), nil
}

func (s *scriptedSource) GetStatusChange(rs []scard.ReaderState, _ time.Duration) error {
	s.calls++
	changed := false
	for i := range rs {
		if rs[i].Reader == pnpNotification {
			if !s.pnp {
				return scard.ErrUnknownReader
			}
			continue
		}
		st, ok := s.states[rs[i].Reader]
		if !ok {
			st = scard.StateUnknown
		}
		rs[i].EventState = st
		rs[i].Atr = s.atrs[rs[i].Reader]
		if rs[i].CurrentState != st {
			rs[i].EventState |= scard.StateChanged
			changed = true
		}
	}
	if !changed {
		return scard.ErrTimeout
	}
	return nil
}

func TestWatcherSteps(t *testing.T) {
	for _, pnp := range []bool{true, false} {
		t.Run(map[bool]string{true: "pnp", false: "no pnp"}[pnp], func(t *testing.T) {
			atr := []byte{0x3B, 0x80, 0x80, 0x01, 0x01}
			src := &scriptedSource{pnp: pnp, states: map[string]scard.StateFlag{}, atrs: map[string][]byte{}}
			var got []reader.Event
			w := &watcher{sc: src, fn: func(e reader.Event) error { got = append(got, e); return nil }, known: map[string]scard.ReaderState{}, pnp: true}
			step := func(want ...reader.Event) {
				t.Helper()
				got = nil
				if err := w.step(); err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("events %v, want %v", got, want)
				}
				for i := range want {
					if !got[i].Equal(want[i]) {
						t.Fatalf("events %v, want %v", got, want)
					}
				}
			}
			step() // no readers
			src.readers = []string{"A", "B"}
			src.states["A"] = scard.StateEmpty
			src.states["B"] = scard.StatePresent
			src.atrs["B"] = atr
			step(reader.Event{Kind: reader.ReaderAdded, Reader: "A"}, reader.Event{Kind: reader.ReaderAdded, Reader: "B"},
				reader.Event{Kind: reader.CardInserted, Reader: "B", ATR: atr})
			if !pnp && w.pnp {
				step() // the watcher learns PnP is not understood
			}
			step() // nothing changed
			src.states["A"] = scard.StatePresent
			src.atrs["A"] = atr
			src.states["B"] = scard.StateEmpty
			src.atrs["B"] = nil
			step(reader.Event{Kind: reader.CardInserted, Reader: "A", ATR: atr}, reader.Event{Kind: reader.CardRemoved, Reader: "B"})
			src.states["A"] = scard.StatePresent | scard.StateMute // mute card: not usable
			step(reader.Event{Kind: reader.CardRemoved, Reader: "A"})
			src.readers = []string{"B"}
			delete(src.states, "A")
			step(reader.Event{Kind: reader.ReaderRemoved, Reader: "A"})
			if pnp != w.pnp {
				t.Fatalf("watcher pnp = %v, want %v", w.pnp, pnp)
			}
		})
	}
}

func TestWatcherStopsOnCallbackError(t *testing.T) {
	stop := errors.New("enough")
	src := &scriptedSource{pnp: true, readers: []string{"A"}, states: map[string]scard.StateFlag{"A": scard.StateEmpty}}
	w := &watcher{sc: src, fn: func(reader.Event) error { return stop }, known: map[string]scard.ReaderState{}, pnp: true}
	if err := w.step(); !errors.Is(err, stop) {
		t.Fatalf("step = %v, want the callback's error", err)
	}
}
