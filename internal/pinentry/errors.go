package pinentry

import "errors"

// Sentinel errors for conditions a caller branches on. None of them, nor
// any error wrapping them here, carries a byte of the secret.
var (
	// ErrTooLong means the line held more than MaxLen bytes.
	ErrTooLong = errors.New("pinentry: input longer than 64 bytes")
	// ErrNUL means the line held a NUL byte.
	ErrNUL = errors.New("pinentry: input contains a NUL byte")
	// ErrEmpty means the line was empty.
	ErrEmpty = errors.New("pinentry: empty input")
	// ErrNoInput means the input ended before any byte was read.
	ErrNoInput = errors.New("pinentry: no input (end of file)")
	// ErrMismatch means the new PIN and its confirmation differ.
	ErrMismatch = errors.New("pinentry: the two entries do not match")
	// ErrTerminalInput means a script source (standard input or a
	// numbered descriptor) is a terminal, where the PIN would be echoed.
	ErrTerminalInput = errors.New("pinentry: input is a terminal and would echo the PIN")
	// ErrNoTerminal means no terminal could be opened for a prompt.
	ErrNoTerminal = errors.New("pinentry: no terminal to prompt on")
	// ErrBadFD means the descriptor number given is unusable.
	ErrBadFD = errors.New("pinentry: bad file descriptor")
)
