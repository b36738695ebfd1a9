package pinentry

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// ttyPath is the controlling terminal of the process, used for prompts
// even when standard input and output are redirected (as gpg and ssh do).
const ttyPath = "/dev/tty"

// sourceKind says where a Source reads from.
type sourceKind int

const (
	kindTTY          sourceKind = iota // open ttyPath for every read
	kindTerminalFile                   // a terminal the caller opened
	kindScriptFile                     // standard input or --pin-fd: one line per read, no prompt
	kindReader                         // any io.Reader: one line per read, no prompt
)

// Source is where the CLI obtains PINs. It is created by [Terminal],
// [TerminalFile], [Stdin], [FD] or [Reader], and its [Source.Read] method
// is adapted by the CLI to the card layer's PIN callback.
//
// A Source is not safe for concurrent use: PIN entry is one conversation.
type Source struct {
	kind      sourceKind
	in        *os.File
	r         io.Reader
	promptOut io.Writer
	prompt    PromptFunc
}

// Terminal returns a Source that prompts on the controlling terminal
// (/dev/tty) with echo turned off, whatever standard input and output
// are. The prompt is written to the terminal, never to standard output.
func Terminal() *Source {
	return &Source{kind: kindTTY, prompt: DefaultPrompt}
}

// TerminalFile returns a Source that prompts with echo turned off on the
// terminal in, writing prompts to out. out should be the terminal itself
// or standard error; never pass standard output, which may be a file the
// command's results go to. A read fails with ErrNoTerminal when in is not
// a terminal.
func TerminalFile(in *os.File, out io.Writer) *Source {
	return &Source{kind: kindTerminalFile, in: in, promptOut: out, prompt: DefaultPrompt}
}

// Stdin returns a Source that reads one line of standard input per PIN,
// for scripts (`--pin-stdin`). It writes no prompt. A read fails with
// ErrTerminalInput when standard input is a terminal, where the PIN would
// be echoed: use [Terminal] there.
func Stdin() *Source {
	return File(os.Stdin)
}

// File returns a Source that reads one line of f per PIN, writing no
// prompt; reads fail with ErrTerminalInput when f is a terminal.
func File(f *os.File) *Source {
	return &Source{kind: kindScriptFile, in: f, prompt: DefaultPrompt}
}

// FD returns a Source that reads one line per PIN from the open file
// descriptor n (`--pin-fd N`, as gpg's --passphrase-fd), writing no
// prompt. The descriptor must be open; it is not closed until
// [Source.Close]. Reads fail with ErrTerminalInput when it is a terminal.
func FD(n int) (*Source, error) {
	if n < 0 {
		return nil, fmt.Errorf("opening PIN descriptor %d: %w", n, ErrBadFD)
	}
	f := os.NewFile(uintptr(n), fmt.Sprintf("pin-fd %d", n))
	if f == nil {
		return nil, fmt.Errorf("opening PIN descriptor %d: %w", n, ErrBadFD)
	}
	if _, err := f.Stat(); err != nil {
		return nil, fmt.Errorf("opening PIN descriptor %d: %w: %w", n, ErrBadFD, err)
	}
	return File(f), nil
}

// Reader returns a Source that reads one line of r per PIN, writing no
// prompt and making no terminal check. It is meant for tests and for
// callers that already hold the secret in a reader they control.
func Reader(r io.Reader) *Source {
	return &Source{kind: kindReader, r: r, prompt: DefaultPrompt}
}

// WithPrompt returns a copy of s that phrases its prompts with f (for
// example from the CLI's Japanese catalog). Script sources print no
// prompt either way.
func (s *Source) WithPrompt(f PromptFunc) *Source {
	c := *s
	if f == nil {
		f = DefaultPrompt
	}
	c.prompt = f
	return &c
}

// Interactive reports whether s prompts a person on a terminal.
func (s *Source) Interactive() bool {
	return s.kind == kindTTY || s.kind == kindTerminalFile
}

// Close releases a descriptor opened by [FD] or [File]. It is a no-op for
// the other sources.
func (s *Source) Close() error {
	if s.kind == kindScriptFile && s.in != nil && s.in != os.Stdin {
		return s.in.Close()
	}
	return nil
}

// Read obtains one PIN. label names it in the prompt ("signing password");
// remaining is the number of tries the card reports left, or
// UnknownRemaining. The prompt says how many tries remain and warns when
// only one does; refusing the last try is the card layer's job.
//
// The returned slice holds the PIN without its line ending and belongs to
// the caller, who must [Wipe] it. Errors never contain the PIN.
func (s *Source) Read(ctx context.Context, label string, remaining int) ([]byte, error) {
	return s.read(ctx, Prompt{Step: StepCurrent, Label: label, Remaining: remaining})
}

// ReadNew obtains a new PIN for a change: it reads it twice (new, then
// confirm; script sources read two lines) and fails with ErrMismatch when
// the entries differ. Every intermediate copy is wiped; the returned slice
// belongs to the caller, who must [Wipe] it.
func (s *Source) ReadNew(ctx context.Context, label string) ([]byte, error) {
	first, err := s.read(ctx, Prompt{Step: StepNew, Label: label, Remaining: UnknownRemaining})
	if err != nil {
		return nil, err
	}
	second, err := s.read(ctx, Prompt{Step: StepConfirm, Label: label, Remaining: UnknownRemaining})
	if err != nil {
		Wipe(first)
		return nil, err
	}
	defer Wipe(second)
	if subtle.ConstantTimeCompare(first, second) != 1 {
		Wipe(first)
		return nil, ErrMismatch
	}
	return first, nil
}

func (s *Source) read(ctx context.Context, p Prompt) ([]byte, error) {
	switch s.kind {
	case kindTTY:
		tty, err := os.OpenFile(ttyPath, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("opening terminal: %w: %w", ErrNoTerminal, err)
		}
		defer tty.Close()
		return readTerminal(ctx, tty, tty, s.prompt(p))
	case kindTerminalFile:
		return readTerminal(ctx, s.in, s.promptOut, s.prompt(p))
	case kindScriptFile:
		if isTerminal(s.in) {
			return nil, fmt.Errorf("reading PIN from %s: %w", s.in.Name(), ErrTerminalInput)
		}
		return readLine(ctx, s.in)
	default:
		return readLine(ctx, s.r)
	}
}

// fileFD returns f's descriptor without switching it to blocking mode
// (as (*os.File).Fd does), so read deadlines keep working.
func fileFD(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	if err := rc.Control(func(u uintptr) { fd = int(u) }); err != nil {
		return -1, err
	}
	return fd, nil
}

func isTerminal(f *os.File) bool {
	fd, err := fileFD(f)
	return err == nil && term.IsTerminal(fd)
}
