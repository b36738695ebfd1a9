//go:build linux

package pinentry

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// helperEnv makes the test binary act as a tiny CLI that reads a PIN
// through Terminal() and writes what it got to the file named by the
// variable, so the parent can check it without the PIN crossing the
// terminal.
const helperEnv = "PINENTRY_TEST_HELPER_OUT"

// helperSourceEnv picks the child's source: "stdin" for Stdin(), else
// Terminal().
const helperSourceEnv = "PINENTRY_TEST_HELPER_SOURCE"

func TestMain(m *testing.M) {
	if out := os.Getenv(helperEnv); out != "" {
		src := Terminal()
		if os.Getenv(helperSourceEnv) == "stdin" {
			src = Stdin()
		}
		pin, err := src.Read(context.Background(), "PIN", 3)
		result := []byte("ERR " + fmt.Sprint(err))
		if err == nil {
			result = append([]byte("PIN "), pin...)
		}
		_ = os.WriteFile(out, result, 0o600)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestControllingTerminal runs a child whose controlling terminal is a
// pty, with standard input and output redirected away from it, and checks
// that Terminal() prompts on /dev/tty without echoing the PIN.
func TestControllingTerminal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+out, "GORACE=atexit_sleep_ms=0")
	// Standard input must be the pty for it to become the controlling
	// terminal; standard output and error go elsewhere, so the prompt can
	// only reach the terminal through /dev/tty.
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	master, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("cannot start a child on a pty: %v", err)
	}
	master = pollable(t, master)
	defer master.Close()
	got := readUntil(t, master, "(3 tries left): ", 10*time.Second)
	if !bytes.Contains(got, []byte("Enter the PIN (3 tries left): ")) {
		_ = cmd.Process.Kill()
		t.Fatalf("no prompt on the terminal: %q", got)
	}
	if _, err := master.Write([]byte(secret + "\n")); err != nil {
		t.Fatal(err)
	}
	got = append(got, readUntil(t, master, "\n", 2*time.Second)...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if bytes.Contains(got, []byte(secret[:4])) {
		t.Fatalf("terminal shows the PIN: %q", got)
	}
	if bytes.Contains(stdout.Bytes(), []byte("Enter")) || bytes.Contains(stdout.Bytes(), []byte(secret[:4])) {
		t.Fatalf("prompt or PIN on standard output: %q", stdout.Bytes())
	}
	res, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(res) != "PIN "+secret {
		t.Fatalf("child read %q", res)
	}
}

// TestNoControllingTerminal runs the child in a new session without a
// terminal: Terminal() must fail with ErrNoTerminal, not fall back to
// standard input.
func TestNoControllingTerminal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+out, "GORACE=atexit_sleep_ms=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdin = bytes.NewReader([]byte(secret + "\n"))
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
	res, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(res, []byte("ERR ")) || !bytes.Contains(res, []byte(ErrNoTerminal.Error())) {
		t.Fatalf("child got %q, want ErrNoTerminal", res)
	}
	if bytes.Contains(res, []byte(secret[:4])) {
		t.Fatal("PIN read from standard input")
	}
}

// TestStdinSource runs a child that reads its PIN from standard input, as
// `--pin-stdin` does, and checks that nothing is written to its output.
func TestStdinSource(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+out, helperSourceEnv+"=stdin", "GORACE=atexit_sleep_ms=0")
	cmd.Stdin = bytes.NewReader([]byte(secret + "\r\nREST\n"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v", err)
	}
	res, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(res) != "PIN "+secret {
		t.Fatalf("child read %q", res)
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Fatalf("child wrote stdout %q stderr %q", stdout.Bytes(), stderr.Bytes())
	}
}

// TestStdinTerminalRefused gives the child a terminal as standard input:
// Stdin() must refuse it rather than read a PIN with echo on.
func TestStdinTerminalRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "result")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+out, helperSourceEnv+"=stdin", "GORACE=atexit_sleep_ms=0")
	master, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("cannot start a child on a pty: %v", err)
	}
	defer master.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	res, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(res, []byte(ErrTerminalInput.Error())) {
		t.Fatalf("child got %q, want ErrTerminalInput", res)
	}
}
