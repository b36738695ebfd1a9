package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestTerminalPrompt runs the CLI with a pty as its controlling terminal
// and standard output elsewhere: the PIN prompt, in Japanese and saying
// how many tries remain, appears on the terminal only; the typed PIN is
// not echoed and never reaches standard output or error.
func TestTerminalPrompt(t *testing.T) {
	bin, err := exec.LookPath("mynacard")
	if err != nil {
		t.Skip("mynacard not built for the scripts")
	}
	cmd := exec.Command(bin, "--lang", "ja", "--reader", "virtual", "text")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	master, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("cannot start the CLI on a pty: %v", err)
	}
	defer master.Close()
	var mu sync.Mutex
	var term bytes.Buffer
	drained := make(chan struct{}) // closed when the terminal has nothing more to read
	go func() {
		defer close(drained)
		buf := make([]byte, 1024)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			term.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	seen := func(s string) bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(term.String(), s)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !seen("残り3回") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			mu.Lock()
			t.Fatalf("no Japanese prompt with the tries left on the terminal: %q", term.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := master.Write([]byte("1234\n")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mynacard text: %v\nstderr: %s", err, stderr.String())
	}
	// The CLI has exited: reading the terminal ends once all it wrote is read.
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal still open 10 s after the CLI exited")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(term.String(), "1234") {
		t.Errorf("the terminal echoed the PIN: %q", term.String())
	}
	if !strings.Contains(stdout.String(), "山田　太郎") {
		t.Errorf("stdout lacks the result: %q", stdout.String())
	}
	for _, s := range []string{"1234", "残り3回"} {
		if strings.Contains(stdout.String(), s) || strings.Contains(stderr.String(), s) {
			t.Errorf("%q on stdout or stderr: stdout %q, stderr %q", s, stdout.String(), stderr.String())
		}
	}
}

// TestPINFD gives the PIN on file descriptor 3 (--pin-fd 3), as a
// script that keeps it out of argv, the environment and stdin would.
func TestPINFD(t *testing.T) {
	bin, err := exec.LookPath("mynacard")
	if err != nil {
		t.Skip("mynacard not built for the scripts")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("1234\n")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	cmd := exec.Command(bin, "--lang", "en", "--json", "--reader", "virtual", "--pin-fd", "3", "text")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	cmd.ExtraFiles = []*os.File{r}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("--pin-fd 3: %v\n%s", err, stderr.String())
	}
	r.Close()
	if !strings.Contains(stdout.String(), `"name": "山田　太郎"`) || strings.Contains(stdout.String()+stderr.String(), "1234") {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}
