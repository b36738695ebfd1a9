package agent

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/reader"
)

// DetectTimeout bounds the card detection Watch runs on every insertion
// (SELECT of the JPKI application and a 32-byte READ BINARY: a few APDUs).
const DetectTimeout = 5 * time.Second

// Card types as events and the API name them (CardType), from card.Detect.
const (
	CardTypeMyNumber    = "my_number_card"
	CardTypePhone       = "phone_token"
	CardTypeOldResident = "old_resident_card"
	// CardTypeOther is any other card: no JPKI application, or a label
	// card.Detect does not know.
	CardTypeOther = "other"
	// CardTypeUnreadable is a card whose detection failed for another
	// reason (removed at once, timeout, reader error); Event.Error says
	// which.
	CardTypeUnreadable = "unreadable"
)

// Event is one change in the readers or the cards, as `mynacard watch`
// prints it (one JSON object a line) and GET /v1/events streams it.
type Event struct {
	// Kind is "reader-added", "reader-removed", "card-inserted" or
	// "card-removed" (reader.EventKind).
	Kind reader.EventKind `json:"kind"`
	// Reader is the reader's name.
	Reader string `json:"reader"`
	// ATR is the card's answer to reset in hex, for card-inserted only.
	// Contactless readers invent one: it is informative, never used to
	// tell what the card is.
	ATR string `json:"atr,omitempty"`
	// CardType says what card was inserted (CardTypeXxx), for
	// card-inserted when detection is on.
	CardType string `json:"card_type,omitempty"`
	// Label is the JPKI token label the type comes from.
	Label string `json:"label,omitempty"`
	// Usable is true for a card the confirmations can use (an Individual
	// Number Card or a phone token).
	Usable bool `json:"usable,omitempty"`
	// Error is the error code (as in the API's errors) of a failed
	// detection.
	Error string `json:"error,omitempty"`
	// Time is when the agent saw the change.
	Time time.Time `json:"time"`
}

// WatchOptions tune Watch.
type WatchOptions struct {
	// NoDetect skips the card detection on insertion: CardType stays
	// empty and no APDU is sent.
	NoDetect bool
	// CardOptions are used for detection (tracing, for example).
	CardOptions card.Options
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Readers, if not nil, says which readers to report: events of the
	// others are dropped before any APDU is sent to their cards. A kiosk
	// uses it to own one reader; tests use it to stay off the slots of
	// other tests.
	Readers func(name string) bool
}

// Watch reports reader and card events from b to fn until ctx ends (it then
// returns an error wrapping ctx.Err()) or fn returns an error. It starts with
// the current state. On every insertion it connects to the card and runs
// card.Detect (bounded by DetectTimeout) before reporting it, so CardType
// says what the card is; the connection is closed again at once.
func Watch(ctx context.Context, b Backend, opts WatchOptions, fn func(Event) error) error {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return b.Watch(ctx, func(re reader.Event) error {
		if opts.Readers != nil && !opts.Readers(re.Reader) {
			return nil
		}
		e := Event{Kind: re.Kind, Reader: re.Reader, Time: now().UTC()}
		if re.Kind == reader.CardInserted {
			if len(re.ATR) > 0 {
				e.ATR = hex.EncodeToString(re.ATR)
			}
			if !opts.NoDetect {
				detect(ctx, b, opts.CardOptions, &e)
			}
		}
		return fn(e)
	})
}

// errStopped ends a Watch from inside Events' iterator.
var errStopped = errors.New("agent: iteration stopped")

// Events is Watch as an iterator: it yields events until ctx ends or the
// loop breaks. A failure other than ctx ending is yielded once as the
// error of a zero Event, and the iteration stops.
func Events(ctx context.Context, b Backend, opts WatchOptions) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		err := Watch(ctx, b, opts, func(e Event) error {
			if !yield(e, nil) {
				return errStopped
			}
			return nil
		})
		if err == nil || errors.Is(err, errStopped) || ctx.Err() != nil {
			return
		}
		yield(Event{}, err)
	}
}

// detect fills e's CardType, Label and Usable, or its Error.
func detect(ctx context.Context, b Backend, opts card.Options, e *Event) {
	ctx, cancel := context.WithTimeout(ctx, DetectTimeout)
	defer cancel()
	c, err := b.Connect(ctx, e.Reader)
	if err != nil {
		e.CardType, e.Error = CardTypeUnreadable, errorCode(err)
		return
	}
	defer c.Close()
	t, label, err := card.Detect(ctx, c)
	e.Label = label
	switch {
	case err == nil || errors.Is(err, card.ErrNotMyNumberCard):
		e.CardType = cardTypeName(t)
		e.Usable = err == nil
	default:
		e.CardType, e.Error = CardTypeUnreadable, errorCode(err)
	}
}

func cardTypeName(t card.CardType) string {
	switch t {
	case card.MyNumberCard:
		return CardTypeMyNumber
	case card.PhoneToken:
		return CardTypePhone
	case card.OldResidentCard:
		return CardTypeOldResident
	}
	return CardTypeOther
}

// String formats e for a log line.
func (e Event) String() string {
	if e.CardType != "" {
		return fmt.Sprintf("%s %q %s", e.Kind, e.Reader, e.CardType)
	}
	return fmt.Sprintf("%s %q", e.Kind, e.Reader)
}
