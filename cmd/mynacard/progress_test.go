package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestChangesProgressBar runs `changes --all` with a terminal on stderr:
// a progress bar counts the enrolments there, the summary goes to stdout.
func TestChangesProgressBar(t *testing.T) {
	bin, err := exec.LookPath("mynacard")
	if err != nil {
		t.Skip("mynacard not built for the scripts")
	}
	seed, err := exec.LookPath("mynacard-seed")
	if err != nil {
		t.Skip("mynacard-seed not built")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if out, err := exec.Command(seed, db, "200").CombinedOutput(); err != nil {
		t.Fatalf("seeding: %v\n%s", err, out)
	}
	now := time.Now()
	root, key := jpkitest.Default().Root(card.SignKey, jpkitest.LatestGeneration)
	var crl bytes.Buffer
	if _, err := jpkitest.WriteCRL(&crl, root, key, jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	crlFile := filepath.Join(dir, "empty.crl")
	if err := os.WriteFile(crlFile, crl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--lang", "en", "--test-hierarchy", "--crl", crlFile, "--db", db, "changes", "--all")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	var stdout bytes.Buffer
	tty, err := ptyPair(t)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	cmd.Stdout, cmd.Stderr = &stdout, tty.slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.slave.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("changes --all: %v", err)
	}
	term := tty.output()
	if !strings.Contains(term, "/200") {
		t.Errorf("no progress bar counting to 200 on the terminal: %q", term)
	}
	if !strings.Contains(stdout.String(), "checked 200: 200 good") || strings.Contains(stdout.String(), "/200") {
		t.Errorf("stdout = %q, want the summary only", stdout.String())
	}
}

// ptyTerm is a pty whose master side is read into a buffer.
type ptyTerm struct {
	slave *os.File
	mu    sync.Mutex
	buf   bytes.Buffer
	done  chan struct{}
}

func ptyPair(t *testing.T) (*ptyTerm, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, err
	}
	p := &ptyTerm{slave: slave, done: make(chan struct{})}
	t.Cleanup(func() { master.Close() })
	go func() {
		defer close(p.done)
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			p.mu.Lock()
			p.buf.Write(b[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return p, nil
}

// output waits briefly for the master to drain and returns what it read.
func (p *ptyTerm) output() string {
	select {
	case <-p.done:
	case <-time.After(time.Second):
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}
