package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pcsctest"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// TestMain is in script_test.go: testscript.Main, then the pcsctest
// shutdown pcsctest.Main would do.

// TestNoPINFlag walks every command: a PIN must never be a flag value,
// because argv is visible to every user of the machine. A PIN-related
// flag may only say where the PIN comes from (a bool such as --pin-stdin
// or a file descriptor number such as --pin-fd), never carry text.
func TestNoPINFlag(t *testing.T) {
	root := newRootCmd(&globals{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			name := strings.ToLower(f.Name + " " + f.Shorthand)
			for _, bad := range []string{"pin", "password", "passwd", "secret"} {
				if strings.Contains(name, bad) && f.Value.Type() != "bool" && f.Value.Type() != "int" {
					t.Errorf("command %q has flag --%s of type %s: PINs never go in argv", c.CommandPath(), f.Name, f.Value.Type())
				}
			}
		}
		c.Flags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func TestHints(t *testing.T) {
	for _, err := range []error{reader.ErrNoService, reader.ErrNoReaders, reader.ErrAmbiguousReader, reader.ErrReaderNotFound} {
		if hintFor(fmt.Errorf("doing something: %w", err)) == "" {
			t.Errorf("no hint for %v", err)
		}
	}
	if h := hintFor(errors.New("other")); h != "" {
		t.Errorf("hint for an unrelated error: %q", h)
	}
}

// syncBuffer is a bytes.Buffer safe for the virtual card's goroutine and
// the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestVirtualCardSeenByReaders(t *testing.T) {
	slot := pcsctest.Slot(t)
	card, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var vcErr syncBuffer
	g := &globals{stdout: &bytes.Buffer{}, stderr: &vcErr, Trace: true, p: i18n.New(i18n.English)}
	done := make(chan error, 1)
	go func() { done <- runVirtualCard(ctx, g, slot.Index, card) }()

	c := pcsctest.Context(t)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if _, err := c.WaitForCard(wctx, slot.Reader); err != nil {
		t.Fatalf("virtual card not seen: %v\nstderr:\n%s", err, vcErr.String())
	}

	var stdout, stderr bytes.Buffer
	if code := run([]string{"readers", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("readers --json exit %d: %s", code, stderr.String())
	}
	var infos []readerJSON
	if err := json.Unmarshal(stdout.Bytes(), &infos); err != nil {
		t.Fatalf("readers --json output is not JSON: %v\n%s", err, stdout.String())
	}
	var found bool
	for _, in := range infos {
		if in.Name == slot.Reader {
			found = in.CardPresent && in.ATR == hex.EncodeToString(card.ATR())
		}
	}
	if !found {
		t.Fatalf("readers --json = %s, want %q with the virtual card", stdout.String(), slot.Reader)
	}

	stdout.Reset()
	if code := run([]string{"readers"}, &stdout, &stderr); code != 0 {
		t.Fatalf("readers exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), slot.Reader+"  card present, ATR "+hex.EncodeToString(card.ATR())) {
		t.Fatalf("readers = %q, want %q with a card", stdout.String(), slot.Reader)
	}

	// --trace on the card side shows APDUs with VERIFY data masked.
	k, err := c.Connect(wctx, slot.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pin := []byte(jpkitest.DefaultAuthPIN)
	for _, capdu := range [][]byte{
		{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
		{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18},
		append([]byte{0x00, 0x20, 0x00, 0x80, byte(len(pin))}, pin...),
	} {
		if _, err := k.Transmit(wctx, capdu); err != nil {
			t.Fatal(err)
		}
	}
	k.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("virtual-card = %v, want nil after interrupt", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("virtual-card did not stop after interrupt")
	}
	out := vcErr.String()
	if strings.Contains(out, fmt.Sprintf("%X", pin)) || !strings.Contains(out, "> 0020008004"+strings.Repeat("2A", len(pin))) {
		t.Errorf("virtual-card --trace does not redact VERIFY:\n%s", out)
	}
	for _, want := range []string{"warning: vpcd", "all network interfaces", "virtual card inserted", "virtual card removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("virtual-card stderr lacks %q:\n%s", want, out)
		}
	}
}

func TestVirtualCardBadSlot(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"virtual-card", "--slot", "7"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "--slot") {
		t.Fatalf("virtual-card --slot 7: exit %d, stderr %q", code, stderr.String())
	}
}
