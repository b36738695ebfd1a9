package pcsctest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
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
	a, b := SlotPair(t)
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

type fakeCard struct{}

func (fakeCard) ATR() []byte              { return []byte{0x3B, 0x80, 0x80, 0x01, 0x01} }
func (fakeCard) Transmit(_ []byte) []byte { return []byte{0x6D, 0x00} }

// TestSkipsSlotOccupiedFromOutside: a card inserted without the harness
// (a running `mynacard virtual-card`) makes Slot leave that slot alone.
func TestSkipsSlotOccupiedFromOutside(t *testing.T) {
	Ensure(t)
	// Hold both slots as other tests would, put an outside card in slot 1,
	// and give up slot 1's lock.
	locks := lockBoth(t)
	defer func() { locks[0].Close() }()
	ctx, cancel := context.WithCancel(context.Background())
	conn, errc, err := vpcd.Attach(ctx, vpcd.Addr(1), fakeCard{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Take slot 1's lock back before removing the outside card, so that
		// no test sees the slot half-way.
		if f, err := lockFile(filepath.Join(h.dir, "slot1.lock"), syscall.LOCK_EX, slotTimeout); err == nil {
			defer f.Close()
		}
		cancel()
		conn.Remove()
		<-errc
		s := &SlotHandle{Index: 1, Addr: vpcd.Addr(1), Reader: vpcd.ReaderName(1)}
		if err := s.waitEmpty(); err != nil {
			t.Error(err)
		}
	}()
	c, err := pcsc.Establish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	wctx, wcancel := context.WithTimeout(ctx, readerTimeout)
	defer wcancel()
	if _, err := c.WaitForCard(wctx, vpcd.ReaderName(1)); err != nil {
		t.Fatal(err)
	}
	locks[1].Close()

	t.Run("pass", func(t *testing.T) {
		s, busy := takeFreeSlot(t)
		if s != nil {
			t.Fatalf("took slot %d: slot 0 is locked and slot 1 holds an outside card", s.Index)
		}
		if busy[1] == nil {
			t.Fatalf("slot 1 not reported occupied from outside: %v", busy)
		}
	})
	locks[0].Close()
	t.Run("after slot 0 is free", func(t *testing.T) {
		// Another process may take slot 0 first; slot 1 is never taken.
		if s, _ := takeFreeSlot(t); s != nil && s.Index != 0 {
			t.Fatalf("took slot %d, which holds an outside card", s.Index)
		}
	})
}

// lockBoth takes both slot locks as SlotPair does and waits until both
// readers are empty.
func lockBoth(t *testing.T) []*os.File {
	t.Helper()
	locks, err := takeBoth(slotTimeout)
	if err != nil {
		t.Fatal(err)
	}
	for i := range locks {
		s := &SlotHandle{Index: i, Addr: vpcd.Addr(i), Reader: vpcd.ReaderName(i)}
		if err := s.waitEmpty(); err != nil {
			t.Fatal(err)
		}
	}
	return locks
}
