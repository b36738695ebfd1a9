package virtual

import (
	"fmt"
	"time"
)

// FaultKind is what a Fault does to the card's answer.
type FaultKind int

// The fault kinds.
const (
	// FaultLatency sleeps Delay before answering every matching APDU
	// (never spent).
	FaultLatency FaultKind = iota + 1
	// FaultRemove takes the card away before it answers the matching APDU:
	// Transmit returns nil from then on and Removed's channel is closed.
	FaultRemove
	// FaultCorrupt executes the command, then flips every bit of the
	// response (data and status word), once.
	FaultCorrupt
	// FaultTruncate executes the command, then cuts the response to Keep
	// bytes (Keep 0 means 1 byte: no complete status word), once.
	FaultTruncate
	// FaultOverLength executes the command, then appends Junk (default
	// four 0xEE bytes) after the status word, once.
	FaultOverLength
	// FaultStatus answers SW without executing the command (no state
	// changes, no try spent), once.
	FaultStatus
)

// String names the kind, for test output.
func (k FaultKind) String() string {
	switch k {
	case FaultLatency:
		return "latency"
	case FaultRemove:
		return "remove"
	case FaultCorrupt:
		return "corrupt"
	case FaultTruncate:
		return "truncate"
	case FaultOverLength:
		return "over-length"
	case FaultStatus:
		return "status"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault is one planned misbehaviour of the card, for reliability tests.
//
// Which APDUs it matches: with At > 0, the At-th APDU the card receives
// (1-based, counted since NewMyNumberCard; Reset and ResetStats do not
// restart the count, and GET RESPONSE counts); otherwise, with MatchINS,
// the first APDU whose INS byte is INS; with neither, the next APDU (or,
// for FaultLatency, every APDU). When both At and MatchINS are set, both
// must match. Every kind except FaultLatency fires once and is then spent.
//
// "Removed after N APDUs" is Fault{Kind: FaultRemove, At: N + 1}, or
// RemoveAfter(N).
type Fault struct {
	Kind FaultKind
	// At selects the At-th APDU (1-based); 0 means any index.
	At int
	// MatchINS restricts the fault to commands whose INS is INS.
	MatchINS bool
	INS      byte
	// Delay is FaultLatency's wait.
	Delay time.Duration
	// Keep is how many bytes FaultTruncate leaves (0 means 1).
	Keep int
	// Junk is what FaultOverLength appends (nil means EE EE EE EE).
	Junk []byte
	// SW is FaultStatus's status word.
	SW uint16
}

// Latency returns a fault that delays every APDU by d.
func Latency(d time.Duration) Fault { return Fault{Kind: FaultLatency, Delay: d} }

// RemoveAfter returns a fault that removes the card after it has answered
// n APDUs: APDU n+1 and all later ones get nil.
func RemoveAfter(n int) Fault { return Fault{Kind: FaultRemove, At: n + 1} }

// StatusOnINS returns a fault that answers the first command with
// instruction ins by sw alone, without executing it.
func StatusOnINS(ins byte, sw uint16) Fault {
	return Fault{Kind: FaultStatus, MatchINS: true, INS: ins, SW: sw}
}

const defaultJunk = "\xEE\xEE\xEE\xEE"

// plannedFault is a Fault with its spent flag.
type plannedFault struct {
	Fault
	spent bool
}

func plan(fs []Fault) []plannedFault {
	out := make([]plannedFault, len(fs))
	for i, f := range fs {
		out[i] = plannedFault{Fault: f}
		out[i].Junk = append([]byte(nil), f.Junk...)
	}
	return out
}

// SetFaults replaces the fault plan; faults already spent are forgotten.
// It does not reinsert a removed card (see Reinsert).
func (c *Card) SetFaults(f ...Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = plan(f)
}

// faultAction is what the matching faults ask of one APDU.
type faultAction struct {
	delay  time.Duration
	remove bool
	status *uint16
	post   []Fault
}

// faultsFor collects the faults matching the current APDU (c.seq) and
// spends the one-shot ones.
func (c *Card) faultsFor(capdu []byte) faultAction {
	var act faultAction
	for i := range c.faults {
		f := &c.faults[i]
		if f.spent || !f.matches(c.seq, capdu) {
			continue
		}
		switch f.Kind {
		case FaultLatency:
			act.delay += f.Delay
			continue
		case FaultRemove:
			act.remove = true
		case FaultStatus:
			sw := f.SW
			act.status = &sw
		case FaultCorrupt, FaultTruncate, FaultOverLength:
			act.post = append(act.post, f.Fault)
		default:
			continue
		}
		f.spent = true
	}
	return act
}

func (f *plannedFault) matches(seq int, capdu []byte) bool {
	if f.At > 0 && f.At != seq {
		return false
	}
	if f.MatchINS && (len(capdu) < 2 || capdu[1] != f.INS) {
		return false
	}
	return true
}

// mangle applies a post-processing fault to a response.
func (f Fault) mangle(resp []byte) []byte {
	out := append([]byte(nil), resp...)
	switch f.Kind {
	case FaultCorrupt:
		for i := range out {
			out[i] ^= 0xFF
		}
	case FaultTruncate:
		keep := f.Keep
		if keep <= 0 {
			keep = 1
		}
		if keep < len(out) {
			out = out[:keep]
		}
	case FaultOverLength:
		junk := f.Junk
		if junk == nil {
			junk = []byte(defaultJunk)
		}
		out = append(out, junk...)
	}
	return out
}
