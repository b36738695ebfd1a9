package reliability

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card/virtual"
)

// TestStalledCardReturnsAtDeadline: a card that stops answering in the
// middle of a command (here: for 3 s) must not hold the caller past its
// deadline. Over pcscd the command itself is abandoned at the deadline
// ("outcome unknown"), but ending the PC/SC transaction waits for the
// in-flight SCardTransmit, so before the fix in reader/pcsc the operation
// returned only when the card answered, 3 s later.
func TestStalledCardReturnsAtDeadline(t *testing.T) {
	const (
		stall    = 3 * time.Second
		deadline = 300 * time.Millisecond
		bound    = 700 * time.Millisecond
	)
	w := newWorld(t)
	m := newMatrixRun(t, "pcscd stall", w, true)
	ops := operations()
	for _, name := range []string{"cert/auth", "sign/sign", "identify"} {
		var op operation
		for _, o := range ops {
			if o.name == name {
				op = o
			}
		}
		c := m.cleanRun(op)
		m.vc.Reset()
		m.vc.SetFaults(virtual.Fault{Kind: virtual.FaultLatency, Delay: stall, At: m.vc.Stats().APDUs + c.n})
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		err := runOp(ctx, op, m.env)
		elapsed := time.Since(start)
		cancel()
		m.vc.SetFaults()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with the card stalled on its last APDU: %v, want DeadlineExceeded", name, err)
		}
		if elapsed > deadline+bound {
			t.Errorf("%s returned %v after it started; its deadline was %v (the card stalled %v)", name, elapsed.Round(time.Millisecond), deadline, stall)
		}
		// The card is still busy with the abandoned command: the next
		// operation on the connection waits for it, then works.
		ctx2, cancel2 := context.WithTimeout(context.Background(), stall+5*time.Second)
		if err := runOp(ctx2, op, m.env); err != nil {
			t.Errorf("%s after the stall: %v", name, err)
		}
		cancel2()
	}
}
