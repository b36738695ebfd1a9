package card

import "github.com/mynacard/mynacard/reader"

// redactedByte replaces the data bytes of a response the trace must not
// show, as reader.Redact does for PIN-carrying commands.
const redactedByte = '*'

// traceHook returns the Options.Trace hook for session s: while s.secret is
// set (reading text EF 0001, the Individual Number), the data of each
// response is masked before the hook sees it, keeping the status word. The
// number is personal data that a --trace log must never hold, in clear or
// hex; it can also be 照合番号A, a PIN.
func (c *conn) traceHook(s *session) func(reader.TraceEvent) {
	hook := c.opts.Trace
	if hook == nil {
		return nil
	}
	return func(ev reader.TraceEvent) {
		if s.secret && len(ev.Response) > 2 {
			r := make([]byte, len(ev.Response))
			for i := range len(r) - 2 {
				r[i] = redactedByte
			}
			copy(r[len(r)-2:], ev.Response[len(ev.Response)-2:])
			ev.Response = r
		}
		hook(ev)
	}
}
