package pinentry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// MaxLen is the longest secret accepted, in bytes after the line ending
// is removed. The card's longest PIN is 16 characters (docs/card.md "PIN and key EFs", EF
// 001B); 64 leaves room for a mistyped or pasted line to be refused by the
// card layer's format check with a clear message instead of here.
const MaxLen = 64

const (
	lineFeed       = '\n'
	carriageReturn = '\r'
	nulByte        = 0x00
)

// lineBufLen holds MaxLen bytes, a carriage return and the slot the line
// feed is read into (and zeroed at once).
const lineBufLen = MaxLen + 2

// deadliner is what an *os.File offers when its descriptor is in the
// runtime poller (pipes, terminals opened by name): a pending Read can be
// interrupted by a deadline in the past.
type deadliner interface {
	SetReadDeadline(t time.Time) error
}

// readLine reads one line from r a byte at a time, so that nothing past
// the line is consumed (a second line for a confirmation stays where it
// is) and this package keeps no copy of the secret outside this
// function's own buffer (what the kernel or r buffers is out of reach). It
// returns a fresh slice holding the line without its ending; every byte
// of its own buffer is wiped before it returns.
//
// ctx is checked before every byte; when r supports read deadlines, ctx
// cancellation also interrupts a Read that is blocked.
func readLine(ctx context.Context, r io.Reader) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d, ok := r.(deadliner); ok {
		if err := d.SetReadDeadline(time.Time{}); err == nil {
			// A deadline already passed interrupts the pending Read.
			stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Unix(1, 0)) })
			defer func() {
				stop()
				_ = d.SetReadDeadline(time.Time{})
			}()
		}
	}

	buf := new([lineBufLen]byte)
	defer Wipe(buf[:])
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n == len(buf) {
			return nil, ErrTooLong
		}
		m, err := r.Read(buf[n : n+1])
		if m == 1 {
			if buf[n] == lineFeed {
				buf[n] = 0
				break
			}
			n++
			continue
		}
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return nil, ErrNoInput
			}
			break
		}
		if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("reading PIN: %w", err)
		}
	}
	if n > 0 && buf[n-1] == carriageReturn {
		n--
	}
	return finishLine(buf[:n])
}

// finishLine checks a line and copies it into a slice the caller owns.
func finishLine(line []byte) ([]byte, error) {
	switch {
	case len(line) == 0:
		return nil, ErrEmpty
	case len(line) > MaxLen:
		return nil, ErrTooLong
	}
	for _, c := range line {
		if c == nulByte {
			return nil, ErrNUL
		}
	}
	out := make([]byte, len(line))
	copy(out, line)
	return out, nil
}
