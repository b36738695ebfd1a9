package vpcd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Option configures a connection.
type Option func(*config)

type config struct {
	quickAck bool
}

// WithoutQuickAck stops the connection from re-arming TCP_QUICKACK after
// every read. The driver writes a message's length and payload separately
// without TCP_NODELAY, so without quick ACKs every APDU waits for the
// peer's delayed ACK (about 40–48 ms on Linux instead of about 0.15 ms).
// It exists only so the benchmark can show the difference.
func WithoutQuickAck() Option { return func(c *config) { c.quickAck = false } }

// Conn is one card inserted into one vpcd slot: the TCP connection to the
// driver. Closing it removes the card.
type Conn struct {
	nc   *net.TCPConn
	card Card
	cfg  config

	closeOnce sync.Once
	closed    chan struct{}
}

// Dial inserts card into the vpcd slot listening on addr (such as
// Addr(0)). The card is served only once Serve runs; until then the driver
// cannot read its ATR. ctx bounds the dial only.
func Dial(ctx context.Context, addr string, card Card, opts ...Option) (*Conn, error) {
	cfg := config{quickAck: true}
	for _, o := range opts {
		o(&cfg)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dialing vpcd at %s: %w", addr, err)
	}
	tc := nc.(*net.TCPConn)
	if err := tc.SetNoDelay(true); err != nil {
		tc.Close()
		return nil, fmt.Errorf("setting TCP_NODELAY on vpcd connection: %w", err)
	}
	return &Conn{nc: tc, card: card, cfg: cfg, closed: make(chan struct{})}, nil
}

// ErrCardLeft is returned by Serve when the card's Transmit answered nil:
// the card removed itself and the connection was closed.
var ErrCardLeft = errors.New("vpcd: card left the reader")

// Serve answers the driver until ctx ends, the card answers nil, Remove is
// called or the driver closes the connection. It closes the connection
// (removing the card) before it returns. It returns nil after ctx ended or
// Remove, ErrCardLeft after the card left, and an error wrapping io.EOF
// when the driver went away (pcscd stopped).
func (c *Conn) Serve(ctx context.Context) error {
	defer c.Remove()
	stop := context.AfterFunc(ctx, func() { c.Remove() })
	defer stop()

	var out []byte
	for {
		if c.cfg.quickAck {
			// Re-arm quick ACKs before every read: after our answer Linux
			// goes back to delayed ACKs ("pingpong" mode), and the driver,
			// which writes the next length and payload separately under
			// Nagle, would then wait for the delayed ACK of the length.
			_ = setQuickAck(c.nc)
		}
		// A fresh buffer each time: the card may keep the command.
		payload, err := readFrame(c.nc, nil)
		if err != nil {
			select {
			case <-c.closed:
				return nil
			default:
			}
			return fmt.Errorf("reading from vpcd: %w", err)
		}
		if c.cfg.quickAck {
			_ = setQuickAck(c.nc) // and again after every read
		}
		resp, err := c.answer(payload)
		if err != nil {
			return err
		}
		if resp == nil {
			continue // control byte with no answer
		}
		if out, err = appendFrame(out[:0], resp); err != nil {
			return err
		}
		if _, err := c.nc.Write(out); err != nil {
			select {
			case <-c.closed:
				return nil
			default:
			}
			return fmt.Errorf("writing to vpcd: %w", err)
		}
	}
}

// answer returns the message to send back for payload, nil for none.
func (c *Conn) answer(payload []byte) ([]byte, error) {
	if len(payload) == 1 {
		switch payload[0] {
		case ctrlGetATR:
			return c.card.ATR(), nil
		case ctrlPowerOn, ctrlReset, ctrlPowerOff:
			// A card's volatile state (selected application, verified
			// PINs) goes with its power: off, on and reset all drop it.
			if r, ok := c.card.(Resetter); ok {
				r.Reset()
			}
			return nil, nil
		default:
			return nil, nil // unknown control byte: the driver expects nothing
		}
	}
	resp := c.card.Transmit(payload)
	if resp == nil {
		c.Remove()
		return nil, ErrCardLeft
	}
	return resp, nil
}

// Remove closes the connection, which the driver sees as the card leaving
// the reader (pcscd notices within about 0.4 s). It is safe to call more
// than once and from any goroutine.
func (c *Conn) Remove() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closed)
		err = c.nc.Close()
	})
	return err
}

// Done is closed once the connection is closed.
func (c *Conn) Done() <-chan struct{} { return c.closed }

// Attach dials addr and serves card in a new goroutine until ctx ends or
// the returned Conn is removed. Errors from serving are delivered on the
// returned channel (nil for a clean stop), which is then closed.
func Attach(ctx context.Context, addr string, card Card, opts ...Option) (*Conn, <-chan error, error) {
	c, err := Dial(ctx, addr, card, opts...)
	if err != nil {
		return nil, nil, err
	}
	errc := make(chan error, 1)
	go func() {
		errc <- c.Serve(ctx)
		close(errc)
	}()
	return c, errc, nil
}

// retryDelay is how long Run waits before dialing the driver again after
// the connection failed or ended (pcscd not yet started, or restarted).
const retryDelay = time.Second

// Run keeps card inserted in the vpcd slot at addr until ctx ends: it
// dials, serves, and dials again after retryDelay whenever the driver is
// not listening or goes away. It returns ctx.Err() when ctx ends and
// ErrCardLeft if the card removes itself. status, if not nil, is called
// (from Run's goroutine) with nil when the card is inserted and with the
// error each time a connection fails or ends.
func Run(ctx context.Context, addr string, card Card, status func(error), opts ...Option) error {
	if status == nil {
		status = func(error) {}
	}
	for {
		c, err := Dial(ctx, addr, card, opts...)
		if err == nil {
			status(nil)
			err = c.Serve(ctx)
			if errors.Is(err, ErrCardLeft) {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		status(err)
		t := time.NewTimer(retryDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
