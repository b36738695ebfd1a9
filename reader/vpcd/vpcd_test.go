package vpcd

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// fakeDriver plays vpcd's side of one connection over loopback.
type fakeDriver struct {
	t  *testing.T
	ln net.Listener
	nc net.Conn
}

func newFakeDriver(t *testing.T) *fakeDriver {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeDriver{t: t, ln: ln}
}

func (d *fakeDriver) accept() {
	d.t.Helper()
	nc, err := d.ln.Accept()
	if err != nil {
		d.t.Fatal(err)
	}
	d.nc = nc
	d.t.Cleanup(func() { nc.Close() })
}

func (d *fakeDriver) send(payload ...byte) {
	d.t.Helper()
	// Two writes, as vpcd does.
	if err := binary.Write(d.nc, binary.BigEndian, uint16(len(payload))); err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.nc.Write(payload); err != nil {
		d.t.Fatal(err)
	}
}

func (d *fakeDriver) recv() []byte {
	d.t.Helper()
	_ = d.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := readFrame(d.nc, nil)
	if err != nil {
		d.t.Fatalf("reading from the card side: %v", err)
	}
	return append([]byte(nil), b...)
}

type echoCard struct {
	mu     sync.Mutex
	resets int
	leave  bool
}

func (c *echoCard) ATR() []byte { return []byte{0x3B, 0x80, 0x80, 0x01, 0x01} }
func (c *echoCard) Reset() {
	c.mu.Lock()
	c.resets++
	c.mu.Unlock()
}
func (c *echoCard) Transmit(capdu []byte) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.leave {
		return nil
	}
	return append(append([]byte(nil), capdu...), 0x90, 0x00)
}

func TestProtocol(t *testing.T) {
	d := newFakeDriver(t)
	card := &echoCard{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, errc, err := Attach(ctx, d.ln.Addr().String(), card)
	if err != nil {
		t.Fatal(err)
	}
	d.accept()

	d.send(ctrlGetATR)
	if got := d.recv(); !bytes.Equal(got, card.ATR()) {
		t.Fatalf("get ATR = %X, want %X", got, card.ATR())
	}
	d.send(ctrlPowerOff) // unanswered, resets (the power goes)
	d.send(ctrlPowerOn)  // unanswered, resets
	d.send(ctrlReset)    // unanswered, resets
	apdu := []byte{0x00, 0xA4, 0x04, 0x0C, 0x01, 0xAA}
	d.send(apdu...)
	if got, want := d.recv(), append(append([]byte(nil), apdu...), 0x90, 0x00); !bytes.Equal(got, want) {
		t.Fatalf("APDU answer = %X, want %X (control bytes must not be answered)", got, want)
	}
	card.mu.Lock()
	resets := card.resets
	card.mu.Unlock()
	if resets != 3 {
		t.Fatalf("card reset %d times, want 3 (power off, power on, reset)", resets)
	}
	big := make([]byte, 1007) // extended APDUs pass through
	d.send(big...)
	if got := d.recv(); len(got) != len(big)+2 {
		t.Fatalf("answer to a %d-byte APDU has %d bytes", len(big), len(got))
	}

	if err := conn.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve after Remove = %v, want nil", err)
	}
	_ = d.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := d.nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("driver read after removal = %v, want EOF", err)
	}
}

func TestCardLeaves(t *testing.T) {
	d := newFakeDriver(t)
	card := &echoCard{leave: true}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, errc, err := Attach(ctx, d.ln.Addr().String(), card)
	if err != nil {
		t.Fatal(err)
	}
	d.accept()
	d.send(0x00, 0xB0, 0x00, 0x00, 0x00)
	if err := <-errc; !errors.Is(err, ErrCardLeft) {
		t.Fatalf("Serve = %v, want ErrCardLeft", err)
	}
	_ = d.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := d.nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("driver read after the card left = %v, want EOF", err)
	}
}

func TestServeReturnsOnCancel(t *testing.T) {
	d := newFakeDriver(t)
	ctx, cancel := context.WithCancel(context.Background())
	_, errc, err := Attach(ctx, d.ln.Addr().String(), &echoCard{})
	if err != nil {
		t.Fatal(err)
	}
	d.accept()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestDriverGoneIsAnError(t *testing.T) {
	d := newFakeDriver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, errc, err := Attach(ctx, d.ln.Addr().String(), &echoCard{})
	if err != nil {
		t.Fatal(err)
	}
	d.accept()
	d.nc.Close()
	if err := <-errc; !errors.Is(err, io.EOF) {
		t.Fatalf("Serve after the driver closed = %v, want io.EOF", err)
	}
}

func TestRunRetriesUntilCancelled(t *testing.T) {
	// Nothing listens: Run keeps retrying and returns when ctx ends.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var statuses int
	err = Run(ctx, addr, &echoCard{}, func(error) { statuses++ })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want DeadlineExceeded", err)
	}
	if statuses == 0 {
		t.Fatal("Run reported no failed attempt")
	}
}

func TestFrames(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []byte
		err  error
	}{
		{"control", []byte{0, 1, 4}, []byte{4}, nil},
		{"apdu", []byte{0, 4, 0, 0xA4, 0, 0}, []byte{0, 0xA4, 0, 0}, nil},
		{"empty", []byte{0, 0}, nil, ErrEmptyFrame},
		{"truncated payload", []byte{0, 3, 1}, nil, io.ErrUnexpectedEOF},
		{"truncated header", []byte{0}, nil, io.ErrUnexpectedEOF},
		{"closed", nil, nil, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readFrame(bytes.NewReader(tt.in), nil)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("readFrame error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tt.want) {
				t.Fatalf("readFrame = %X, %v; want %X", got, err, tt.want)
			}
		})
	}
	if _, err := appendFrame(nil, make([]byte, maxFrame+1)); !errors.Is(err, ErrFrameTooLong) {
		t.Fatalf("appendFrame(65536 bytes) = %v, want ErrFrameTooLong", err)
	}
}

func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0, 1, 4})
	f.Add([]byte{0, 5, 0, 0xA4, 4, 0, 0})
	f.Add([]byte{0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := readFrame(bytes.NewReader(in), nil)
		if err != nil {
			return
		}
		// A frame read back re-encodes to the bytes it came from.
		enc, err := appendFrame(nil, got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, in[:len(enc)]) {
			t.Fatalf("re-encoded %X, read from %X", enc, in)
		}
	})
}

func TestRunReconnects(t *testing.T) {
	d := newFakeDriver(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inserted := make(chan struct{}, 4)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, d.ln.Addr().String(), &echoCard{}, func(err error) {
			if err == nil {
				inserted <- struct{}{}
			}
		})
	}()
	// The driver goes away (pcscd restarted): Run dials again.
	for i := 0; i < 2; i++ {
		d.accept()
		select {
		case <-inserted:
		case <-time.After(5 * time.Second):
			t.Fatalf("connection %d not reported", i)
		}
		d.send(ctrlGetATR)
		if got := d.recv(); len(got) == 0 {
			t.Fatal("no ATR")
		}
		d.nc.Close()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want Canceled", err)
	}
}
