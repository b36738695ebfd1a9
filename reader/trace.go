package reader

import (
	"context"
	"time"

	"github.com/mynacard/mynacard/apdu"
)

// TraceEvent is one APDU exchange as a tracing hook sees it. Command has
// already been redacted: the data field of VERIFY (INS 20) and CHANGE
// REFERENCE DATA (INS 24) is replaced by '*' bytes, so no PIN reaches a
// log. (Its length is visible in Lc, as on any bus analyser.)
type TraceEvent struct {
	Command  []byte
	Response []byte
	Err      error
	Duration time.Duration
	// Redacted is true when Command's data field was masked.
	Redacted bool
}

// redactedByte replaces every byte of a redacted data field.
const redactedByte = 0x2A // '*'

// Redact returns a copy of capdu safe to log: for VERIFY and CHANGE
// REFERENCE DATA the data field is masked, any other command is copied
// unchanged. It never fails: bytes that do not parse as a command are
// masked after the header.
func Redact(capdu []byte) (out []byte, redacted bool) {
	out = append([]byte(nil), capdu...)
	if len(out) < 5 {
		return out, false
	}
	ins := out[1]
	if ins != apdu.InsVerify && ins != apdu.InsChangeReferenceData {
		return out, false
	}
	cmd, ext, err := apdu.ParseCommand(capdu)
	if err != nil {
		for i := 4; i < len(out); i++ {
			out[i] = redactedByte
		}
		return out, true
	}
	if len(cmd.Data) == 0 {
		return out, false
	}
	start := 5
	if ext {
		start = 7
	}
	for i := start; i < start+len(cmd.Data); i++ {
		out[i] = redactedByte
	}
	return out, true
}

// Traced wraps t so that hook sees every exchange, with PIN-carrying
// commands redacted. The hook runs synchronously; keep it cheap.
func Traced(t Transport, hook func(TraceEvent)) Transport {
	if hook == nil {
		return t
	}
	return &tracedTransport{t: t, hook: hook}
}

type tracedTransport struct {
	t    Transport
	hook func(TraceEvent)
}

func (tt *tracedTransport) Transmit(ctx context.Context, capdu []byte) ([]byte, error) {
	start := time.Now()
	resp, err := tt.t.Transmit(ctx, capdu)
	cmd, red := Redact(capdu)
	tt.hook(TraceEvent{Command: cmd, Response: append([]byte(nil), resp...), Err: err, Duration: time.Since(start), Redacted: red})
	return resp, err
}
