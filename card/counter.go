package card

import (
	"sync"

	"github.com/mynacard/mynacard/reader"
)

// Counter counts APDUs and bytes through Options.Trace, for benchmarks and
// for tests that hold an operation to its APDU budget. It is safe for
// concurrent use.
//
//	var n card.Counter
//	opts := card.Options{Trace: n.Hook(nil)}
type Counter struct {
	mu sync.Mutex
	s  CounterStats
}

// CounterStats is a snapshot of a Counter.
type CounterStats struct {
	// APDUs is the number of command APDUs sent (GET RESPONSE included).
	APDUs int
	// Sent and Received are the bytes of the command and response APDUs,
	// headers and status words included.
	Sent, Received int
}

// Hook returns a trace function that counts each exchange and then calls
// next, if not nil.
func (c *Counter) Hook(next func(reader.TraceEvent)) func(reader.TraceEvent) {
	return func(ev reader.TraceEvent) {
		c.mu.Lock()
		c.s.APDUs++
		c.s.Sent += len(ev.Command)
		c.s.Received += len(ev.Response)
		c.mu.Unlock()
		if next != nil {
			next(ev)
		}
	}
}

// Stats returns the counts so far.
func (c *Counter) Stats() CounterStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.s
}

// Reset sets the counts to zero and returns what they were.
func (c *Counter) Reset() CounterStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	c.s = CounterStats{}
	return s
}
