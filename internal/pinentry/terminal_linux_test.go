//go:build linux

package pinentry

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// openPTY returns a pseudo-terminal pair, skipping when none is available.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	master = pollable(t, master)
	t.Cleanup(func() {
		tty.Close()
		master.Close()
	})
	return master, tty
}

// pollable returns a non-blocking duplicate of f, closing f, so that read
// deadlines work on it (creack/pty leaves the master in blocking mode).
func pollable(t *testing.T, f *os.File) *os.File {
	t.Helper()
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fd), "ptmx")
}

// readUntil reads master until its output contains want or the deadline
// passes, returning everything read.
func readUntil(t *testing.T, master *os.File, want string, within time.Duration) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, 256)
	deadline := time.Now().Add(within)
	for !bytes.Contains(out, []byte(want)) {
		_ = master.SetReadDeadline(deadline)
		n, err := master.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	return out
}

func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	fd, err := fileFD(tty)
	if err != nil {
		t.Fatal(err)
	}
	tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

type result struct {
	pin []byte
	err error
}

// wait returns the result of a read, failing the test if it never comes.
func wait(t *testing.T, done <-chan result) result {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("terminal read did not return")
		return result{}
	}
}

func TestTerminalNoEcho(t *testing.T) {
	master, tty := openPTY(t)
	if !echoOn(t, tty) {
		t.Fatal("pty starts with echo off")
	}
	done := make(chan result, 1)
	go func() {
		pin, err := TerminalFile(tty, tty).Read(context.Background(), "signing password", 1)
		done <- result{pin, err}
	}()
	out := readUntil(t, master, "(1 try left): ", 5*time.Second)
	if !bytes.Contains(out, []byte("warning: this is the last try")) {
		t.Fatalf("no last-try warning in %q", out)
	}
	if _, err := master.Write([]byte(secret + "\n")); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("terminal read did not return")
	}
	if r.err != nil || string(r.pin) != secret {
		t.Fatalf("Read = %q, %v", r.pin, r.err)
	}
	Wipe(r.pin)
	out = append(out, readUntil(t, master, "\n", 200*time.Millisecond)...)
	if bytes.Contains(out, []byte(secret)) || bytes.Contains(out, []byte(secret[:4])) {
		t.Fatalf("terminal shows the PIN: %q", out)
	}
	if !echoOn(t, tty) {
		t.Fatal("echo not restored after the read")
	}
}

func TestTerminalReadNew(t *testing.T) {
	master, tty := openPTY(t)
	done := make(chan result, 1)
	go func() {
		pin, err := TerminalFile(tty, tty).ReadNew(context.Background(), "PIN")
		done <- result{pin, err}
	}()
	out := readUntil(t, master, "Enter the new PIN: ", 5*time.Second)
	_, _ = master.Write([]byte("4321\n"))
	out = append(out, readUntil(t, master, "again to confirm: ", 5*time.Second)...)
	_, _ = master.Write([]byte("4322\n"))
	r := wait(t, done)
	if !errors.Is(r.err, ErrMismatch) || r.pin != nil {
		t.Fatalf("ReadNew = %q, %v; want ErrMismatch", r.pin, r.err)
	}
	if bytes.Contains(out, []byte("432")) || strings.Contains(r.err.Error(), "432") {
		t.Fatalf("PIN leaked: out %q err %v", out, r.err)
	}
	if !echoOn(t, tty) {
		t.Fatal("echo not restored")
	}
}

func TestTerminalCancelRestores(t *testing.T) {
	master, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		pin, err := TerminalFile(tty, tty).Read(ctx, "PIN", 3)
		done <- result{pin, err}
	}()
	readUntil(t, master, "(3 tries left): ", 5*time.Second)
	if echoOn(t, tty) {
		t.Fatal("echo on while prompting")
	}
	cancel()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancellation did not interrupt the terminal read")
	}
	if !echoOn(t, tty) {
		t.Fatal("echo not restored after cancellation")
	}
}

func TestTerminalTooLongFlushes(t *testing.T) {
	master, tty := openPTY(t)
	s := TerminalFile(tty, tty)
	done := make(chan result, 1)
	go func() {
		pin, err := s.Read(context.Background(), "PIN", 3)
		done <- result{pin, err}
	}()
	readUntil(t, master, "tries left): ", 5*time.Second)
	_, _ = master.Write([]byte(strings.Repeat("9", 100) + "\n"))
	r := wait(t, done)
	if !errors.Is(r.err, ErrTooLong) {
		t.Fatalf("err = %v", r.err)
	}
	// The rest of the long line must not become the next entry.
	go func() {
		pin, err := s.Read(context.Background(), "PIN", 3)
		done <- result{pin, err}
	}()
	readUntil(t, master, "tries left): ", 5*time.Second)
	_, _ = master.Write([]byte("1234\n"))
	r = wait(t, done)
	if r.err != nil || string(r.pin) != "1234" {
		t.Fatalf("second read = %q, %v", r.pin, r.err)
	}
}

func TestScriptSourceRefusesTerminal(t *testing.T) {
	_, tty := openPTY(t)
	_, err := File(tty).Read(context.Background(), "PIN", 3)
	if !errors.Is(err, ErrTerminalInput) {
		t.Fatalf("err = %v, want ErrTerminalInput", err)
	}
}

func TestTerminalFileNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	_, err = TerminalFile(r, w).Read(context.Background(), "PIN", 3)
	if !errors.Is(err, ErrNoTerminal) {
		t.Fatalf("err = %v, want ErrNoTerminal", err)
	}
}

// TestTerminalUnpollableCancel covers a terminal file outside the runtime
// poller (as os.Stdin is): it is reopened by name so that cancellation
// still interrupts the read.
func TestTerminalUnpollableCancel(t *testing.T) {
	master, tty := openPTY(t)
	fd, err := unix.Open(tty.Name(), unix.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	blocking := os.NewFile(uintptr(fd), tty.Name())
	defer blocking.Close()
	if blocking.SetReadDeadline(time.Time{}) == nil {
		t.Skip("file unexpectedly supports deadlines")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan result, 1)
	go func() {
		pin, err := TerminalFile(blocking, blocking).Read(ctx, "PIN", 3)
		done <- result{pin, err}
	}()
	readUntil(t, master, "tries left): ", 5*time.Second)
	cancel()
	select {
	case r := <-done:
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("err = %v", r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancellation did not interrupt the read")
	}
	if !echoOn(t, tty) {
		t.Fatal("echo not restored")
	}
}
