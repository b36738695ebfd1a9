package pcsc_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/apdu"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/reader/pcsc"
	"github.com/mynacard/mynacard/reader/vpcd"
)

func TestMain(m *testing.M) { pcsctest.Main(m) }

// bound is the longest any single step of these tests may take. A hang
// shows up as a failure after it, never as a stuck test binary.
const bound = 10 * time.Second

// promptly is how fast a cancelled wait must return: one status slice
// plus scheduling slack.
const promptly = 2 * time.Second

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	t.Cleanup(cancel)
	return ctx
}

// doAll sends cmds in order and returns the data of the last.
func doAll(ctx context.Context, tr reader.Transport, cmds ...apdu.Command) ([]byte, error) {
	var data []byte
	for _, cmd := range cmds {
		var err error
		if data, err = reader.Do(ctx, tr, cmd, false); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func connect(t *testing.T, c *pcsc.Context, name string, opts ...pcsc.Option) *pcsc.Card {
	t.Helper()
	k, err := c.Connect(testCtx(t), name, opts...)
	if err != nil {
		t.Fatalf("Connect(%q): %v", name, err)
	}
	t.Cleanup(func() { _ = k.Close() })
	return k
}

func TestListAndChoose(t *testing.T) {
	slot := pcsctest.Slot(t)
	c := pcsctest.Context(t)
	ctx := testCtx(t)
	names, err := c.ListReaders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(names, slot.Reader)
	if i < 0 {
		t.Fatalf("ListReaders() = %q, want it to hold %q", names, slot.Reader)
	}
	for _, sel := range []string{slot.Reader, strconv.Itoa(i), slot.Reader[len(slot.Reader)-5:]} {
		got, err := c.Choose(ctx, sel)
		if err != nil || got != slot.Reader {
			t.Errorf("Choose(%q) = %q, %v; want %q", sel, got, err, slot.Reader)
		}
	}
	if _, err := c.Choose(ctx, "no such reader"); !errors.Is(err, reader.ErrReaderNotFound) {
		t.Errorf("Choose(no such reader) error = %v, want ErrReaderNotFound", err)
	}

	card := newCard(t)
	pcsctest.Insert(t, slot, card)
	infos, err := c.Readers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, in := range infos {
		if in.Name == slot.Reader {
			found = true
			if !in.CardPresent || !bytes.Equal(in.ATR, card.ATR()) {
				t.Errorf("Readers()[%q] = %+v, want a present card with ATR %X", in.Name, in, card.ATR())
			}
		}
	}
	if !found {
		t.Errorf("Readers() = %+v, want %q", infos, slot.Reader)
	}
}

func TestWaitIsCancellable(t *testing.T) {
	slot := pcsctest.Slot(t)
	c := pcsctest.Context(t)

	// On an empty reader, a wait ends with its context: no endless wait.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.WaitForCard(ctx, slot.Reader)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitForCard on an empty reader = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > promptly {
		t.Fatalf("WaitForCard returned %v after its deadline", d)
	}

	// Cancelled (not expired) from another goroutine.
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel2)
	start = time.Now()
	if _, err := c.WaitForCard(ctx2, slot.Reader); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitForCard after cancel = %v, want Canceled", err)
	}
	if d := time.Since(start); d > promptly {
		t.Fatalf("cancelled WaitForCard took %v", d)
	}

	// An unknown reader is an error at once, not a wait.
	if _, err := c.WaitForCard(testCtx(t), "no such reader"); !errors.Is(err, reader.ErrReaderUnavailable) {
		t.Fatalf("WaitForCard(no such reader) = %v, want ErrReaderUnavailable", err)
	}
}

