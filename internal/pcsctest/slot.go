package pcsctest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
)

// SlotHandle is one vpcd reader slot held by one test.
type SlotHandle struct {
	// Index is the vpcd slot, 0 or 1.
	Index int
	// Addr is the loopback address the card side dials.
	Addr string
	// Reader is the PC/SC reader name, such as "Virtual PCD 00 00".
	Reader string
}

// Slot gives t one of the two vpcd slots for its lifetime, taking a
// cross-process lock, and returns once pcscd shows the reader empty. At
// cleanup (after the card inserted with Insert has been removed) it waits
// until the reader shows empty again, then releases the slot. It waits up
// to a few minutes for a slot held by another test, then fails.
//
// A test that needs both slots must call SlotPair. Calling Slot twice
// holds one slot while waiting for the other: that cannot deadlock with a
// SlotPair (a process holding no slot lets a waiting SlotPair go first,
// one holding a slot takes the next free one at once), but two processes
// doing it at the same time deadlock until slotTimeout.
func Slot(t testing.TB) *SlotHandle {
	t.Helper()
	Ensure(t)
	deadline := time.Now().Add(slotTimeout)
	busy := map[int]error{}
	for {
		if h.held.Load() > 0 || !pairWaiting() {
			var s *SlotHandle
			if s, busy = takeFreeSlot(t); s != nil {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("pcsctest: no vpcd slot free after %v (lock files in %s; slots occupied from outside the harness: %v)", slotTimeout, h.dir, busy)
		}
		time.Sleep(lockPollPeriod * 4)
	}
}

// takeFreeSlot makes one pass over the slots and takes the first whose
// lock is free and whose reader is empty, registering its release at t's
// cleanup. A slot released by the harness is empty already; one that stays
// occupied holds a card from outside (such as a running `mynacard
// virtual-card`): it is left alone and reported in busy.
func takeFreeSlot(t testing.TB) (slot *SlotHandle, busy map[int]error) {
	busy = map[int]error{}
	for i := range vpcd.Slots {
		f, err := lockFile(filepath.Join(h.dir, fmt.Sprintf("slot%d.lock", i)), syscall.LOCK_EX, 0)
		if err != nil {
			continue
		}
		s := &SlotHandle{Index: i, Addr: vpcd.Addr(i), Reader: vpcd.ReaderName(i)}
		if err := s.waitEmptyWithin(outsideCardWait); err != nil {
			f.Close()
			busy[i] = err
			continue
		}
		held(t, s, f)
		return s, busy
	}
	return nil, busy
}

// held counts s as held by this process until t's cleanup, which waits
// until the reader is empty and then releases the slot's lock f.
func held(t testing.TB, s *SlotHandle, f *os.File) {
	h.held.Add(1)
	t.Cleanup(func() {
		defer h.held.Add(-1)
		defer f.Close()
		if err := s.waitEmptyWithin(readerTimeout); err != nil {
			t.Errorf("pcsctest: releasing slot %d: %v", s.Index, err)
		}
	})
}

// pairLock is held exclusively by a process waiting in SlotPair.
const pairLock = "pair.lock"

// pairWaiting reports whether some process waits in SlotPair.
func pairWaiting() bool {
	f, err := lockFile(filepath.Join(h.dir, pairLock), syscall.LOCK_SH, 0)
	if err != nil {
		return true
	}
	f.Close()
	return false
}

// takeBoth takes both slot locks, all or nothing, within timeout. While it
// waits it holds pairLock, so that processes holding no slot leave freed
// slots to it.
func takeBoth(timeout time.Duration) ([]*os.File, error) {
	deadline := time.Now().Add(timeout)
	pair, err := lockFile(filepath.Join(h.dir, pairLock), syscall.LOCK_EX, timeout)
	if err != nil {
		return nil, fmt.Errorf("waiting for another SlotPair: %w", err)
	}
	defer pair.Close()
	for {
		var locks []*os.File
		for i := range vpcd.Slots {
			f, err := lockFile(filepath.Join(h.dir, fmt.Sprintf("slot%d.lock", i)), syscall.LOCK_EX, 0)
			if err != nil {
				break
			}
			locks = append(locks, f)
		}
		if len(locks) == vpcd.Slots {
			return locks, nil
		}
		for _, f := range locks {
			f.Close()
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("both vpcd slots not free together after %v: %w", timeout, errLockTimeout)
		}
		time.Sleep(lockPollPeriod * 4)
	}
}

// SlotPair gives t both vpcd slots, each as Slot would. It takes them
// together (all or nothing), and processes holding no slot let it go first
// (see Slot), so it neither deadlocks nor starves. A test must not call it
// while it holds a slot already.
func SlotPair(t testing.TB) (*SlotHandle, *SlotHandle) {
	t.Helper()
	Ensure(t)
	locks, err := takeBoth(slotTimeout)
	if err != nil {
		t.Fatalf("pcsctest: %v (lock files in %s)", err, h.dir)
	}
	var out []*SlotHandle
	for i, f := range locks {
		s := &SlotHandle{Index: i, Addr: vpcd.Addr(i), Reader: vpcd.ReaderName(i)}
		held(t, s, f)
		if err := s.waitEmptyWithin(readerTimeout); err != nil {
			t.Fatalf("pcsctest: taking slot %d: %v", i, err)
		}
		out = append(out, s)
	}
	return out[0], out[1]
}

// outsideCardWait is how long Slot lets a locked slot become empty before
// taking it for occupied from outside: a card removed by the previous
// holder is gone already, so this only covers pcscd's presence poll.
const outsideCardWait = 2 * time.Second

func (s *SlotHandle) waitEmpty() error { return s.waitEmptyWithin(readerTimeout) }

func (s *SlotHandle) waitEmptyWithin(d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	c, err := pcsc.Establish(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	names, err := c.ListReaders(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(names, s.Reader) {
		return fmt.Errorf("pcscd has no reader %q (readers: %q)", s.Reader, names)
	}
	return c.WaitForRemoval(ctx, s.Reader)
}

// Card is what Insert accepts: the shape of reader.RawCard and vpcd.Card
// (ATR and Transmit; a nil Transmit answer removes the card). A card that
// also has Reset() is reset when pcscd powers or resets it.
type Card = vpcd.Card

// Inserted is a card inserted in a slot.
type Inserted struct {
	// Conn is the connection to vpcd; Conn.Remove() removes the card
	// without waiting.
	Conn *vpcd.Conn
	slot *SlotHandle
	errc <-chan error
}

// Insert attaches card to slot through vpcd and waits until pcscd shows it
// present. The card is removed at cleanup (before the slot is released).
func Insert(t testing.TB, slot *SlotHandle, card Card, opts ...vpcd.Option) *Inserted {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	conn, errc, err := vpcd.Attach(ctx, slot.Addr, card, opts...)
	if err != nil {
		cancel()
		t.Fatalf("pcsctest: inserting a card in slot %d: %v", slot.Index, err)
	}
	in := &Inserted{Conn: conn, slot: slot, errc: errc}
	t.Cleanup(func() {
		cancel()
		in.Remove(t)
	})
	wctx, wcancel := context.WithTimeout(context.Background(), readerTimeout)
	defer wcancel()
	c, err := pcsc.Establish(wctx)
	if err != nil {
		t.Fatalf("pcsctest: %v", err)
	}
	defer c.Release()
	if _, err := c.WaitForCard(wctx, slot.Reader); err != nil {
		t.Fatalf("pcsctest: inserting a card in slot %d: %v", slot.Index, err)
	}
	return in
}

// Remove takes the card out (closes the vpcd connection) and waits until
// pcscd shows the reader empty. Calling it again does nothing more.
func (in *Inserted) Remove(t testing.TB) {
	t.Helper()
	_ = in.Conn.Remove()
	select {
	case err := <-in.errc:
		if err != nil && !errors.Is(err, vpcd.ErrCardLeft) {
			t.Logf("pcsctest: card in slot %d stopped: %v", in.slot.Index, err)
		}
	case <-time.After(readerTimeout):
		t.Errorf("pcsctest: card in slot %d did not stop within %v", in.slot.Index, readerTimeout)
	}
	if err := in.slot.waitEmpty(); err != nil {
		t.Errorf("pcsctest: removing the card from slot %d: %v", in.slot.Index, err)
	}
}

// Context returns a PC/SC context released at t's cleanup.
func Context(t testing.TB, opts ...pcsc.Option) *pcsc.Context {
	t.Helper()
	Ensure(t)
	ctx, cancel := context.WithTimeout(context.Background(), readerTimeout)
	defer cancel()
	c, err := pcsc.Establish(ctx, opts...)
	if err != nil {
		t.Fatalf("pcsctest: %v", err)
	}
	t.Cleanup(func() { _ = c.Release() })
	return c
}
