package pinentry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// readTerminal prompts on out and reads one line from the terminal in with
// echo off. The terminal's state is restored on every path out, including
// ctx cancellation, which interrupts a blocked read.
func readTerminal(ctx context.Context, in *os.File, out io.Writer, prompt string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fd, err := fileFD(in)
	if err != nil || !term.IsTerminal(fd) {
		return nil, fmt.Errorf("prompting for PIN on %s: %w", in.Name(), ErrNoTerminal)
	}
	// A terminal that is not in the runtime poller (os.Stdin, for one)
	// cannot be interrupted; reopen it by name so that it is.
	if in.SetReadDeadline(time.Time{}) != nil {
		if re, err := reopenTerminal(fd); err == nil {
			defer re.Close()
			in = re
		}
	}

	old, err := term.GetState(fd)
	if err != nil {
		return nil, fmt.Errorf("saving terminal state: %w", err)
	}
	defer term.Restore(fd, old) //nolint:errcheck // best effort on every path
	if err := disableEcho(fd); err != nil {
		return nil, fmt.Errorf("turning terminal echo off: %w", err)
	}

	if _, err := io.WriteString(out, prompt); err != nil {
		return nil, fmt.Errorf("writing PIN prompt: %w", err)
	}
	line, err := readLine(ctx, in)
	// Echo is off, so the user's Enter did not move the cursor.
	_, _ = io.WriteString(out, "\n")
	if errors.Is(err, ErrTooLong) {
		// Drop the rest of the typed line so it is not taken as the
		// next entry.
		_ = flushInput(fd)
	}
	return line, err
}
