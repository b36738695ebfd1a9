package pcsctest

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

func TestListeningIn(t *testing.T) {
	const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1161 1
   1: 00000000:8C7C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19338 1
   2: 0100007F:8C7B 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 19339 1
`
	path := filepath.Join(t.TempDir(), "tcp")
	if err := os.WriteFile(path, []byte(procNetTCP), 0o644); err != nil {
		t.Fatal(err)
	}
	for port, want := range map[string]bool{"8C7C": true, "8C7B": false, "7E8": true, "1234": false} {
		if got := listeningIn(path, port); got != want {
			t.Errorf("listeningIn(%s) = %v, want %v (only state 0A listens)", port, got, want)
		}
	}
}

func TestTwoSlotsAtOnce(t *testing.T) {
	a := Slot(t)
	b := Slot(t)
	if a.Index == b.Index || a.Reader == b.Reader {
		t.Fatalf("two tests got the same slot: %+v %+v", a, b)
	}
	if !vpcdListening(a.Index) || !vpcdListening(b.Index) {
		t.Fatal("vpcd ports not listening while slots are held")
	}
}

func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	f, err := lockFile(path, syscall.LOCK_EX, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g, err := lockFile(path, syscall.LOCK_SH, 0); err == nil {
		g.Close()
		t.Fatal("a shared lock was granted over an exclusive one")
	}
	f.Close()
	g, err := lockFile(path, syscall.LOCK_SH, 0)
	if err != nil {
		t.Fatalf("lock not released by Close: %v", err)
	}
	g.Close()
}