func TestWaitForCardAndRemoval(t *testing.T) {
	slot := pcsctest.Slot(t)
	c := pcsctest.Context(t)
	ctx := testCtx(t)

	got := make(chan []byte, 1)
	errc := make(chan error, 1)
	go func() {
		atr, err := c.WaitForCard(ctx, slot.Reader)
		got <- atr
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the wait start on an empty reader
	card := newCard(t)
	in := pcsctest.Insert(t, slot, card)
	if atr := <-got; !bytes.Equal(atr, card.ATR()) {
		t.Fatalf("WaitForCard ATR = %X, want %X", atr, card.ATR())
	}
	if err := <-errc; err != nil {
		t.Fatalf("WaitForCard: %v", err)
	}

	removed := make(chan error, 1)
	go func() { removed <- c.WaitForRemoval(ctx, slot.Reader) }()
	time.Sleep(100 * time.Millisecond)
	_ = in.Conn.Remove()
	select {
	case err := <-removed:
		if err != nil {
			t.Fatalf("WaitForRemoval: %v", err)
		}
	case <-time.After(bound):
		t.Fatal("WaitForRemoval did not return after the card left")
	}
}

func TestWatch(t *testing.T) {
	slot := pcsctest.Slot(t)
	c := pcsctest.Context(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	events := make(chan reader.Event, 64)
	added := make(chan string, 64)
	done := make(chan error, 1)
	go func() {
		done <- c.Watch(ctx, func(e reader.Event) error {
			if e.Kind == reader.ReaderAdded {
				added <- e.Reader
			}
			if e.Reader == slot.Reader { // the other slot belongs to other tests
				events <- e
			}
			return nil
		})
	}()
	next := func(want reader.Event) {
		t.Helper()
		select {
		case e := <-events:
			if !e.Equal(want) {
				t.Fatalf("event = %v, want %v", e, want)
			}
		case <-time.After(bound):
			t.Fatalf("no event within %v, want %v", bound, want)
		}
	}
	next(reader.Event{Kind: reader.ReaderAdded, Reader: slot.Reader})
	// Watch covers every reader: both vpcd readers are reported at start.
	seen := map[string]bool{}
	for len(seen) < vpcd.Slots {
		select {
		case name := <-added:
			seen[name] = true
		case <-time.After(bound):
			t.Fatalf("ReaderAdded only for %v, want every vpcd reader", seen)
		}
	}
	for i := range vpcd.Slots {
		if !seen[vpcd.ReaderName(i)] {
			t.Fatalf("ReaderAdded for %v, want %q", seen, vpcd.ReaderName(i))
		}
	}
	card := newCard(t)
	in := pcsctest.Insert(t, slot, card)
	next(reader.Event{Kind: reader.CardInserted, Reader: slot.Reader, ATR: card.ATR()})
	_ = in.Conn.Remove()
	next(reader.Event{Kind: reader.CardRemoved, Reader: slot.Reader})

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Watch = %v, want Canceled", err)
		}
		if d := time.Since(start); d > promptly {
			t.Fatalf("Watch took %v to return after cancel", d)
		}
	case <-time.After(bound):
		t.Fatal("Watch did not return after cancel")
	}
}

