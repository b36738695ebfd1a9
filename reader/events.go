package reader

import (
	"bytes"
	"fmt"
)

// EventKind says what changed in the set of readers or in one reader.
type EventKind int

// Kinds of Event. The zero value is not a valid kind.
const (
	// ReaderAdded reports a reader that appeared (or was present when
	// watching started).
	ReaderAdded EventKind = iota + 1
	// ReaderRemoved reports a reader that vanished; a card it held is gone
	// with it (no separate CardRemoved is reported).
	ReaderRemoved
	// CardInserted reports a card that appeared in a reader (or was
	// present when watching started). Event.ATR holds its answer to reset.
	CardInserted
	// CardRemoved reports a card that left a reader.
	CardRemoved
)

// String returns the kind's name in lower case, for logs and JSON.
func (k EventKind) String() string {
	switch k {
	case ReaderAdded:
		return "reader-added"
	case ReaderRemoved:
		return "reader-removed"
	case CardInserted:
		return "card-inserted"
	case CardRemoved:
		return "card-removed"
	default:
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
}

// MarshalText encodes the kind as its String form, so events serialise to
// JSON readably.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes the String form of a kind, so that programs reading
// events as JSON (such as `mynacard watch` or the agent's event stream) get
// the kind back.
func (k *EventKind) UnmarshalText(b []byte) error {
	for _, c := range []EventKind{ReaderAdded, ReaderRemoved, CardInserted, CardRemoved} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown event kind %q", b)
}

// Event is one change seen by a reader watcher (such as
// pcsc.Context.Watch). It carries no cgo types so that the CLI and the
// agent can consume events without a PC/SC binding.
type Event struct {
	Kind   EventKind `json:"kind"`
	Reader string    `json:"reader"`
	// ATR is the card's answer to reset for CardInserted, nil otherwise.
	// Contactless readers invent one: never identify a card by it.
	ATR []byte `json:"atr,omitempty"`
}

// String formats e for a log line.
func (e Event) String() string {
	if len(e.ATR) > 0 {
		return fmt.Sprintf("%s %q atr=%X", e.Kind, e.Reader, e.ATR)
	}
	return fmt.Sprintf("%s %q", e.Kind, e.Reader)
}

// Equal reports whether e and o describe the same change.
func (e Event) Equal(o Event) bool {
	return e.Kind == o.Kind && e.Reader == o.Reader && bytes.Equal(e.ATR, o.ATR)
}
