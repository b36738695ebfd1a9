package p11

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
)

// errHelper reports that the PIN helper failed or the holder cancelled.
var errHelper = errors.New("PIN helper cancelled or failed")

// maxHelperOutput bounds what is read from the helper: a PIN and a
// newline.
const maxHelperOutput = 64

// askHelper runs the configured PIN helper for the token's PIN (see
// Config.PINHelper) and returns what it printed, without the line end.
// The bytes are the card layer's to wipe.
func (st *state) askHelper(ctx context.Context, kind, remaining int) ([]byte, error) {
	cmd := exec.CommandContext(ctx, st.cfg.PINHelper)
	kindName := "auth"
	if kind == kindSign {
		kindName = "sign"
	}
	cmd.Env = append(os.Environ(),
		"MYNACARD_PIN_TOKEN="+tokenNames[kind].label,
		"MYNACARD_PIN_KIND="+kindName,
		"MYNACARD_PIN_TRIES="+strconv.Itoa(remaining))
	cmd.Stdin = nil
	cmd.Stderr = nil
	out := &limitedBuffer{max: maxHelperOutput}
	out.b.Grow(maxHelperOutput) // one buffer, never reallocated with a PIN in it
	cmd.Stdout = out
	err := cmd.Run()
	b := out.b.Bytes()
	if err != nil || out.over {
		clear(b)
		return nil, errHelper
	}
	b = bytes.TrimRight(b, "\r\n")
	pin := append([]byte(nil), b...)
	clear(out.b.Bytes())
	return pin, nil
}

// limitedBuffer keeps at most max bytes and records whether more came.
type limitedBuffer struct {
	b    bytes.Buffer
	max  int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.b.Len()+len(p) > l.max {
		l.over = true
		return len(p), nil
	}
	return l.b.Write(p)
}