func TestTransaction(t *testing.T) {
	slot := pcsctest.Slot(t)
	card := newCard(t)
	pcsctest.Insert(t, slot, card)
	c := pcsctest.Context(t)
	k := connect(t, c, slot.Reader)
	other := connect(t, c, slot.Reader)
	ctx := testCtx(t)

	var (
		mu          sync.Mutex
		txEnd       time.Time
		otherDone   time.Time
		otherErr    error
		otherResult = make(chan struct{})
	)
	err := k.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
		if _, err := doAll(ctx, tr, selectJPKI, selectAuthPIN, verifyAuth); err != nil {
			return err
		}
		// Another connection tries to come between VERIFY and SIGN.
		go func() {
			_, err := other.Transmit(ctx, []byte{0x00, apdu.InsSelect, 0x04, 0x0C, 0x01, 0xAA})
			mu.Lock()
			otherDone, otherErr = time.Now(), err
			mu.Unlock()
			close(otherResult)
		}()
		time.Sleep(300 * time.Millisecond)
		sig, err := doAll(ctx, tr, selectAuthKey, signAuth)
		if err != nil {
			return err
		}
		checkSignature(t, sig)
		mu.Lock()
		txEnd = time.Now()
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("Transaction: %v", err)
	}
	select {
	case <-otherResult:
	case <-time.After(bound):
		t.Fatal("the other connection's command never completed")
	}
	mu.Lock()
	defer mu.Unlock()
	// Either pcscd made the other connection wait for the transaction or it
	// refused it; it must not have come between VERIFY and SIGN.
	if otherErr == nil && otherDone.Before(txEnd) {
		t.Fatalf("another connection's APDU ran inside the transaction")
	}
	if otherErr != nil && !errors.Is(otherErr, reader.ErrSharingViolation) {
		t.Fatalf("other connection: %v", otherErr)
	}
	want := []byte{apdu.InsSelect, apdu.InsSelect, apdu.InsVerify, apdu.InsSelect, apdu.InsComputeSignature}
	if got := card.instructions(); len(got) < len(want) || !bytes.Equal(got[:len(want)], want) {
		t.Fatalf("card saw INS %X, want %X first and together", got, want)
	}
}

func TestRemovedMidOperation(t *testing.T) {
	tests := []struct {
		name string
		// pull removes the card from outside after VERIFY; otherwise the
		// card leaves while answering SIGN (virtual.FaultRemove).
		pull bool
	}{
		{"card leaves while answering", false},
		{"card pulled between commands", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot := pcsctest.Slot(t)
			var opts []virtual.Option
			if !tt.pull {
				opts = append(opts, virtual.WithFaults(virtual.Fault{Kind: virtual.FaultRemove, MatchINS: true, INS: apdu.InsComputeSignature}))
			}
			card := newCard(t, opts...)
			in := pcsctest.Insert(t, slot, card)
			c := pcsctest.Context(t)
			k := connect(t, c, slot.Reader)
			ctx := testCtx(t)

			start := time.Now()
			err := k.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
				if _, err := doAll(ctx, tr, selectJPKI, selectAuthPIN, verifyAuth, selectAuthKey); err != nil {
					return err
				}
				if tt.pull {
					_ = in.Conn.Remove()
				}
				_, err := reader.Do(ctx, tr, signAuth, false)
				return err
			})
			if !errors.Is(err, reader.ErrCardRemoved) {
				t.Fatalf("Transaction = %v, want ErrCardRemoved", err)
			}
			var se *apdu.StatusError
			if errors.As(err, &se) {
				t.Fatalf("removal surfaced as a status word: %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("removal took %v to surface", d)
			}
			// Later commands keep failing the same way once pcscd saw it.
			if err := c.WaitForRemoval(ctx, slot.Reader); err != nil {
				t.Fatal(err)
			}
			if _, err := k.Transmit(ctx, []byte{0x00, apdu.InsVerify, 0x00, 0x80}); !errors.Is(err, reader.ErrCardRemoved) {
				t.Fatalf("Transmit after removal = %v, want ErrCardRemoved", err)
			}
		})
	}
}

func TestResetAndReconnect(t *testing.T) {
	slot := pcsctest.Slot(t)
	card := newCard(t)
	pcsctest.Insert(t, slot, card)
	c := pcsctest.Context(t)
	k := connect(t, c, slot.Reader)
	other := connect(t, c, slot.Reader)
	ctx := testCtx(t)

	if _, err := doAll(ctx, k, selectJPKI, selectAuthPIN, verifyAuth, selectAuthKey); err != nil {
		t.Fatal(err)
	}
	resets := card.resetCount()
	if err := other.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if card.resetCount() == resets {
		t.Fatalf("the card was not reset")
	}
	_, err := reader.Do(ctx, k, signAuth, false)
	if !errors.Is(err, reader.ErrCardReset) {
		t.Fatalf("SIGN after another connection reset the card = %v, want ErrCardReset", err)
	}
	if err := k.Reconnect(ctx); err != nil {
		t.Fatalf("Reconnect: %v", err)
	}
	// The reset took the selection and the VERIFY with it: the caller must
	// start over.
	if _, err := doAll(ctx, k, selectJPKI, selectAuthKey, signAuth); !errors.Is(err, apdu.ErrSecurityStatus) {
		t.Fatalf("SIGN after reconnect without VERIFY = %v, want ErrSecurityStatus", err)
	}
	sig, err := doAll(ctx, k, loginAndSign...)
	if err != nil {
		t.Fatalf("VERIFY and SIGN after reconnect: %v", err)
	}
	checkSignature(t, sig)
}

