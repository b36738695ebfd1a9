package reader

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Info describes one reader as discovery reports it.
type Info struct {
	// Name is the reader's name as the platform reports it.
	Name string `json:"name"`
	// CardPresent is true when a card is in the reader.
	CardPresent bool `json:"card_present"`
	// ATR is the answer to reset of the card in the reader, if any.
	ATR []byte `json:"atr,omitempty"`
	// InUse is true when another application holds the card exclusively.
	InUse bool `json:"in_use,omitempty"`
}

// ErrReaderNotFound reports a reader selector that matches no reader. It
// wraps ErrReaderUnavailable, so callers that only care that the reader
// cannot be used need not distinguish it.
var ErrReaderNotFound = fmt.Errorf("%w: no reader matches", ErrReaderUnavailable)

// ErrAmbiguousReader reports a reader selector that matches more than one
// reader by substring.
var ErrAmbiguousReader = errors.New("reader selector is ambiguous")

// Choose picks one of names by selector, in this order:
//
//   - an empty selector picks the only reader, and is ambiguous when there
//     are several;
//   - a name equal to the selector;
//   - a decimal index into names ("0" is the first reader);
//   - the one name that contains the selector, case-insensitively.
//
// It fails with ErrNoReaders when names is empty, ErrReaderNotFound when
// nothing matches and ErrAmbiguousReader when several names do.
func Choose(names []string, selector string) (string, error) {
	if len(names) == 0 {
		return "", ErrNoReaders
	}
	if selector == "" {
		if len(names) == 1 {
			return names[0], nil
		}
		return "", fmt.Errorf("choosing a reader among %d (%s): %w", len(names), strings.Join(names, ", "), ErrAmbiguousReader)
	}
	for _, n := range names {
		if n == selector {
			return n, nil
		}
	}
	if i, err := strconv.Atoi(selector); err == nil {
		if i < 0 || i >= len(names) {
			return "", fmt.Errorf("choosing reader %d of %d: %w", i, len(names), ErrReaderNotFound)
		}
		return names[i], nil
	}
	var match []string
	low := strings.ToLower(selector)
	for _, n := range names {
		if strings.Contains(strings.ToLower(n), low) {
			match = append(match, n)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("choosing reader %q: %w", selector, ErrReaderNotFound)
	case 1:
		return match[0], nil
	default:
		return "", fmt.Errorf("choosing reader %q among %s: %w", selector, strings.Join(match, ", "), ErrAmbiguousReader)
	}
}