func TestTraceRedactsVerify(t *testing.T) {
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, newCard(t))
	var (
		mu     sync.Mutex
		events []reader.TraceEvent
	)
	c := pcsctest.Context(t, pcsc.WithTrace(func(e reader.TraceEvent) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	k := connect(t, c, slot.Reader)
	ctx := testCtx(t)
	err := k.Transaction(ctx, func(ctx context.Context, tr reader.Transport) error {
		_, err := doAll(ctx, tr, loginAndSign...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != len(loginAndSign) {
		t.Fatalf("traced %d exchanges, want %d", len(events), len(loginAndSign))
	}
	pin := []byte(jpkitest.DefaultAuthPIN)
	for i, e := range events {
		if bytes.Contains(e.Command, pin) {
			t.Fatalf("trace holds the PIN: %X", e.Command)
		}
		isVerify := loginAndSign[i].INS == apdu.InsVerify
		if e.Redacted != isVerify {
			t.Errorf("exchange %d (INS %02X) Redacted = %v", i, loginAndSign[i].INS, e.Redacted)
		}
	}
	if v := events[2]; v.Command[1] != apdu.InsVerify || !bytes.Equal(v.Response, []byte{0x90, 0x00}) {
		t.Fatalf("VERIFY trace = %+v, want its response 9000", v)
	}
}

func TestConnectErrors(t *testing.T) {
	slot := pcsctest.Slot(t)
	c := pcsctest.Context(t)
	ctx := testCtx(t)
	_, err := c.Connect(ctx, slot.Reader)
	if !errors.Is(err, reader.ErrNoCard) || !errors.Is(err, reader.ErrCardRemoved) {
		t.Fatalf("Connect to an empty reader = %v, want ErrNoCard and ErrCardRemoved", err)
	}
	if _, err := c.Connect(ctx, "no such reader"); !errors.Is(err, reader.ErrReaderUnavailable) {
		t.Fatalf("Connect to an unknown reader = %v, want ErrReaderUnavailable", err)
	}
}

func TestExtendedLengthThroughVpcd(t *testing.T) {
	slot := pcsctest.Slot(t)
	pcsctest.Insert(t, slot, newCard(t))
	c := pcsctest.Context(t)
	k := connect(t, c, slot.Reader, pcsc.WithExtendedLength(true))
	if !k.Capabilities().ExtendedLength {
		t.Fatal("WithExtendedLength(true) not reflected in Capabilities")
	}
	ctx := testCtx(t)
	if _, err := doAll(ctx, k, selectJPKI, selectCert); err != nil {
		t.Fatal(err)
	}
	// The whole certificate in one extended READ BINARY (ISO/IEC 7816-4
	// §5.1: Le = 00 00 asks for up to 65536 bytes).
	want := holder().AuthCert
	data, err := reader.Do(ctx, k, apdu.Command{INS: apdu.InsReadBinary, Ne: apdu.MaxExtendedNe}, true)
	if err != nil && !bytes.HasPrefix(data, want) {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, want) {
		t.Fatalf("extended READ BINARY gave %d bytes, not the %d-byte certificate", len(data), len(want))
	}
	if def := connect(t, c, slot.Reader); def.Capabilities().ExtendedLength {
		t.Fatal("ExtendedLength true without the option")
	}
}
